// A turn's text output without the frames its structured tables (complete.data.tables) already show: a report
// shows each result once, as the structured table (full precision), not again as the kernel's text form of the
// same frame (a markdown table at 4 digits, or pandas' repr). Everything else printed is kept.
import { outputBlocks, type OutputBlock } from './output-blocks';
import type { Cell, ReportTable } from './result-tables';

type Sourced = ReportTable & { source?: string };

const cellsOf = (row: string) =>
  row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));

/** Index labels that are text must match exactly; numbers are formatted by the kernel, so they are not compared. */
const sameLabel = (shown: string | undefined, v: Cell) => typeof v !== 'string' || shown === v.replace(/\n/g, ' ');

/** The kernel's markdown form of this table: the same header (index name, columns) and the same row labels. */
function isMarkdownOf(markdown: string, t: ReportTable): boolean {
  const lines = markdown.split('\n');
  const head = cellsOf(lines[0]);
  const want = [t.indexName ?? '', ...t.columns].map((c) => c.replace(/\n/g, ' '));
  if (head.length !== want.length || head.some((h, i) => h !== want[i])) return false;
  const labels = lines.slice(2).map((l) => cellsOf(l)[0]);
  return t.index.slice(0, labels.length).every((v, i) => sameLabel(labels[i], v));
}

const VALUE_LABEL = /^(Out|result):$/;
const AFTER_VALUE = /^(Note: |\(The Python kernel was restarted)/;

/** Drops the run's value section ("Out:" / "result:" and pandas' repr under it) from a text block. */
function withoutValueRepr(text: string): string | null {
  const lines = text.split('\n');
  let start = -1;
  for (let i = lines.length - 1; i >= 0 && start < 0; i--) if (VALUE_LABEL.test(lines[i])) start = i;
  if (start < 0) return null;
  let end = start + 1;
  while (end < lines.length && !AFTER_VALUE.test(lines[end])) end++;
  return [...lines.slice(0, start), ...lines.slice(end)].join('\n');
}

/** Drops pandas' repr of a displayed frame: a header line naming its columns in order, then rows led by its labels. */
function withoutDisplayRepr(text: string, t: ReportTable): string | null {
  const lines = text.split('\n');
  const hasColumns = (line: string) => {
    let at = 0;
    for (const c of t.columns) {
      const k = line.indexOf(c, at);
      if (k < 0) return false;
      at = k + c.length;
    }
    return t.columns.length > 0;
  };
  const rowOf = (line: string, label: Cell) => line.startsWith(String(label ?? 'NaN'));
  for (let i = 0; i < lines.length; i++) {
    if (!hasColumns(lines[i])) continue;
    let j = i + 1;
    if (t.indexName && lines[j]?.trim() === t.indexName) j++;
    if (!t.index.length || !rowOf(lines[j] ?? '', t.index[0])) continue;
    // The rows (with pandas' "..." for the middle of long frames) and its "[N rows x M columns]" trailer.
    while (j < lines.length && lines[j].trim() && !/^\[\d+ rows x \d+ columns\]$/.test(lines[j]) && (t.index.some((v) => rowOf(lines[j], v)) || /^\.\.\.\s/.test(lines[j]))) j++;
    if (/^\[\d+ rows x \d+ columns\]$/.test(lines[j] ?? '')) j++;
    return [...lines.slice(0, i), ...lines.slice(j)].join('\n');
  }
  return null;
}

/** The output blocks a report shows beside the turn's structured tables. */
export function outputBesideTables(output: string, tables: readonly ReportTable[]): OutputBlock[] {
  let blocks = outputBlocks(output);
  const left: Sourced[] = [];
  for (const t of tables as readonly Sourced[]) {
    const k = blocks.findIndex((b) => b.kind === 'table' && isMarkdownOf(b.markdown, t));
    if (k >= 0) blocks = blocks.filter((_, i) => i !== k);
    else left.push(t);
  }
  const rewrite = (fn: (text: string) => string | null) => {
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i];
      const next = b.kind === 'text' ? fn(b.text) : null;
      if (next === null) continue;
      blocks[i] = { kind: 'text', text: next.replace(/^\n+|\n+$/g, '') };
      return;
    }
  };
  for (const t of left) {
    if (t.source === 'result' || t.source === 'expression') rewrite(withoutValueRepr);
    else if (t.source === 'display') rewrite((text) => withoutDisplayRepr(text, t));
  }
  return blocks.filter((b) => b.kind === 'table' || b.text.trim());
}
