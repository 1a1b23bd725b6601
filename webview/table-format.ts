// Pure helpers of the table view: cell formatting, sorting, TSV/CSV and code that rebuilds a table.
import type { TableCell, TableData } from '../src/protocol/tables';

export type SortDir = 'asc' | 'desc';
export interface SortState {
  column: number; // -1 = the index
  dir: SortDir;
}

const formatters = new Map<string, { int: Intl.NumberFormat; big: Intl.NumberFormat; mid: Intl.NumberFormat; small: Intl.NumberFormat }>();

function numberFormats(locale: string) {
  let f = formatters.get(locale);
  if (!f) {
    const tag = locale === 'zh-cn' ? 'zh-CN' : locale;
    f = {
      int: new Intl.NumberFormat(tag, { maximumFractionDigits: 0 }),
      big: new Intl.NumberFormat(tag, { maximumFractionDigits: 2 }),
      mid: new Intl.NumberFormat(tag, { maximumFractionDigits: 4 }),
      small: new Intl.NumberFormat(tag, { maximumSignificantDigits: 4 }),
    };
    formatters.set(locale, f);
  }
  return f;
}

/** Locale-aware thousands and decimals that suit the magnitude: 1,234,567 · 1,234.57 · 3.1416 · 0.0001235. */
export function formatNumber(v: number, locale: string): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e15 || a < 1e-6)) return v.toExponential(3);
  const f = numberFormats(locale);
  if (Number.isInteger(v)) return f.int.format(v);
  if (a >= 1000) return f.big.format(v);
  if (a >= 1) return f.mid.format(v);
  return f.small.format(v);
}

export function formatCell(v: TableCell, locale: string): string {
  if (v === null) return '';
  if (typeof v === 'number') return formatNumber(v, locale);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === 'inf') return '∞';
  if (v === '-inf') return '−∞';
  return v;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compare(a: TableCell, b: TableCell): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'number') return -1; // numbers before text in a mixed column
  if (typeof b === 'number') return 1;
  return collator.compare(String(a), String(b));
}

/** Row order for a sort: a stable permutation; missing values last in both directions. */
export function sortedOrder(table: TableData, sort: SortState | null): number[] {
  const order = table.rows.map((_, i) => i);
  if (!sort) return order;
  const value = (i: number) => (sort.column < 0 ? table.index[i] : table.rows[i][sort.column]);
  const sign = sort.dir === 'asc' ? 1 : -1;
  return order.sort((i, j) => {
    const a = value(i);
    const b = value(j);
    if (a === null || b === null) return a === b ? i - j : a === null ? 1 : -1;
    return sign * compare(a, b) || i - j;
  });
}

/** The next sort after a click on a column header: ascending, descending, then none. */
export function nextSort(current: SortState | null, column: number): SortState | null {
  if (!current || current.column !== column) return { column, dir: 'asc' };
  return current.dir === 'asc' ? { column, dir: 'desc' } : null;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows (in the given order) as TSV or CSV, with the index as the first column. Raw values, no grouping. */
export function toDelimited(table: TableData, order: number[], sep: '\t' | ','): string {
  const raw = (v: TableCell) => (v === null ? '' : String(v));
  const field = sep === ',' ? csvField : (s: string) => s.replace(/[\t\r\n]+/g, ' ');
  const header = [table.indexName ?? '', ...table.columns].map(field).join(sep);
  const lines = order.map((i) => [table.index[i], ...table.rows[i]].map((v) => field(raw(v))).join(sep));
  return [header, ...lines].join('\n') + '\n';
}

function pyValue(v: TableCell): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (v === 'inf' || v === '-inf') return `float("${v}")`;
  return JSON.stringify(v); // JSON string escapes are valid Python escapes
}

function pyList(values: TableCell[], datetime: boolean): string {
  const list = `[${values.map(pyValue).join(', ')}]`;
  return datetime ? `pd.to_datetime(${list})` : list;
}

/** Small enough that `pd.DataFrame({...})` literal code is the better way to reproduce it. */
export const LITERAL_LIMIT = { rows: 50, columns: 20 };

export function canWriteLiteral(table: TableData): boolean {
  return (
    table.rows.length === table.totalRows &&
    table.columns.length === table.totalColumns &&
    table.rows.length <= LITERAL_LIMIT.rows &&
    table.columns.length <= LITERAL_LIMIT.columns
  );
}

/** `pd.DataFrame({...})` (or `pd.Series`) code that rebuilds a fully sent small table. */
export function toPandasCode(table: TableData): string {
  const isRange = table.index.every((v, i) => v === i);
  const index = isRange ? '' : `, index=pd.Index(${pyList(table.index, false)}${table.indexName ? `, name=${JSON.stringify(table.indexName)}` : ''})`;
  const column = (j: number) => pyList(table.rows.map((r) => r[j]), table.kinds[j] === 'datetime');
  if (table.kind === 'series' && table.columns.length === 1) {
    return `import pandas as pd\n\nresult = pd.Series(${column(0)}${index}, name=${JSON.stringify(table.columns[0])})\nresult\n`;
  }
  const body = table.columns.map((c, j) => `    ${JSON.stringify(c)}: ${column(j)},`).join('\n');
  return `import pandas as pd\n\nresult = pd.DataFrame({\n${body}\n}${index})\nresult\n`;
}
