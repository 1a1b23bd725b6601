// The machinery both agent modes share for one turn: the kernel warm-up started at once, the LLM stage
// calls, code extraction with one reminder, execution, the explanation, cancellation and the final
// events. A mode is then a short loop over these steps (see single.ts and multi.ts).
import {
  errorMessage,
  terminated,
  type CompleteEvent,
  type ContentEvent,
  type ErrorCode,
  type RadarmEvent,
  type StatusEvent,
  type ThinkingEvent,
  type TokenUsage,
} from '../protocol/events';
import type { ChatMessage, ChatRequest } from '../llm/types';
import type { DataProfile, ExecutionResult, PythonKernel } from '../kernel/types';
import { isDatabaseFile } from '../kernel/database-sources';
import type { AgentContext, ModeRunner } from './types';
import { announcementLanguage, detectLanguage, texts, type Lang } from './announcements';
import { previewFile } from './ask';
import { kernelCode, llmCode } from './error-codes';
import { allFailed, checkDataFiles, noDataMessage } from './data-check';
import { extractPythonCode } from './code-extract';
import { executionEvents, executionText, userExecutionText } from './execution-events';
import { dataFilesOf } from './prelude';
import { explanationMessages, noCodeReminder, type Attempt, type PromptInput } from './prompts';
import { abortable as raceAbort, delay } from '../util/abort';

/** Rejects with a TurnStop as soon as the signal aborts, so no await outlives a cancel. */
const abortable = <T>(p: Promise<T>, signal: AbortSignal) => raceAbort(p, signal, () => new TurnStop('aborted', 'cancelled'));

export type LlmStage = 'planner' | 'executor' | 'verifier' | 'code_generation' | 'explanation';
export type StageEvent = ThinkingEvent | ContentEvent | StatusEvent;

export const DEFAULT_MAX_ROUNDS = 3;
/** Above this many ms of data loading, a "loading data" announcement is shown. */
const LOADING_NOTICE_MS = 300;
/** How long the first model call waits for the kernel's data profile before going on with a preview. */
export const PROFILE_WAIT_MS = 1500;

/** Ends the turn with an error event carrying this (user-facing) message and its machine-readable code. */
export class TurnStop extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = 'internal',
  ) {
    super(message);
  }
}

export interface TurnState {
  ctx: AgentContext;
  kernel: PythonKernel;
  question: string;
  /** The question's language: prompts ask for answers in it. */
  lang: Lang;
  /** The announcement language (UI locale, else the question's language) and its texts. */
  ui: Lang;
  t: ReturnType<typeof texts>;
  maxRounds: number;
  /** Aborted on cancel, on a kernel failure, and when the consumer stops reading early. */
  signal: AbortSignal;
  /** start() + loadData(), begun before the first LLM call. */
  profile: Promise<DataProfile | undefined>;
  /** The profile once loaded (for the complete event's data_files). */
  loaded?: DataProfile;
  /** The kernel had started before this turn (so its data profile is usually ready at once). */
  kernelWasWarm: boolean;
  /** Set when the warm-up failed; the turn then ends with this error. */
  warmUpError?: TurnStop;
  loadingAnnounced?: boolean;
  fileErrorsAnnounced?: boolean;
  usage?: TokenUsage;
}

/** Wraps a mode body into a ModeRunner that honours the whole event contract. */
export function agentRunner(body: (turn: TurnState) => AsyncGenerator<RadarmEvent>): ModeRunner {
  return (ctx, question, signal) => terminated(guarded(ctx, question, signal, body));
}

async function* guarded(
  ctx: AgentContext,
  question: string,
  outer: AbortSignal | undefined,
  body: (turn: TurnState) => AsyncGenerator<RadarmEvent>,
): AsyncGenerator<RadarmEvent> {
  const ui = announcementLanguage(ctx.locale, question);
  const t = texts(ui);
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  if (outer?.aborted) ac.abort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  let settled = false;
  try {
    if (outer?.aborted) {
      settled = true;
      yield { type: 'error', content: t.cancelled, code: 'cancelled' };
      return;
    }
    if (!ctx.kernel) {
      settled = true;
      yield { type: 'error', content: t.noKernel, code: 'untrusted' };
      return;
    }
    const turn: TurnState = {
      ctx,
      kernel: ctx.kernel,
      question,
      lang: detectLanguage(question),
      ui,
      t,
      maxRounds: Math.max(1, Math.min(10, Math.floor(ctx.maxRounds ?? DEFAULT_MAX_ROUNDS))),
      signal: ac.signal,
      profile: Promise.resolve(undefined),
      kernelWasWarm: !!ctx.kernel.info,
    };
    turn.profile = warmUp(turn, ac);
    try {
      for await (const ev of body(turn)) {
        if (ev.type === 'complete' || ev.type === 'error') settled = true;
        yield ev;
      }
    } catch (err) {
      settled = true;
      const stop = stopError(err, turn, outer);
      yield { type: 'error', content: stop.message, code: stop.code };
    }
  } finally {
    outer?.removeEventListener('abort', onAbort);
    // The consumer stopped reading before the end: stop the LLM stream and the running code too.
    if (!settled) ac.abort();
  }
}

function stopError(err: unknown, turn: TurnState, outer: AbortSignal | undefined): TurnStop {
  if (outer?.aborted) return new TurnStop(turn.t.cancelled, 'cancelled');
  if (turn.warmUpError) return turn.warmUpError;
  if (err instanceof TurnStop) return err;
  return new TurnStop(`Radarm hit an internal error: ${errorMessage(err)}`, 'internal');
}

/** Starts the kernel and loads the data now, concurrently with the first LLM call. */
function warmUp(turn: TurnState, ac: AbortController): Promise<DataProfile | undefined> {
  const { kernel, ctx, t } = turn;
  let phase: 'start' | 'load' = 'start';
  const ready = (async () => {
    await kernel.start();
    phase = 'load';
    const profile = hasData(ctx) ? await kernel.loadData(ctx.dataFiles, { databases: ctx.databases, question: turn.question }) : undefined;
    turn.loaded = profile;
    return profile;
  })();
  ready.catch((err: unknown) => {
    turn.warmUpError =
      phase === 'start'
        ? new TurnStop(t.kernelFailed(errorMessage(err)), kernelCode(err))
        : new TurnStop(t.dataFailed(errorMessage(err)), 'data');
    ac.abort(); // fail fast: stop the LLM call that runs meanwhile
  });
  return ready;
}

/**
 * The profile for the turn's first model call: the kernel's, when it is ready within
 * PROFILE_WAIT_MS (the usual case: a warm kernel, or a cold one with a small file); otherwise the
 * first lines of each file, read directly, so that writing the plan or the code does not wait for a
 * big file to load. Execution waits for the loading; later calls get the full profile.
 */
export async function* firstCallProfile(turn: TurnState): AsyncGenerator<StageEvent, DataProfile | undefined> {
  const files = turn.ctx.dataFiles;
  if (!hasData(turn.ctx)) return undefined; // nothing to describe; the kernel keeps starting meanwhile
  // A database has no text preview: its profile (the schema) is what the model needs.
  if (turn.ctx.databases?.length || files.some(isDatabaseFile)) return yield* awaitProfile(turn);
  // Files that cannot load (missing, empty, binary under a data extension) are known in milliseconds: when
  // no file is usable, the turn ends here, before any model call.
  const problems = await checkDataFiles(files);
  if (problems.length === files.length) throw new TurnStop(noDataMessage(problems, turn.ui), 'data');
  // A cold kernel (Python still starting) never holds up the first call: its profile would take
  // seconds. A warm one usually has the data loaded (or cached) within the wait.
  const wait = turn.kernelWasWarm ? PROFILE_WAIT_MS : 0;
  const ready = await Promise.race([
    turn.profile.then((p) => ({ p }), () => ({ p: undefined })),
    delay(wait).then(() => null),
  ]);
  if (ready || turn.signal.aborted) return yield* awaitProfile(turn);
  yield { type: 'thinking', stage: 'system', content: turn.t.loadingData(files.length) };
  turn.loadingAnnounced = true;
  const previews = await Promise.all(files.slice(0, 8).map((f) => previewFile(f)));
  return {
    text: `${previews.join('\n\n')}\n\n(The full profile is still loading: these are the first lines of each file as text.)`,
    variables: [],
    files: problems, // the files known not to load, so that the model is told

  };
}

/** Waits for the warm-up's profile (announcing a slow load once, and files that failed to load). */
export async function* awaitProfile(turn: TurnState): AsyncGenerator<StageEvent, DataProfile | undefined> {
  if (!turn.loadingAnnounced) {
    const slow = await Promise.race([
      turn.profile.then(() => false, () => false),
      delay(LOADING_NOTICE_MS).then(() => true),
    ]);
    if (slow && hasData(turn.ctx)) {
      yield { type: 'thinking', stage: 'system', content: turn.t.loadingData(turn.ctx.dataFiles.length) };
      turn.loadingAnnounced = true;
    }
  }
  const profile = await abortable(turn.profile, turn.signal);
  // A chosen database that cannot be opened stops the turn: its message says what to fix.
  const dbFailed = profile?.files.find((f) => f.kind === 'database' && f.error);
  if (dbFailed) throw new TurnStop(dbFailed.error!, 'database');
  stopWhenNoData(turn, profile);
  if (!turn.fileErrorsAnnounced) {
    turn.fileErrorsAnnounced = true;
    for (const f of profile?.files ?? []) {
      if (f.kind === 'database') continue;
      if (f.error) yield { type: 'thinking', stage: 'system', content: turn.t.fileFailed(f.name, f.error) };
      else if (f.warning) yield { type: 'thinking', stage: 'system', content: turn.t.fileWarning(f.name, f.warning) };
    }
  }
  return profile;
}

/** Every chosen source failed in the kernel: nothing can run, so the turn ends with each file's error. */
function stopWhenNoData(turn: TurnState, profile: DataProfile | undefined): void {
  const failed = allFailed(profile);
  if (failed) throw new TurnStop(noDataMessage(failed, turn.ui), 'data');
}

/** Whether the turn has data: files, or database servers. */
export function hasData(ctx: AgentContext): boolean {
  return ctx.dataFiles.length > 0 || (ctx.databases?.length ?? 0) > 0;
}

export function promptInput(turn: TurnState, profile: DataProfile | undefined): PromptInput {
  return {
    question: turn.question,
    lang: turn.lang,
    profile,
    dataFiles: turn.ctx.dataFiles,
    databases: turn.ctx.databases,
    history: turn.ctx.history,
  };
}

/** One LLM call: its thinking/content events stream through; returns the full text. */
export async function* llmStage(
  turn: TurnState,
  stage: LlmStage,
  messages: ChatMessage[],
): AsyncGenerator<StageEvent, string> {
  const { ctx } = turn;
  const request: ChatRequest = {
    provider: ctx.provider,
    apiKey: ctx.apiKey,
    messages,
    stage,
    timeoutMs: ctx.timeoutMs,
    stallTimeoutMs: ctx.stallTimeoutMs,
    locale: ctx.locale,
  };
  if (ctx.stream === false) {
    const r = await ctx.llm.chat(request, turn.signal);
    addUsage(turn, r.usage);
    if (turn.signal.aborted) throw new TurnStop(turn.t.cancelled, 'cancelled');
    if (!r.ok) throw new TurnStop(turn.t.llmFailed(stage, r.error ?? 'unknown error'), llmCode((r as { code?: unknown }).code));
    if (r.reasoning) yield { type: 'thinking', stage, content: r.reasoning };
    yield { type: 'content', stage, content: r.text };
    return r.text;
  }
  let streamed = '';
  for await (const ev of ctx.llm.streamChat(request, turn.signal)) {
    if (ev.type === 'end') {
      addUsage(turn, ev.usage);
      return ev.text || streamed;
    }
    if (ev.type === 'error') throw new TurnStop(turn.t.llmFailed(stage, ev.content), llmCode(ev.code));
    if (ev.type === 'content') streamed += ev.content;
    yield { ...ev, stage };
  }
  throw new TurnStop(turn.t.llmFailed(stage, 'the stream ended without a result'), 'bad_response');
}

/** An LLM call that must produce code: one reminder when the answer has no python block, then an error. */
export async function* codeStage(
  turn: TurnState,
  stage: 'code_generation' | 'executor',
  messages: ChatMessage[],
): AsyncGenerator<StageEvent, string> {
  const text = yield* llmStage(turn, stage, messages);
  const code = extractPythonCode(text);
  if (code) return code;
  yield { type: 'thinking', stage: 'system', content: turn.t.noCodeReminder };
  const retry = yield* llmStage(turn, stage, noCodeReminder(messages, text));
  const second = extractPythonCode(retry);
  if (second) return second;
  throw new TurnStop(turn.t.noCode(stage), 'no_code');
}

/** Runs code (after confirmRun, when set). Returns null when the user declined. */
export async function* executeStage(turn: TurnState, code: string): AsyncGenerator<StageEvent, ExecutionResult | null> {
  if (turn.ctx.confirmRun) {
    const ok = await abortable(turn.ctx.confirmRun(code), turn.signal);
    if (!ok) return null;
  }
  stopWhenNoData(turn, await abortable(turn.profile, turn.signal));
  const result = yield* executionEvents(turn.kernel, code, {
    lang: turn.ui,
    signal: turn.signal,
    timeoutMs: turn.ctx.execTimeoutMs,
  });
  if (turn.signal.aborted) throw new TurnStop(turn.t.cancelled, 'cancelled');
  return result;
}

export function toAttempt(code: string, r: ExecutionResult): Attempt {
  return { code, output: executionText(r), ok: r.ok, hasImage: r.images.length > 0, hasPlotly: r.plotly.length > 0 };
}

/** The final reply about the actual output. If the model call fails, the turn still completes with the results. */
export async function* explainStage(turn: TurnState, input: PromptInput, attempt: Attempt): AsyncGenerator<StageEvent, string> {
  yield { type: 'thinking', stage: 'explanation', content: turn.t.explanation };
  try {
    return yield* llmStage(turn, 'explanation', explanationMessages(input, attempt));
  } catch (err) {
    if (turn.signal.aborted || !(err instanceof TurnStop)) throw err;
    const note = turn.t.explanationFailed(err.message);
    yield { type: 'content', stage: 'explanation', content: note };
    return note;
  }
}

export function completeEvent(turn: TurnState, reply: string, code: string, r: ExecutionResult | null): CompleteEvent {
  return {
    type: 'complete',
    data: {
      reply,
      generated_code: code,
      execution_result: r ? userExecutionText(r) : null,
      image: r?.images.length ? r.images[r.images.length - 1] : null,
      plotly_json: r?.plotly.length ? r.plotly[r.plotly.length - 1] : null,
      ...(turn.usage ? { usage: turn.usage } : {}),
      ...dataFilesOf(turn.loaded),
    },
  };
}

/** The user declined to run the code: the turn completes with the code and a reply saying it did not run. */
export function* declined(turn: TurnState, code: string): Generator<RadarmEvent> {
  yield { type: 'content', stage: 'explanation', content: turn.t.declinedReply };
  yield completeEvent(turn, turn.t.declinedReply, code, null);
}

/** Out of rounds: a last summary of the final attempt, then the error naming the last problem. */
export function* giveUp(turn: TurnState, last: Attempt | undefined, problem: string): Generator<RadarmEvent> {
  if (last) {
    const { t } = turn;
    yield {
      type: 'content',
      stage: 'explanation',
      content: `**${t.lastAttempt}**\n\n\`\`\`python\n${last.code}\n\`\`\`\n\n**${t.lastOutput}**\n\n\`\`\`text\n${last.output}\n\`\`\`\n`,
    };
  }
  yield { type: 'error', content: turn.t.maxRounds(turn.maxRounds, problem), code: 'max_rounds' };
}

function addUsage(turn: TurnState, u: TokenUsage | undefined): void {
  if (!u) return;
  const sum = (a?: number, b?: number) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));
  const prev = turn.usage ?? {};
  turn.usage = {
    promptTokens: sum(prev.promptTokens, u.promptTokens),
    completionTokens: sum(prev.completionTokens, u.completionTokens),
    totalTokens: sum(prev.totalTokens, u.totalTokens),
  };
  for (const k of Object.keys(turn.usage) as (keyof TokenUsage)[]) if (turn.usage[k] === undefined) delete turn.usage[k];
}
