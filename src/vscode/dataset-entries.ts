// Datasets in the data picker: every folder that holds several data files of one kind is also offered as one
// source, `folder/*.csv`, whose parts the kernel loads as one frame (one schema, checked there). Pure.

/** Folders with at least this many files of one extension become a dataset entry. */
export const MIN_PARTS = 2;
const DATASET_EXTS = new Set(['csv', 'tsv', 'parquet']);

export interface DatasetEntry {
  /** The picker's label: `folder/*.ext`. */
  display: string;
  /** A member's display path (its folder is the dataset's folder). */
  member: string;
  /** The glob's last segment: `*.ext`. */
  pattern: string;
}

export function datasetEntries(displays: readonly string[]): DatasetEntry[] {
  const groups = new Map<string, { member: string; count: number; pattern: string }>();
  for (const d of displays) {
    const slash = d.lastIndexOf('/');
    const ext = d.split('.').pop()?.toLowerCase() ?? '';
    if (slash < 0 || !DATASET_EXTS.has(ext)) continue; // files at the top level are not a folder's dataset
    const display = `${d.slice(0, slash)}/*.${ext}`;
    const g = groups.get(display);
    if (g) g.count++;
    else groups.set(display, { member: d, count: 1, pattern: `*.${ext}` });
  }
  return [...groups.entries()]
    .filter(([, g]) => g.count >= MIN_PARTS)
    .map(([display, g]) => ({ display, member: g.member, pattern: g.pattern }));
}
