// A run's text output cut into plain-text blocks and markdown tables (the kernel renders model summaries,
// test results and metrics as markdown tables), so that a report shows the tables as tables.

import { stripModelNotes } from '../agent/model-notes';

export type OutputBlock = { kind: 'text'; text: string } | { kind: 'table'; markdown: string };

const isRow = (line: string) => /^\|.*\|\s*$/.test(line);
const isRule = (line: string) => /^\|(\s*:?-{3,}:?\s*\|)+\s*$/.test(line);

export function outputBlocks(output: string): OutputBlock[] {
  // Without the kernel's notes to the model ("[1 matplotlib chart (PNG) shown to the user]"): the report shows the charts.
  const lines = stripModelNotes(output).split('\n');
  const blocks: OutputBlock[] = [];
  let text: string[] = [];
  const flushText = () => {
    const t = text.join('\n').replace(/^\n+|\n+$/g, '');
    if (t.trim()) blocks.push({ kind: 'text', text: t });
    text = [];
  };
  for (let i = 0; i < lines.length; i++) {
    if (isRow(lines[i]) && i + 1 < lines.length && isRule(lines[i + 1])) {
      let j = i + 2;
      while (j < lines.length && isRow(lines[j])) j++;
      flushText();
      blocks.push({ kind: 'table', markdown: lines.slice(i, j).join('\n') });
      i = j - 1;
    } else text.push(lines[i]);
  }
  flushText();
  return blocks;
}
