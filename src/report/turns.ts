// The turn model of the reports (HTML, Markdown), built on the notebook export's completeOf: a conversation's stored
// TurnRecords reduced to what a reader sees — the question, the code that ran, its output, the charts,
// the explanation, or the error the turn ended with. Pure and dependency-free.
import type { CompleteData, RadarmEvent } from '../protocol/events';
// The notebook export's reading of a turn, shared rather than repeated.
import { completeOf } from '../agent/notebook';
import { withPrelude } from '../agent/prelude';
import type { TurnRecord } from '../protocol/messages';
import { tablesOf, type ReportTable } from './result-tables';

export interface ExportTurn {
  question: string;
  /** Data files the turn ran with (workspace-relative). */
  dataFiles: string[];
  startedAt?: number;
  model?: string;
  /** The generated code with the imports and the data loading in front (as Insert and the notebook give it),
   *  so that it runs on its own from the report's folder. */
  code: string | null;
  output: string | null;
  /** data:image/png;base64,… */
  image: string | null;
  /** The Plotly figure, parsed; null when absent or not valid JSON. */
  plotly: { data?: unknown[]; layout?: Record<string, unknown> } | null;
  /** DataFrame/Series results in their structured form (complete.data.tables), when the turn has them. */
  tables: ReportTable[];
  reply: string;
  /** Set when the turn ended in an error (or never finished). */
  error: string | null;
  /** The complete data itself, for fields added later (tables…). */
  complete?: CompleteData;
}

export { completeOf };

export function errorOf(events: readonly RadarmEvent[]): string | undefined {
  for (const e of events) if (e.type === 'error') return e.content;
  return undefined;
}

/** A Plotly figure from its JSON string, or null (invalid JSON is left out rather than breaking an export). */
export function parsePlotly(json: string | null | undefined): ExportTurn['plotly'] {
  if (!json) return null;
  try {
    const fig = JSON.parse(json) as unknown;
    return fig && typeof fig === 'object' ? (fig as ExportTurn['plotly']) : null;
  } catch {
    return null;
  }
}

export function exportTurn(t: TurnRecord, baseDir?: string): ExportTurn {
  const data = completeOf(t.events);
  const base = { question: t.question, dataFiles: t.dataFiles, startedAt: t.startedAt, model: t.model };
  if (!data) {
    return { ...base, code: null, output: null, image: null, plotly: null, tables: [], reply: '', error: errorOf(t.events) ?? 'This turn did not finish.' };
  }
  return {
    ...base,
    code: data.generated_code ? withPrelude(data.generated_code, data.data_files ?? [], { baseDir }) : null,
    output: data.execution_result || null,
    image: data.image && /^data:image\/png;base64,[A-Za-z0-9+/=\s]+$/.test(data.image) ? data.image : null,
    plotly: parsePlotly(data.plotly_json),
    tables: tablesOf(data),
    reply: data.reply,
    error: null,
    complete: data,
  };
}

/** baseDir: the folder the report is saved in (data paths in the code are written relative to it). */
export const exportTurns = (turns: readonly TurnRecord[], baseDir?: string): ExportTurn[] => turns.map((t) => exportTurn(t, baseDir));

/** Every data file of the conversation, once, in order of first use. */
export const dataFilesOf = (turns: readonly ExportTurn[]): string[] => [...new Set(turns.flatMap((t) => t.dataFiles))];
