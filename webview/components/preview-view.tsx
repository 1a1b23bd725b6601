// The data preview: the file's shape, a card per column (type, missing, distinct, min/max or top values, a small
// histogram drawn as inline SVG bars) and the first rows as a sortable table.
import type { ColumnPreview, PreviewMessage } from '../../src/protocol/preview';
import { format } from '../i18n';
import { formatNumber } from '../table-format';
import { previewStrings } from '../preview-i18n';
import { shapeCaption } from '../../src/util/shape-caption';
import { DataTable } from './data-table';
import { Codicon } from './codicon';
import '../preview.css';

const KIND_ICONS: Record<string, string> = { number: 'symbol-number', string: 'symbol-string', boolean: 'symbol-boolean', datetime: 'calendar', other: 'symbol-misc' };

function Histogram({ counts, label }: { counts: number[]; label: string }) {
  const max = Math.max(1, ...counts);
  const w = 120;
  const h = 28;
  const bw = w / counts.length;
  return (
    <svg class="histogram" viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={label}>
      {counts.map((c, i) => {
        const bh = c === 0 ? 0 : Math.max(1, (c / max) * h);
        return <rect x={i * bw + 0.5} y={h - bh} width={Math.max(1, bw - 1)} height={bh} />;
      })}
    </svg>
  );
}

function ColumnCard({ col, rows, locale }: { col: ColumnPreview; rows: number; locale: string }) {
  const p = previewStrings(locale);
  const n = (v: number) => formatNumber(v + 0, locale); // + 0: -0 shows as 0
  const pct = rows ? Math.round((col.missing / rows) * 1000) / 10 : 0;
  const topMax = Math.max(1, ...(col.top ?? []).map((t) => t.count));
  return (
    <li class="column-card">
      <div class="column-head">
        <Codicon name={KIND_ICONS[col.kind] ?? 'symbol-misc'} />
        <span class="column-name" title={col.name}>
          {col.name}
        </span>
        <span class="badge">{col.dtype}</span>
      </div>
      <div class="column-stats muted small">
        <span class={col.missing ? 'has-missing' : ''}>{format(p.missing, n(col.missing), n(pct))}</span>
        <span>{format(p.distinct, n(col.distinct))}</span>
        {col.min !== undefined && col.max !== undefined && (
          <span>
            {p.range}{' '}
            {typeof col.min === 'number' ? n(col.min) : String(col.min)} – {typeof col.max === 'number' ? n(col.max) : String(col.max)}
          </span>
        )}
        {typeof col.mean === 'number' && <span>{format(p.mean, n(col.mean))}</span>}
      </div>
      {col.histogram && (
        <Histogram counts={col.histogram.counts} label={format(p.histogramOf, col.name)} />
      )}
      {col.top && col.top.length > 0 && (
        <ul class="top-values" aria-label={p.topValues}>
          {col.top.map((t) => (
            <li>
              <span class="top-bar" style={{ width: `${(t.count / topMax) * 100}%` }} />
              <span class="top-label">{t.value === null ? '—' : String(t.value)}</span>
              <span class="top-count muted">{n(t.count)}</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

export interface PreviewState {
  name: string;
  shown?: Extract<PreviewMessage, { type: 'preview' }>;
  error?: Extract<PreviewMessage, { type: 'previewError' }>;
}

function ErrorBox({ error, locale }: { error: NonNullable<PreviewState['error']>; locale: string }) {
  const p = previewStrings(locale);
  return (
    <div class="preview-status error" role="alert">
      <Codicon name="error" /> {format(p.failed, error.name, error.message)}
      {error.code && <span class="badge error-code">{error.code}</span>}
    </div>
  );
}

function bytes(n: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${formatNumber(Math.round(n * 10) / 10, locale)} ${units[i]}`;
}

export function PreviewView({ state, locale }: { state: PreviewState; locale: string }) {
  const p = previewStrings(locale);
  const shown = state.shown;
  if (!shown) {
    if (state.error) return <ErrorBox error={state.error} locale={locale} />;
    return (
      <div class="preview-status" role="status">
        <Codicon name="loading" spin /> {format(p.loading, state.name)}
      </div>
    );
  }
  const d = shown.preview;
  const quick = shown.stage === 'quick';
  return (
    <main class="preview" aria-busy={quick && !state.error} data-stage={shown.stage ?? 'full'}>
      <header class="preview-header">
        <h1>
          <Codicon name={d.table ? 'database' : d.dataset ? 'files' : 'table'} /> {d.name}
        </h1>
        <div class="muted">
          {shapeCaption(d.totalRows, d.totalColumns, locale, { num: (v) => formatNumber(v, locale), approxRows: d.totalRowsEstimated })}
          {d.dataset && ` · ${format(p.parts, formatNumber(d.dataset.parts, locale), bytes(d.dataset.totalBytes, locale), d.dataset.firstPart)}`}
          {d.sampled && ` · ${format(p.sampled, formatNumber(d.sampleRows, locale))}`}
          {` · ${format(p.took, formatNumber(Math.round(shown.ms), locale))}`}
        </div>
        {quick && !state.error && (
          <div class="preview-stage muted" role="status">
            <Codicon name="loading" spin /> {p.fullLoading}
          </div>
        )}
        {d.notes && d.notes.length > 0 && <div class="preview-notes muted small">{d.notes.join(' · ')}</div>}
      </header>
      {state.error && <ErrorBox error={state.error} locale={locale} />}
      <h2>{p.columns}</h2>
      <ul class="column-cards">
        {d.columns.map((c) => (
          <ColumnCard col={c} rows={d.sampleRows} locale={locale} />
        ))}
      </ul>
      {d.firstRows && (
        <>
          <h2>{p.firstRows}</h2>
          <DataTable table={d.firstRows} locale={locale} />
        </>
      )}
    </main>
  );
}
