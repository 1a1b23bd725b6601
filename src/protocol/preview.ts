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
}

/** Host → preview webview messages. */
export type PreviewMessage =
  | { type: 'preview'; preview: DataPreview; ms: number }
  | { type: 'previewError'; name: string; message: string }
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
    (p.firstRows === null || isTableData(p.firstRows))
  );
}

export function isPreviewMessage(value: unknown): value is PreviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (m.type === 'preview') return isDataPreview(m.preview) && typeof m.ms === 'number';
  if (m.type === 'previewError') return typeof m.name === 'string' && typeof m.message === 'string';
  if (m.type === 'previewLoading') return typeof m.name === 'string' && typeof m.locale === 'string';
  return false;
}
