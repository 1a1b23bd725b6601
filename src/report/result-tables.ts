// Result tables (complete.data.tables: DataFrame/Series results in their structured form) in a report: as HTML
// or markdown tables with their total shape, the first rows only. Read structurally, so a report of an older
// conversation, or one whose tables are malformed, simply has none.
import type { CompleteData } from '../protocol/events';

export type Cell = string | number | boolean | null;

export interface ReportTable {
  columns: string[];
  index: Cell[];
  indexName?: string | null;
  name?: string;
  rows: Cell[][];
  totalRows: number;
  totalColumns: number;
}

/** Rows a report shows of each table (the rest is in the data, not in a document meant for reading). */
export const REPORT_TABLE_ROWS = 200;

const isCell = (v: unknown): v is Cell => v === null || ['string', 'number', 'boolean'].includes(typeof v);

function isReportTable(v: unknown): v is ReportTable {
  const t = v as ReportTable;
  return (
    !!t &&
    Array.isArray(t.columns) &&
    t.columns.every((c) => typeof c === 'string') &&
    Array.isArray(t.rows) &&
    t.rows.every((r) => Array.isArray(r) && r.length === t.columns.length && r.every(isCell)) &&
    Array.isArray(t.index) &&
    t.index.length === t.rows.length &&
    typeof t.totalRows === 'number' &&
    typeof t.totalColumns === 'number'
  );
}

export function tablesOf(data: CompleteData | undefined): ReportTable[] {
  const list = (data as { tables?: unknown } | undefined)?.tables;
  return Array.isArray(list) ? list.filter(isReportTable) : [];
}

/** A cell as text: floats to at most 10 significant digits, null as empty. */
export function cellText(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
  return String(v);
}

export interface ShapeWords {
  /** "1 row × 2 columns", in the report's language. */
  shape: (rows: number, columns: number) => string;
  firstRows: string;
}

const fill = (s: string, ...args: (string | number)[]) => s.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)] ?? ''));

export function shapeText(t: ReportTable, words: ShapeWords, shown: number): string {
  const shape = words.shape(t.totalRows, t.totalColumns);
  return shown < t.totalRows ? `${shape} · ${fill(words.firstRows, shown)}` : shape;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function tableHtml(t: ReportTable, words: ShapeWords): string {
  const rows = t.rows.slice(0, REPORT_TABLE_ROWS);
  const numeric = t.columns.map((_, j) => rows.some((r) => typeof r[j] === 'number') && rows.every((r) => r[j] === null || typeof r[j] === 'number'));
  const td = (v: Cell, j: number) => `<td${numeric[j] ? ' class="num"' : ''}>${esc(cellText(v))}</td>`;
  return [
    '<div class="table-wrap"><table class="result-table">',
    `<caption>${t.name ? `${esc(t.name)} · ` : ''}${esc(shapeText(t, words, rows.length))}</caption>`,
    `<thead><tr><th>${esc(t.indexName ?? '')}</th>${t.columns.map((c, j) => `<th${numeric[j] ? ' class="num"' : ''}>${esc(c)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r, i) => `<tr><th>${esc(cellText(t.index[i]))}</th>${r.map(td).join('')}</tr>`),
    '</tbody></table></div>',
  ].join('\n');
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function tableMarkdown(t: ReportTable, words: ShapeWords): string {
  const rows = t.rows.slice(0, REPORT_TABLE_ROWS);
  return [
    `| ${mdCell(t.indexName ?? '')} | ${t.columns.map(mdCell).join(' | ')} |`,
    `|---|${t.columns.map(() => '---').join('|')}|`,
    ...rows.map((r, i) => `| ${mdCell(cellText(t.index[i]))} | ${r.map((v) => mdCell(cellText(v))).join(' | ')} |`),
    '',
    `_${shapeText(t, words, rows.length)}_`,
  ].join('\n');
}
