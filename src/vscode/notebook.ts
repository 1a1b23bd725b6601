// Conversation → Jupyter notebook (nbformat 4): each question as a markdown cell, then the generated
// code as a code cell carrying its outputs (text, the PNG figure, the Plotly figure), then the
// explanation as markdown. Pure: the command writes the returned JSON.
import type { TurnRecord } from '../protocol/messages';
import { dataFilesOf, exportTurns } from '../report/turns';

// Re-exported: the chat controller reads a turn's complete data from here.
export { completeOf } from '../report/turns';

type Output =
  | { output_type: 'stream'; name: 'stdout'; text: string[] }
  | { output_type: 'display_data'; data: Record<string, unknown>; metadata: Record<string, unknown> };

interface Cell {
  cell_type: 'markdown' | 'code';
  metadata: Record<string, unknown>;
  source: string[];
  outputs?: Output[];
  execution_count?: number | null;
  id: string;
}

/** Splits text into notebook source lines (each keeps its newline, the last has none). */
export function toSource(text: string): string[] {
  const lines = text.split('\n');
  return lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)).filter((l, i, a) => !(i === a.length - 1 && l === ''));
}

export function conversationToNotebook(turns: readonly TurnRecord[], opts: { title?: string } = {}): object {
  const cells: Cell[] = [];
  let n = 0;
  const id = () => `radarm-${++n}`;
  const md = (text: string) => cells.push({ cell_type: 'markdown', metadata: {}, source: toSource(text), id: id() });
  if (opts.title) md(`# ${opts.title}`);
  const all = exportTurns(turns);
  const files = dataFilesOf(all);
  if (files.length) md(`Data files: ${files.map((f) => `\`${f}\``).join(', ')}`);
  for (const turn of all) {
    md(`**Q:** ${turn.question}`);
    if (turn.error !== null) {
      md(`> ${turn.error.replace(/\n/g, '\n> ')}`);
      continue;
    }
    if (turn.code) {
      const outputs: Output[] = [];
      if (turn.output) outputs.push({ output_type: 'stream', name: 'stdout', text: toSource(turn.output) });
      if (turn.image) {
        const m = /^data:image\/png;base64,(.*)$/s.exec(turn.image);
        if (m) outputs.push({ output_type: 'display_data', data: { 'image/png': m[1], 'text/plain': ['<Figure>'] }, metadata: {} });
      }
      // An invalid figure is left out rather than writing a notebook Jupyter cannot open.
      if (turn.plotly) {
        outputs.push({ output_type: 'display_data', data: { 'application/vnd.plotly.v1+json': turn.plotly, 'text/plain': ['<Plotly figure>'] }, metadata: {} });
      }
      cells.push({ cell_type: 'code', metadata: {}, source: toSource(turn.code), outputs, execution_count: null, id: id() });
    }
    if (turn.reply.trim()) md(turn.reply);
  }
  return {
    cells,
    metadata: {
      kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
      language_info: { name: 'python' },
      radarm: { exportedAt: new Date().toISOString() },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}
