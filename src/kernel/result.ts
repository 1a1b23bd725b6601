// Turns runner replies (and process deaths) into ExecutionResult, including the human-readable `text` that
// becomes the protocol's execution_result and what the LLM reads back.
import type { RunnerExit, RunnerReply } from './runner-protocol';
import type { ExecutionResult } from './types';
import { isTableList } from '../protocol/tables';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Appends native output (fd-level writes of subprocesses, C libraries) to the captured stderr, capped. */
export function withNativeOutput(stderr: string, native: string, cap: number): string {
  if (!native) return stderr;
  const room = Math.max(0, cap - stderr.length);
  const extra = native.length > room ? native.slice(0, room) + `\n[… ${native.length - room} characters cut …]\n` : native;
  return stderr + extra;
}

/**
 * Head and tail of `text` within about `cap` characters, as the runner's capture does. The runner caps everything
 * it returns; this second cap (with room for the runner's own cut note) holds even if the code tampered with it.
 */
export function capText(text: string, cap: number): string {
  const limit = cap + 200;
  if (text.length <= limit) return text;
  const head = Math.floor(cap / 2);
  const tail = cap - head;
  return `${text.slice(0, head)}\n[… ${(text.length - head - tail).toLocaleString('en-US')} characters cut …]\n${text.slice(-tail)}`;
}

/** Characters of chart data (images and Plotly JSON) one result may carry, as in the runner. */
export const MEDIA_BUDGET = 50 * 1024 * 1024;

function withinBudget(items: string[], room: { left: number }): string[] {
  return items.filter((item) => (item.length <= room.left ? ((room.left -= item.length), true) : false));
}

export function fromReply(reply: RunnerReply, durationMs: number, nativeStderr: string, cap: number): ExecutionResult {
  const error = reply.error as ExecutionResult['error'] | undefined;
  const room = { left: MEDIA_BUDGET };
  const result: ExecutionResult = {
    ok: !!reply.ok,
    stdout: capText(str(reply.stdout), cap),
    stderr: withNativeOutput(capText(str(reply.stderr), cap), nativeStderr, cap),
    images: withinBudget(strings(reply.images), room),
    plotly: withinBudget(strings(reply.plotly), room),
    durationMs,
    text: '',
  };
  if (typeof reply.value === 'string') result.value = capText(reply.value, cap);
  if (typeof reply.valueType === 'string') result.valueType = reply.valueType;
  if (reply.valueSource === 'expression' || reply.valueSource === 'result') result.valueSource = reply.valueSource;
  if (isTableList(reply.tables) && reply.tables.length) result.tables = reply.tables;
  if (error && typeof error === 'object') {
    result.error = { name: capText(str(error.name), 200), message: capText(str(error.message), cap), traceback: capText(str(error.traceback), cap) };
  }
  if (typeof reply.outputCut === 'number' && reply.outputCut > 0) result.outputCut = reply.outputCut;
  const notes = strings(reply.notes).slice(0, 20).map((n) => capText(n, 2000));
  if (notes.length) result.notes = notes;
  return result;
}

/** Why the process died, in words a user can act on. */
export function describeExit(exit: RunnerExit): string {
  let what: string;
  if (exit.signal === 'SIGKILL') what = 'was killed (SIGKILL), most often because the system ran out of memory';
  else if (exit.signal === 'SIGSEGV') what = 'crashed with a segmentation fault in native code';
  else if (exit.signal === 'SIGABRT') what = 'aborted (SIGABRT) in native code';
  else if (exit.signal) what = `was ended by signal ${exit.signal}`;
  else what = `exited with code ${exit.code} (os._exit(), or a native library ended the process)`;
  return `The Python process ${what}. Its variables are lost; the next run starts a fresh kernel with the data reloaded.`;
}

export function crashedResult(exit: RunnerExit, durationMs: number, nativeStderr: string, cap: number): ExecutionResult {
  // What the process wrote to stderr during this run usually names the cause ("Fatal Python error: …").
  const tail = nativeStderr.trim().split('\n').slice(-8).join('\n');
  const message = describeExit(exit) + (tail ? `\nLast output on stderr:\n${tail}` : '');
  return {
    ok: false,
    stdout: '',
    stderr: withNativeOutput('', nativeStderr, cap),
    images: [],
    plotly: [],
    crashed: true,
    error: { name: 'KernelCrashed', message, traceback: '' },
    durationMs,
    text: '',
  };
}

export function stoppedResult(kind: 'timeout' | 'cancelled', timeoutMs: number, durationMs: number, killed: boolean): ExecutionResult {
  return {
    ok: false,
    stdout: '',
    stderr: '',
    images: [],
    plotly: [],
    ...(kind === 'timeout' ? { timedOut: true } : { cancelled: true }),
    error: { name: kind === 'timeout' ? 'TimeoutError' : 'Cancelled', message: stopMessage(kind, timeoutMs, killed), traceback: '' },
    durationMs,
    text: '',
  };
}

function stopMessage(kind: 'timeout' | 'cancelled', timeoutMs: number, killed: boolean): string {
  const how = killed
    ? ' It did not respond to the interrupt, so the kernel was restarted: earlier variables are gone, the data is reloaded on the next run.'
    : '';
  if (kind === 'cancelled') return `Stopped by the user.${how}`;
  return (
    `Stopped: the code ran longer than the ${formatSeconds(timeoutMs)} time limit (setting radarm.executionTimeout; ` +
    `CLI --exec-timeout). Work on a sample or vectorise loops, or raise the limit.${how}`
  );
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function plural(n: number, one: string, many: string) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3: `while True: pass`": the user's line an interrupted run was at, from its traceback. */
function runningLine(traceback: string): string | undefined {
  const lines = traceback.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /File "<cell-\d+>", line (\d+)/.exec(lines[i]);
    if (m) {
      const src = lines[i + 1]?.trim();
      return src && !src.startsWith('File ') ? `${m[1]}: \`${src}\`` : m[1];
    }
  }
  return undefined;
}

/** The text summary: output, value, charts, error, notes. */
export function executionText(r: ExecutionResult): string {
  const parts: string[] = [];
  if (r.stdout.trim()) parts.push(r.stdout.replace(/\s+$/, ''));
  if (r.stderr.trim()) parts.push(`[stderr]\n${r.stderr.replace(/\s+$/, '')}`);
  if (r.value !== undefined) {
    const label = r.valueSource === 'result' ? 'result' : 'Out';
    parts.push(r.value.includes('\n') ? `${label}:\n${r.value}` : `${label}: ${r.value}`);
  }
  const charts: string[] = [];
  if (r.images.length) charts.push(plural(r.images.length, 'matplotlib chart', 'matplotlib charts') + ' (PNG)');
  if (r.plotly.length) charts.push(plural(r.plotly.length, 'Plotly chart', 'Plotly charts'));
  if (charts.length) parts.push(`[${charts.join(' and ')} shown to the user]`);
  if (r.error) {
    if (r.timedOut || r.cancelled || r.crashed) {
      const where = runningLine(r.error.traceback);
      parts.push(r.error.message + (where ? `\n(It was running line ${where}.)` : ''));
    } else if (r.error.traceback) parts.push(r.error.traceback);
    else parts.push(`${r.error.name}: ${r.error.message}`);
  }
  if (r.restarted && !r.crashed) {
    parts.push('(The Python kernel was restarted before this run: variables from earlier runs are gone; the data files were reloaded.)');
  }
  for (const n of r.notes ?? []) parts.push(`Note: ${n}`);
  return parts.length ? parts.join('\n') : '(no output)';
}
