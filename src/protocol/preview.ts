// Radarm: Preview Data — a data file's column profile and first rows, computed by the kernel
// (radarm_preview.py) and shown in an editor-tab webview (webview/preview-main.tsx).
import { isTableData, type TableCell, type TableData } from './tables';

export interface ColumnPreview {
  name: string;
  dtype: string;
  kind: 'number' | 'string' | 'boolean' | 'datetime' | 'other';
  /** Missing values in the sample. */
  missing: number;
  /** Distinct non-missing values in the sample. */
  distinct: number;
  min?: number | string | null;
  max?: number | string | null;
  mean?: number | null;
  /** Numbers: counts per bin, and the bins' edges (counts.length + 1). */
  histogram?: { counts: number[]; edges: number[] };
  /** Text and other values: the most frequent ones. */
  top?: { value: TableCell; count: number }[];
}

export interface DataPreview {
  path: string;
  name: string;
  totalRows: number;
  /** The row count is estimated from bytes per line (a big CSV read only for its first rows). */
  totalRowsEstimated: boolean;
  totalColumns: number;
  /** Rows the column profile was computed from. */
  sampleRows: number;
  sampled: boolean;
  columns: ColumnPreview[];
  firstRows: TableData | null;
  /** Short facts about how it was read: "decimal comma", "wide: 10000 columns; …", "sheet Sales of 3", the query. */
  notes?: string[];
  /** A dataset (a folder or glob of parts): the first part's rows, with the parts' count and total size. */
  dataset?: { parts: number; totalBytes: number; firstPart: string };
  /** A database table: its name and the source (an SQLite file's name or a connection's name). */
  table?: { name: string; source: string };
}

/**
 * Why a preview failed, machine-readable. not-found (also: deleted while read), folder, empty, binary (a binary
 * file under a data extension), unsupported (a type Radarm does not read), malformed, too-big, dataset, database,
 * timeout, python (no usable interpreter), pandas-missing, failed (anything else).
 */
export type PreviewErrorCode =
  | 'not-found'
  | 'folder'
  | 'empty'
  | 'binary'
  | 'unsupported'
  | 'malformed'
  | 'too-big'
  | 'dataset'
  | 'database'
  | 'timeout'
  | 'python'
  | 'pandas-missing'
  | 'failed';

/** Host → preview webview messages. */
export type PreviewMessage =
  /**
   * stage "quick": the pandas-free first screen (radarm_preview_quick.py, a small sample); "full" (or absent):
   * the kernel's pandas profile, which replaces the quick one in place.
   */
  | { type: 'preview'; preview: DataPreview; ms: number; stage?: 'quick' | 'full' }
  | { type: 'previewError'; name: string; message: string; code?: PreviewErrorCode }
  | { type: 'previewLoading'; name: string; locale: string };

const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export function isDataPreview(value: unknown): value is DataPreview {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.path === 'string' &&
    typeof p.name === 'string' &&
    isCount(p.totalRows) &&
    isCount(p.totalColumns) &&
    isCount(p.sampleRows) &&
    Array.isArray(p.columns) &&
    p.columns.every((c) => typeof c === 'object' && c !== null && typeof c.name === 'string' && isCount(c.missing) && isCount(c.distinct)) &&
    (p.firstRows === null || isTableData(p.firstRows)) &&
    (p.notes === undefined || (Array.isArray(p.notes) && p.notes.every((n) => typeof n === 'string'))) &&
    (p.dataset === undefined || (typeof p.dataset === 'object' && p.dataset !== null && isCount((p.dataset as Record<string, unknown>).parts))) &&
    (p.table === undefined || (typeof p.table === 'object' && p.table !== null && typeof (p.table as Record<string, unknown>).name === 'string'))
  );
}

export function isPreviewMessage(value: unknown): value is PreviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (m.type === 'preview')
    return isDataPreview(m.preview) && typeof m.ms === 'number' && (m.stage === undefined || m.stage === 'quick' || m.stage === 'full');
  if (m.type === 'previewError')
    return typeof m.name === 'string' && typeof m.message === 'string' && (m.code === undefined || typeof m.code === 'string');
  if (m.type === 'previewLoading') return typeof m.name === 'string' && typeof m.locale === 'string';
  return false;
}
