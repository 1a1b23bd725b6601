// Conversation → Jupyter notebook (nbformat 4), shared by Export as Notebook (VS Code) and the CLI's
// --save-notebook. Each question is a markdown cell, the generated code a code cell carrying its outputs
// (text, the PNG figure, the Plotly figure), then the explanation as markdown. Before the first code
// cell (and wherever a later turn used other files) a cell imports what the code uses and reads the data
// exactly as the kernel did, so that the notebook runs top to bottom in a fresh Python. Pure.
import type { CompleteData, DataFileRead, RadarmEvent } from '../protocol/events';
import { stripModelNotes } from './model-notes';
import { importsFor, loadStatements, usesData, withHeading } from './prelude';

/** What the builder needs of a turn (the VS Code TurnRecord and the CLI's turns both fit). */
export interface NotebookTurn {
  question: string;
  events: readonly RadarmEvent[];
}

export interface NotebookOptions {
  title?: string;
  /** The folder the notebook is saved in: data paths are written relative to it. */
  notebookDir?: string;
  /** Data files named in a markdown cell at the top (display form). */
  dataFiles?: readonly string[];
}

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

/** The text output worth keeping: no model notes, no "(no output)" placeholders. */
function userOutput(text: string | null): string {
  const t = stripModelNotes(text ?? '');
  return /^\((?:no output|failed|\d+ charts?)\)$/.test(t) ? '' : t;
}

const sameFiles = (a: readonly DataFileRead[] | undefined, b: readonly DataFileRead[]) =>
  !!a && a.length === b.length && a.every((f, i) => f.path === b[i].path && f.key === b[i].key && JSON.stringify(f.read) === JSON.stringify(b[i].read));

export function conversationToNotebook(turns: readonly NotebookTurn[], opts: NotebookOptions = {}): object {
  const cells: Cell[] = [];
  let n = 0;
  const id = () => `radarm-${++n}`;
  const md = (text: string) => cells.push({ cell_type: 'markdown', metadata: {}, source: toSource(text), id: id() });
  const code = (text: string, outputs: Output[] = []) =>
    cells.push({ cell_type: 'code', metadata: {}, source: toSource(text), outputs, execution_count: null, id: id() });
  if (opts.title) md(`# ${opts.title}`);
  if (opts.dataFiles?.length) md(`Data files: ${opts.dataFiles.map((f) => `\`${f}\``).join(', ')}`);

  const completes = turns.map((t) => completeOf(t.events));
  const allCode = completes.map((d) => d?.generated_code ?? '').join('\n');
  let loaded: DataFileRead[] | undefined;
  let imported = false;
  for (let i = 0; i < turns.length; i++) {
    const turn = turns[i];
    md(`**Q:** ${turn.question}`);
    const data = completes[i];
    if (!data) {
      const err = errorOf(turn.events);
      if (err) md(`> ${err.replace(/\n/g, '\n> ')}`);
      continue;
    }
    if (data.generated_code) {
      // The set-up cell: the imports every later cell needs, then the data as this turn's kernel read it.
      const files = data.data_files ?? [];
      const setup: string[] = [];
      if (!imported) {
        // Imports the first code cell makes itself are left to it (it runs right after this cell).
        const own = new Set(data.generated_code.split('\n').map((l) => l.trim()));
        const imports = importsFor(allCode, usesData(allCode) ? completes.flatMap((d) => d?.data_files ?? []) : []).filter((l) => !own.has(l));
        if (imports.length) setup.push(imports.join('\n'));
        imported = true;
      }
      if (files.length && !sameFiles(loaded, files)) {
        setup.push(withHeading(loadStatements(allCode, files, opts.notebookDir)).join('\n'));
        loaded = files;
      }
      if (setup.length) code(setup.join('\n\n'));
      const outputs: Output[] = [];
      const text = userOutput(data.execution_result);
      if (text) outputs.push({ output_type: 'stream', name: 'stdout', text: toSource(text) });
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
      code(data.generated_code, outputs);
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
