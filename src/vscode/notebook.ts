// Conversation → Jupyter notebook (nbformat 4): each question as a markdown cell, then the generated
// code as a code cell carrying its outputs (text, the PNG figure, the Plotly figure), then the
// explanation as markdown. Pure: the command writes the returned JSON.
import type { CompleteData, RadarmEvent } from '../protocol/events';
import type { TurnRecord } from '../protocol/messages';

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

/** The `complete` data of a turn, or undefined when it ended in an error or is still running. */
export function completeOf(events: readonly RadarmEvent[]): CompleteData | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'complete') return e.data;
  }
  return undefined;
}

function errorOf(events: readonly RadarmEvent[]): string | undefined {
  for (const e of events) if (e.type === 'error') return e.content;
  return undefined;
}

export function conversationToNotebook(turns: readonly TurnRecord[], opts: { title?: string } = {}): object {
  const cells: Cell[] = [];
  let n = 0;
  const id = () => `radarm-${++n}`;
  const md = (text: string) => cells.push({ cell_type: 'markdown', metadata: {}, source: toSource(text), id: id() });
  if (opts.title) md(`# ${opts.title}`);
  const files = new Set(turns.flatMap((t) => t.dataFiles));
  if (files.size) md(`Data files: ${[...files].map((f) => `\`${f}\``).join(', ')}`);
  for (const turn of turns) {
    md(`**Q:** ${turn.question}`);
    const data = completeOf(turn.events);
    if (!data) {
      const err = errorOf(turn.events);
      if (err) md(`> ${err.replace(/\n/g, '\n> ')}`);
      continue;
    }
    if (data.generated_code) {
      const outputs: Output[] = [];
      if (data.execution_result) outputs.push({ output_type: 'stream', name: 'stdout', text: toSource(data.execution_result) });
      if (data.image) {
        const m = /^data:image\/png;base64,(.*)$/s.exec(data.image);
        if (m) outputs.push({ output_type: 'display_data', data: { 'image/png': m[1], 'text/plain': ['<Figure>'] }, metadata: {} });
      }
      if (data.plotly_json) {
        try {
          const fig = JSON.parse(data.plotly_json);
          outputs.push({ output_type: 'display_data', data: { 'application/vnd.plotly.v1+json': fig, 'text/plain': ['<Plotly figure>'] }, metadata: {} });
        } catch {
          // Not valid JSON: leave the figure out rather than write a notebook Jupyter cannot open.
        }
      }
      cells.push({ cell_type: 'code', metadata: {}, source: toSource(data.generated_code), outputs, execution_count: null, id: id() });
    }
    if (data.reply.trim()) md(data.reply);
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
