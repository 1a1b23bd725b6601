// The Radarm event protocol: the one definition of what every mode streams.
// Imported by the extension host, the webview and the CLI. Keep it dependency-free
// (the webview bundles it), except for the SSE decoder which uses eventsource-parser.

export const THINKING_STAGES = [
  'planner',
  'executor',
  'verifier',
  'system',
  'code_generation',
  'execution',
  'explanation',
] as const;

export const CONTENT_STAGES = [
  'planner',
  'executor',
  'verifier',
  'code_generation',
  'execution',
  'explanation',
  'response',
] as const;

export type ThinkingStage = (typeof THINKING_STAGES)[number];
export type ContentStage = (typeof CONTENT_STAGES)[number];
/** Every stage name used anywhere; also the value of the X-Radarm-Stage request header. */
export type Stage = ThinkingStage | ContentStage;

export interface TokenUsage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
}

export interface CompleteData {
  reply: string;
  generated_code: string | null;
  execution_result: string | null;
  /** `data:image/png;base64,…` of the last figure, or null. */
  image: string | null;
  /** A Plotly figure as a JSON string, or null. */
  plotly_json: string | null;
  /** Extension to the seed: token usage summed over the turn, when the provider reported it. */
  usage?: TokenUsage;
  /** Extension: how the kernel read each data file the code ran on, so that exported code reads them the same way. */
  data_files?: DataFileRead[];
}

/** One data file as the kernel loaded it: `df` is the first file's (first sheet's) table, `dfs[key]` each one's. */
export interface DataFileRead {
  /** Absolute path. */
  path: string;
  key: string;
  /** The pandas reader and its arguments, e.g. {func: 'read_csv', kwargs: {encoding: 'gb18030', sep: ';'}}. */
  read: { func: string; kwargs: Record<string, unknown> };
}

export interface ThinkingEvent {
  type: 'thinking';
  stage: ThinkingStage;
  content: string;
}
export interface ContentEvent {
  type: 'content';
  stage: ContentStage;
  content: string;
}
export interface CompleteEvent {
  type: 'complete';
  data: CompleteData;
}
/**
 * Machine-readable cause of an `error` event. The host chooses its actions (Set API Key, Retry,
 * Open Settings) from this code, never by matching the text; `content` stays the user-facing text.
 */
export const ERROR_CODES = [
  'auth',
  'rate_limit',
  'timeout',
  'stall',
  'cancelled',
  'network',
  'not_found',
  'bad_request',
  'context_too_long',
  'response_too_large',
  'bad_response',
  'no_provider',
  'no_key',
  'untrusted',
  'sandbox',
  'kernel',
  'no_python',
  'data',
  'database',
  'dask',
  'no_code',
  'max_rounds',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export const isErrorCode = (c: unknown): c is ErrorCode =>
  typeof c === 'string' && (ERROR_CODES as readonly string[]).includes(c);

export interface ErrorEvent {
  type: 'error';
  content: string;
  /** Extension to the seed: why it failed (absent from older producers; treat as `internal`). */
  code?: ErrorCode;
}

/**
 * Extension to the seed: a transient progress line that is not part of the answer — a retry
 * ("retrying in 2 s, attempt 2 of 4"), code running (elapsed time), a long computation's progress
 * (tasks done of total, a dashboard link). Consumers that do not know it may ignore it.
 */
export interface StatusEvent {
  type: 'status';
  stage: Stage;
  kind: 'retry' | 'running' | 'progress' | 'note';
  /** A short user-facing line, already localised. */
  content: string;
  attempt?: number;
  attempts?: number;
  delayMs?: number;
  /** For `running`: when the run started (ms since the epoch); the UI counts elapsed time itself. */
  startedAt?: number;
  done?: number;
  total?: number;
  /** For `progress`: a dashboard the user may open (http/https only). */
  url?: string;
}
export interface DoneEvent {
  type: 'done';
}

export type RadarmEvent = ThinkingEvent | ContentEvent | CompleteEvent | ErrorEvent | StatusEvent | DoneEvent;
export type RadarmEventType = RadarmEvent['type'];

export const isThinkingStage = (s: unknown): s is ThinkingStage =>
  typeof s === 'string' && (THINKING_STAGES as readonly string[]).includes(s);
export const isContentStage = (s: unknown): s is ContentStage =>
  typeof s === 'string' && (CONTENT_STAGES as readonly string[]).includes(s);

const isStrOrNull = (v: unknown) => v === null || typeof v === 'string';

/** Structural validation of an untrusted value (webview input, decoded SSE, NDJSON lines). */
export function isRadarmEvent(value: unknown): value is RadarmEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  switch (v.type) {
    case 'thinking':
      return isThinkingStage(v.stage) && typeof v.content === 'string';
    case 'content':
      return isContentStage(v.stage) && typeof v.content === 'string';
    case 'complete': {
      const d = v.data as Record<string, unknown> | null;
      return (
        typeof d === 'object' &&
        d !== null &&
        typeof d.reply === 'string' &&
        isStrOrNull(d.generated_code) &&
        isStrOrNull(d.execution_result) &&
        isStrOrNull(d.image) &&
        isStrOrNull(d.plotly_json)
      );
    }
    case 'error':
      return typeof v.content === 'string' && (v.code === undefined || isErrorCode(v.code));
    case 'status':
      return (
        (isThinkingStage(v.stage) || isContentStage(v.stage)) &&
        typeof v.kind === 'string' &&
        ['retry', 'running', 'progress', 'note'].includes(v.kind) &&
        typeof v.content === 'string' &&
        (v.url === undefined || (typeof v.url === 'string' && /^https?:\/\//.test(v.url)))
      );
    case 'done':
      return true;
    default:
      return false;
  }
}

export const emptyCompleteData = (): CompleteData => ({
  reply: '',
  generated_code: null,
  execution_result: null,
  image: null,
  plotly_json: null,
});

/**
 * Enforces the stream contract on any event source: exactly one `done`, right after
 * exactly one `complete` or `error`. Events after the terminal one are dropped; a source
 * that ends (or throws) without a terminal event gets an `error` naming what happened.
 */
export async function* terminated(
  source: AsyncIterable<RadarmEvent>,
  onMissing = 'The stream ended without a result.',
): AsyncGenerator<RadarmEvent> {
  let terminal = false;
  try {
    for await (const ev of source) {
      if (ev.type === 'done') break;
      yield ev;
      if (ev.type === 'complete' || ev.type === 'error') {
        terminal = true;
        break;
      }
    }
  } catch (err) {
    if (!terminal) {
      terminal = true;
      yield { type: 'error', content: `${onMissing} ${errorMessage(err)}`.trim() };
    }
  }
  if (!terminal) yield { type: 'error', content: onMissing };
  yield { type: 'done' };
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
