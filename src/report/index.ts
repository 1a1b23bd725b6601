// Reports of a conversation: HTML (self-contained, offline) or Markdown, chosen by the file's extension.
import type { TurnRecord } from '../protocol/messages';
import { buildHtmlReport } from './html';
import { buildMarkdownReport } from './markdown';
import { exportTurns } from './turns';

export { buildHtmlReport } from './html';
export { buildMarkdownReport } from './markdown';
export { exportTurns, type ExportTurn } from './turns';

export type ReportFormat = 'html' | 'md';

/** The format a file name asks for, or undefined for an extension that is neither. */
export function reportFormatOf(file: string): ReportFormat | undefined {
  const m = /\.(html?|md|markdown)$/i.exec(file);
  if (!m) return undefined;
  return m[1].toLowerCase().startsWith('htm') ? 'html' : 'md';
}

export interface ReportOptions {
  title?: string;
  locale?: string;
  /** The folder the report is saved in: data paths in the runnable code are relative to it. */
  baseDir?: string;
  /** Reads plotly.min.js, called only when a turn has a Plotly chart and the format is HTML. */
  loadPlotly?: () => Promise<string | undefined> | string | undefined;
}

export async function buildReport(format: ReportFormat, turns: readonly TurnRecord[], opts: ReportOptions = {}): Promise<string> {
  const all = exportTurns(turns, opts.baseDir);
  const title = opts.title ?? (turns[0]?.question.split('\n')[0].slice(0, 80) || undefined);
  if (format === 'md') return buildMarkdownReport(all, { title, locale: opts.locale });
  const plotlyJs = all.some((t) => t.plotly) ? await opts.loadPlotly?.() : undefined;
  return buildHtmlReport(all, { title, locale: opts.locale, plotlyJs });
}
