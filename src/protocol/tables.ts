// The structured table form of a DataFrame/Series result, carried in `complete.data.tables` beside the text form.
// Built by the kernel (radarm_tables.py), bounded there; validated here because it crosses process and
// webview boundaries.

/** A JSON-safe cell: numbers stay numbers; NaN/NaT/None are null; ±inf and huge integers are strings. */
export type TableCell = string | number | boolean | null;
export type ColumnKind = 'number' | 'string' | 'boolean' | 'datetime' | 'other';

export interface TableData {
  kind: 'frame' | 'series';
  /** Where it came from: the final expression, `result`, or a `display(df)` call. */
  source: 'expression' | 'result' | 'display' | null;
  /** A Series' name. */
  name?: string;
  columns: string[];
  dtypes: string[];
  kinds: ColumnKind[];
  indexName: string | null;
  index: TableCell[];
  /** The first rows (row-major), at most TABLE_LIMITS.rows. */
  rows: TableCell[][];
  /** The whole frame's shape. */
  totalRows: number;
  totalColumns: number;
  /** Cells whose long text was clipped. */
  clippedCells?: number;
}

export const TABLE_LIMITS = { tables: 5, rows: 10_000, columns: 50 };

const COLUMN_KINDS: readonly string[] = ['number', 'string', 'boolean', 'datetime', 'other'];
const SOURCES: readonly unknown[] = ['expression', 'result', 'display', null];

const isCell = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const strings = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'string');

export function isTableData(value: unknown): value is TableData {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  if (t.kind !== 'frame' && t.kind !== 'series') return false;
  if (!SOURCES.includes(t.source ?? null)) return false;
  if (!Array.isArray(t.columns) || t.columns.length > TABLE_LIMITS.columns) return false;
  const width = t.columns.length;
  if (!strings(t.columns, width) || !strings(t.dtypes, width)) return false;
  if (!Array.isArray(t.kinds) || t.kinds.length !== width || !t.kinds.every((k) => COLUMN_KINDS.includes(k as string))) return false;
  if (t.indexName !== null && typeof t.indexName !== 'string') return false;
  if (t.name !== undefined && typeof t.name !== 'string') return false;
  if (!Array.isArray(t.rows) || t.rows.length > TABLE_LIMITS.rows) return false;
  if (!Array.isArray(t.index) || t.index.length !== t.rows.length || !t.index.every(isCell)) return false;
  for (const row of t.rows) if (!Array.isArray(row) || row.length !== width || !row.every(isCell)) return false;
  if (!isCount(t.totalRows) || !isCount(t.totalColumns)) return false;
  if ((t.totalRows as number) < t.rows.length || (t.totalColumns as number) < width) return false;
  return t.clippedCells === undefined || isCount(t.clippedCells);
}

export function isTableList(value: unknown): value is TableData[] {
  return Array.isArray(value) && value.length <= TABLE_LIMITS.tables && value.every(isTableData);
}
