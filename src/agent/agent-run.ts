// An agent mode's run of one turn: its state (AgentRun), the wrapper that holds every mode to the event
// contract (one terminal event, cancellation, the consumer stopping early), and the kernel warm-up begun
// at once, concurrently with the first model call. The steps a mode is made of are in run-stages.ts, the
// waits for the data profile in run-data.ts; a mode is then a short loop (single.ts, multi.ts).
import {
  errorMessage,
  terminated,
  type ContentEvent,
  type ErrorCode,
  type RadarmEvent,
  type StatusEvent,
  type ThinkingEvent,
  type TokenUsage,
} from '../protocol/events';
import type { DataProfile, PythonKernel } from '../kernel/types';
import type { AgentContext, ModeRunner } from './types';
import { announcementLanguage, detectLanguage, texts, type Lang } from './announcements';
import { kernelCode } from './error-codes';
import { abortable as raceAbort } from '../util/abort';

/** Rejects with a TurnStop as soon as the signal aborts, so no await outlives a cancel. */
export const abortable = <T>(p: Promise<T>, signal: AbortSignal) => raceAbort(p, signal, () => new TurnStop('aborted', 'cancelled'));

export type LlmStage = 'planner' | 'executor' | 'verifier' | 'code_generation' | 'explanation';
export type StageEvent = ThinkingEvent | ContentEvent | StatusEvent;

export const DEFAULT_MAX_ROUNDS = 3;

class DaskUnavailable extends Error {}

/** Ends the turn with an error event carrying this (user-facing) message and its machine-readable code. */
export class TurnStop extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = 'internal',
  ) {
    super(message);
  }
}

/** An agent mode's working state while it answers one turn. */
export interface AgentRun {
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
export function agentRunner(body: (run: AgentRun) => AsyncGenerator<RadarmEvent>): ModeRunner {
  return (ctx, question, signal) => terminated(guarded(ctx, question, signal, body));
}

async function* guarded(
  ctx: AgentContext,
  question: string,
  outer: AbortSignal | undefined,
  body: (run: AgentRun) => AsyncGenerator<RadarmEvent>,
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
    const run: AgentRun = {
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
    run.profile = warmUp(run, ac);
    try {
      for await (const ev of body(run)) {
        if (ev.type === 'complete' || ev.type === 'error') settled = true;
        yield ev;
      }
    } catch (err) {
      settled = true;
      const stop = stopError(err, run, outer);
      yield { type: 'error', content: stop.message, code: stop.code };
    }
  } finally {
    outer?.removeEventListener('abort', onAbort);
    // The consumer stopped reading before the end: stop the LLM stream and the running code too.
    if (!settled) ac.abort();
  }
}

function stopError(err: unknown, run: AgentRun, outer: AbortSignal | undefined): TurnStop {
  if (outer?.aborted) return new TurnStop(run.t.cancelled, 'cancelled');
  if (run.warmUpError) return run.warmUpError;
  if (err instanceof TurnStop) return err;
  return new TurnStop(`Radarm hit an internal error: ${errorMessage(err)}`, 'internal');
}

/** Starts the kernel and loads the data now, concurrently with the first LLM call. */
function warmUp(run: AgentRun, ac: AbortController): Promise<DataProfile | undefined> {
  const { kernel, ctx, t } = run;
  let phase: 'start' | 'load' = 'start';
  const ready = (async () => {
    await kernel.start();
    phase = 'load';
    const profile = hasData(ctx) ? await kernel.loadData(ctx.dataFiles, { databases: ctx.databases, question: run.question }) : undefined;
    // Dask failures (an unreachable scheduler, Dask missing) end the turn at once: the question needs that engine.
    const dask = profile?.files.find((f) => f.errorCode === 'dask');
    if (dask) throw new DaskUnavailable(`${dask.name}: ${dask.error}`);
    run.loaded = profile;
    return profile;
  })();
  ready.catch((err: unknown) => {
    run.warmUpError =
      err instanceof DaskUnavailable
        ? new TurnStop(t.dataFailed(errorMessage(err)), 'dask')
        : phase === 'start'
          ? new TurnStop(t.kernelFailed(errorMessage(err)), kernelCode(err))
          : new TurnStop(t.dataFailed(errorMessage(err)), 'data');
    ac.abort(); // fail fast: stop the LLM call that runs meanwhile
  });
  return ready;
}

/** Whether the turn has data: files, or database servers. */
export function hasData(ctx: AgentContext): boolean {
  return ctx.dataFiles.length > 0 || (ctx.databases?.length ?? 0) > 0;
}

export function addUsage(run: AgentRun, u: TokenUsage | undefined): void {
  if (!u) return;
  const sum = (a?: number, b?: number) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));
  const prev = run.usage ?? {};
  run.usage = {
    promptTokens: sum(prev.promptTokens, u.promptTokens),
    completionTokens: sum(prev.completionTokens, u.completionTokens),
    totalTokens: sum(prev.totalTokens, u.totalTokens),
  };
  for (const k of Object.keys(run.usage) as (keyof TokenUsage)[]) if (run.usage[k] === undefined) delete run.usage[k];
}
