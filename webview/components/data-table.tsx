// A result table: sortable headers (click, Enter or Space), locale-aware numbers, horizontal scroll for wide
// frames, and virtualised rows (only the visible window plus a margin is in the DOM, so 10,000 rows stay
// smooth). Copy as TSV/CSV and Insert as code go through the host like the panel's other copy/insert buttons.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TableData } from '../../src/protocol/tables';
import { format } from '../i18n';
import { shapeCaption } from '../../src/util/shape-caption';
import { tableStrings } from '../table-i18n';
import { canWriteLiteral, formatCell, nextSort, sortedOrder, toDelimited, toPandasCode, type SortState } from '../table-format';
import { post } from '../vscode-api';
import { Codicon } from './codicon';
import '../tables.css';

export const ROW_HEIGHT = 22;
const VISIBLE_ROWS = 14; // the viewport's height in rows
const OVERSCAN = 8;

interface Props {
  table: TableData;
  locale: string;
  /** The code that produced the table: what Insert inserts when the table is too big to write as a literal. */
  code?: string | null;
}

/** Column widths in `ch` from the header and a sample of formatted cells, clamped: fixed layout, no jitter. */
function columnWidths(table: TableData, locale: string): number[] {
  const sample = table.rows.slice(0, 60);
  const width = (texts: string[]) => Math.min(32, Math.max(5, ...texts.map((t) => [...t].length + 2)));
  const index = width([table.indexName ?? '', ...table.index.slice(0, 60).map((v) => formatCell(v, locale))]);
  return [index, ...table.columns.map((c, j) => width([c + '  ', ...sample.map((r) => formatCell(r[j], locale))]))];
}

export function DataTable({ table, locale, code }: Props) {
  const t = tableStrings(locale);
  const [sort, setSort] = useState<SortState | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [copied, setCopied] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const order = useMemo(() => sortedOrder(table, sort), [table, sort]);
  const widths = useMemo(() => columnWidths(table, locale), [table, locale]);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(null), 1500);
    return () => clearTimeout(timer);
  }, [copied]);

  const n = order.length;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(n, Math.ceil(scrollTop / ROW_HEIGHT) + VISIBLE_ROWS + OVERSCAN);
  const title = table.kind === 'series' ? `${t.series}${table.name ? ` ${table.name}` : ''}` : t.frame;
  const notes = [shapeCaption(table.totalRows, table.totalColumns, locale, { num: (v) => formatCell(v, locale) })];
  if (table.rows.length < table.totalRows) notes.push(format(t.showing, formatCell(table.rows.length, locale)));
  if (table.columns.length < table.totalColumns) notes.push(format(t.showingColumns, table.columns.length));
  if (table.clippedCells) notes.push(format(t.clipped, table.clippedCells));

  const copy = (what: 'tsv' | 'csv') => {
    post({ type: 'copy', text: toDelimited(table, order, what === 'tsv' ? '\t' : ',') });
    setCopied(what);
  };
  const insert = () => {
    const text = canWriteLiteral(table) || !code ? toPandasCode(table) : code;
    post({ type: 'insertCode', code: text });
  };

  const header = (label: string, column: number, kind: string) => {
    const active = sort?.column === column ? sort.dir : null;
    return (
      <th
        scope="col"
        class={`cell-${kind}`}
        aria-sort={active === 'asc' ? 'ascending' : active === 'desc' ? 'descending' : 'none'}
      >
        <button type="button" class="sort-button" title={format(t.sortBy, label)} onClick={() => setSort(nextSort(sort, column))}>
          <span class="th-label">{label}</span>
          <Codicon name={active === 'asc' ? 'arrow-up' : active === 'desc' ? 'arrow-down' : 'blank'} />
        </button>
      </th>
    );
  };

  return (
    <section class="artifact data-table" aria-label={format(t.tableLabel, title)}>
      <div class="artifact-header table-header">
        <Codicon name="table" />
        <span class="table-title">{title}</span>
        <span class="spacer" />
        <button type="button" class="icon-button text-button" title={t.copyTsv} aria-label={t.copyTsv} onClick={() => copy('tsv')}>
          <Codicon name={copied === 'tsv' ? 'check' : 'copy'} />
          <span>TSV</span>
        </button>
        <button type="button" class="icon-button text-button" title={t.copyCsv} aria-label={t.copyCsv} onClick={() => copy('csv')}>
          <Codicon name={copied === 'csv' ? 'check' : 'copy'} />
          <span>CSV</span>
        </button>
        <button type="button" class="icon-button" title={t.insertCode} aria-label={t.insertCode} onClick={insert}>
          <Codicon name="insert" />
        </button>
      </div>
      <div class="table-notes muted small" role="note">
        {notes.join(' · ')}
      </div>
      <div
        class="table-scroll"
        ref={scroller}
        tabIndex={0}
        style={{ maxHeight: `${(VISIBLE_ROWS + 1) * ROW_HEIGHT + 2}px` }}
        onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
      >
        <table aria-rowcount={n + 1} aria-colcount={table.columns.length + 1}>
          <colgroup>
            {widths.map((w) => (
              <col style={{ width: `${w}ch` }} />
            ))}
          </colgroup>
          <thead>
            <tr>
              {header(table.indexName ?? '', -1, 'index')}
              {table.columns.map((c, j) => header(c, j, table.kinds[j]))}
            </tr>
          </thead>
          <tbody>
            {first > 0 && <tr class="spacer-row" style={{ height: `${first * ROW_HEIGHT}px` }} aria-hidden="true" />}
            {order.slice(first, last).map((i, k) => (
              <tr key={i} aria-rowindex={first + k + 2}>
                <th scope="row" class="cell-index">
                  {formatCell(table.index[i], locale)}
                </th>
                {table.rows[i].map((v, j) => (
                  <td class={`cell-${table.kinds[j]}${v === null ? ' cell-null' : ''}`} title={v === null ? undefined : String(v)}>
                    {formatCell(v, locale)}
                  </td>
                ))}
              </tr>
            ))}
            {last < n && <tr class="spacer-row" style={{ height: `${(n - last) * ROW_HEIGHT}px` }} aria-hidden="true" />}
          </tbody>
        </table>
      </div>
    </section>
  );
}
