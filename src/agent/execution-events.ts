// The execution stage as protocol events: `thinking{execution}` when code starts running, a
// `status{running}` with the start time (a UI counts the elapsed seconds from it), then
// `content{execution}` with what it printed, returned, drew or raised.
import type { ContentEvent, StatusEvent, ThinkingEvent } from '../protocol/events';
import { errorMessage } from '../protocol/events';
import type { ExecutionResult, PythonKernel } from '../kernel/types';
import { texts, type Lang } from './announcements';
import { stripModelNotes } from './model-notes';

export async function* executionEvents(
  kernel: PythonKernel,
  code: string,
  opts: { lang: Lang; signal?: AbortSignal; timeoutMs?: number },
): AsyncGenerator<ThinkingEvent | ContentEvent | StatusEvent, ExecutionResult> {
  const announcement = texts(opts.lang).execution;
  yield { type: 'thinking', stage: 'execution', content: announcement };
  yield {
    type: 'status',
    stage: 'execution',
    kind: 'running',
    content: announcement.replace(/^\P{L}+/u, ''),
    startedAt: Date.now(),
  };
  let result: ExecutionResult;
  try {
    result = await kernel.execute(code, { signal: opts.signal, timeoutMs: opts.timeoutMs });
  } catch (err) {
    // The contract says execute reports failures in its result; a rejection is still turned into one.
    const message = errorMessage(err);
    result = {
      ok: false,
      stdout: '',
      stderr: '',
      images: [],
      plotly: [],
      error: { name: 'KernelError', message, traceback: message },
      cancelled: opts.signal?.aborted,
      durationMs: 0,
      text: message,
    };
  }
  yield { type: 'content', stage: 'execution', content: userExecutionText(result) };
  return result;
}

/** The text shown for a run: the kernel's summary, plus a note of the charts it made. */
export function executionText(r: ExecutionResult): string {
  const parts = [r.text.trim() || (r.ok ? '(no output)' : r.error ? `${r.error.name}: ${r.error.message}` : '(failed)')];
  const charts = r.images.length + r.plotly.length;
  if (charts && !/figure|chart|图/i.test(r.text)) parts.push(`📊 ${charts} chart${charts === 1 ? '' : 's'}`);
  return parts.join('\n');
}

/** The text the user sees for a run (panel, exports): the summary without the notes meant for the model. */
export function userExecutionText(r: ExecutionResult): string {
  const text = stripModelNotes(r.text);
  if (text) return text;
  const charts = r.images.length + r.plotly.length;
  return charts ? `(${charts} chart${charts === 1 ? '' : 's'})` : r.ok ? '(no output)' : '(failed)';
}

/** One line naming what went wrong in a failed run, for retry announcements and errors. */
export function executionProblem(r: ExecutionResult): string {
  if (r.timedOut) return `the code ran longer than the time limit${r.error ? ` (${r.error.name})` : ''}`;
  if (r.crashed) return 'the Python process crashed';
  if (r.error) return `${r.error.name}: ${oneLine(r.error.message, 'first')}`;
  return oneLine(r.text, 'last') || 'the code failed';
}

function oneLine(s: string, which: 'first' | 'last'): string {
  const lines = s.trim().split('\n');
  const line = (which === 'first' ? lines[0] : lines[lines.length - 1]) ?? '';
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}
