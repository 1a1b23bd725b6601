// The conversation engine: one Session per conversation, whatever the host (the sidebar panel, the
// @radarm participant, the CLI). It owns the history (failed turns included, with what failed), the
// Python kernel's lifecycle (created on first need and started alongside the first model call, never
// awaited before it; replaced after it failed to start; ended with the conversation), the data the
// kernel holds, the one-turn-at-a-time rule, cancellation, the preflight of every turn and the stream
// contract (exactly one `done`, right after one `complete` or `error`). Hosts only adapt: they turn
// their input into a TurnRequest and the events into their UI.
import { runMode } from '../agent';
import type { AgentContext, Mode, HistoryEntry } from '../agent/types';
import type { DatabaseSource, DataProfile, PythonKernel } from '../kernel/types';
import type { LlmClient } from '../llm/types';
import { errorMessage, terminated, type RadarmEvent } from '../protocol/events';
import { historyRecorder } from './conversation-history';
import { CLI_PREFLIGHT_TEXTS, preflight, preflightMessage, type DataFileChoice, type PreflightTexts, type ProviderChoice } from './preflight';
import { gatedKernel } from './session-kernel';
import { loggedKernel } from './session-log';

/**
 * A data source beyond files (a database, a Dask cluster): attached to the kernel's namespace after the
 * data files load and before the conversation's first execution. The extension point for new kinds.
 */
export interface DataSource {
  kind: string;
  /** For logs and messages, never a password. */
  label: string;
  attach(kernel: PythonKernel): Promise<void>;
}

/** The turn settings a session passes on to every turn's AgentContext, plus its own. */
export interface SessionOptions
  extends Pick<AgentContext, 'llm' | 'maxRounds' | 'stallTimeoutMs' | 'timeoutMs' | 'execTimeoutMs' | 'stream' | 'locale' | 'confirmRun'> {
  /** Defaults for requests that name none. */
  provider?: ProviderChoice;
  apiKey?: string;
  dataFiles?: string[];
  /** Database servers chosen as data sources (SQLite files are among dataFiles). */
  databases?: DatabaseSource[];
  /** Where the conversation starts (a restored chat, a CLI session file). */
  history?: HistoryEntry[];
  /**
   * Creates this session's kernel, on first need. Absent: code execution is not allowed here
   * (untrusted workspace, or disabled) and the agent modes answer with an error that says so.
   */
  createKernel?: () => PythonKernel;
  /** Code re-run (in order, after the data loads) before the kernel's first execution: a continued conversation's namespace. */
  replayCode?: string[];
  dataSources?: DataSource[];
  /** The host's words for preflight problems (default: the CLI's). */
  texts?: PreflightTexts;
  /** Diagnostics: kernel start and interpreter, data loads, retries, timings, failures. Never keys. */
  log?: (line: string) => void;
  /** Turns kept in memory (prompts use only the last few, see prompts.ts LIMITS). Default 50. */
  keepTurns?: number;
}

/** One question as a host hands it to the session. */
export interface TurnRequest {
  question: string;
  mode: Mode;
  /** Default: the session's options. */
  provider?: ProviderChoice;
  apiKey?: string;
  /** Workspace Trust; default true. */
  trusted?: boolean;
  /** Default: the session's data files. */
  dataFiles?: readonly DataFileChoice[];
  /** The database connections chosen (by name) and those resolved; default: the session's. */
  databases?: { chosen: readonly string[]; sources: DatabaseSource[] };
  /** This request's model client (the @radarm participant's pick); default the session's. */
  llm?: LlmClient;
}

export interface Session {
  /** Mutable settings: a changed provider, key, locale or limit applies from the next turn. */
  readonly options: SessionOptions;
  readonly history: readonly HistoryEntry[];
  readonly dataFiles: readonly string[];
  /** The kernel, once created. */
  readonly kernel: PythonKernel | undefined;
  readonly busy: boolean;
  /** Chooses the data files for the next turns; warmUp: start Python and load them now, in the background. */
  setDataFiles(files: string[], opts?: { warmUp?: boolean }): void;
  /** Chooses the database servers for the next turns. */
  setDatabases(databases: DatabaseSource[]): void;
  /** Replaces the history (a conversation opened again, or one whose history the host keeps). */
  setHistory(entries: readonly HistoryEntry[]): void;
  /** Starts the kernel and loads the data now, ahead of the first question. */
  prepare(): Promise<DataProfile | undefined>;
  /** Streams one turn; exactly one `done` at the end, after one `complete` or `error`. */
  send(request: TurnRequest, signal?: AbortSignal): AsyncGenerator<RadarmEvent>;
  /** send() with the session's provider, key and data files. */
  run(mode: Mode, question: string, signal?: AbortSignal): AsyncGenerator<RadarmEvent>;
  /** Stops the running turn (the LLM stream and the running code). false when none runs. */
  stop(): boolean;
  /** Resolves when no turn runs. */
  idle(): Promise<void>;
  /** Ends the kernel; the next turn that needs one starts a fresh one (e.g. the interpreter setting changed). */
  resetKernel(): Promise<void>;
  /** Forgets the history (the kernel's variables stay). */
  clearHistory(): void;
  /** Cancels a running turn and ends the kernel. */
  dispose(): Promise<void>;
}

export function createSession(options: SessionOptions): Session {
  const history: HistoryEntry[] = [...(options.history ?? [])];
  let dataFiles = [...(options.dataFiles ?? [])];
  let databases = [...(options.databases ?? [])];
  const hasData = () => dataFiles.length > 0 || databases.length > 0;
  let kernel: PythonKernel | undefined;
  /** The set-up steps of the current kernel (data sources, replayed code), once begun. */
  let setUp: Promise<void> | undefined;
  let startSetUp: (() => Promise<void>) | undefined;
  let disposed = false;
  /** The running turn: its abort controller and a promise settled when it has fully ended. */
  let current: { abort: AbortController; ended: Promise<void> } | undefined;
  const log = options.log ?? (() => {});

  const hasSetUp = () => !!(options.replayCode?.length || options.dataSources?.length);
  const runSetUp = async (k: PythonKernel, files: string[]) => {
    await k.start();
    if (files.length || databases.length) await k.loadData(files, { databases });
    for (const source of options.dataSources ?? []) await source.attach(k);
    const replay = options.replayCode ?? [];
    if (replay.length) log(`Re-running the code of ${replay.length} earlier turn(s) to rebuild the namespace`);
    for (const code of replay) {
      const r = await k.execute(code);
      if (!r.ok) log(`An earlier turn's code failed when re-run: ${r.error?.name ?? ''} ${r.error?.message ?? ''}`.trim());
    }
  };

  const getKernel = (): PythonKernel | undefined => {
    if (!kernel && options.createKernel && !disposed) {
      const raw = loggedKernel(options.createKernel(), log);
      startSetUp = () =>
        hasSetUp()
          ? (setUp ??= runSetUp(raw, dataFiles).catch((err: unknown) => log(`Set-up failed: ${errorMessage(err)}`)))
          : Promise.resolve();
      kernel = gatedKernel(raw, startSetUp);
    }
    return kernel;
  };

  const dropKernel = async () => {
    const k = kernel;
    kernel = undefined;
    setUp = undefined;
    startSetUp = undefined;
    await k?.dispose().catch(() => {});
  };

  async function* turn(request: TurnRequest, signal?: AbortSignal): AsyncGenerator<RadarmEvent> {
    if (disposed) {
      yield { type: 'error', content: 'This chat session has ended; start a new chat.', code: 'internal' };
      return;
    }
    // One turn at a time: a new question waits for the previous turn to wind down (after Stop it is quick).
    while (current) await current.ended;
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    if (signal?.aborted) abort.abort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    let end!: () => void;
    current = { abort, ended: new Promise<void>((r) => (end = r)) };
    const startedAt = Date.now();
    const recorder = historyRecorder(request.question);
    try {
      const checked = preflight({
        mode: request.mode,
        provider: request.provider ?? options.provider,
        apiKey: request.apiKey ?? options.apiKey,
        trusted: request.trusted ?? true,
        dataFiles: request.dataFiles ?? dataFiles.map((f) => ({ name: f, path: f })),
        ...(request.databases ? { databases: { chosen: request.databases.chosen, found: request.databases.sources.length } } : {}),
      });
      if (!checked.ok) {
        const { content, code } = preflightMessage(checked.problem, options.texts ?? CLI_PREFLIGHT_TEXTS);
        log(`Turn not started (${code}): ${content}`);
        yield { type: 'error', content, code };
        return; // not recorded: nothing reached the model
      }
      const { ready } = checked;
      dataFiles = ready.dataFiles;
      if (request.databases) databases = [...request.databases.sources];
      const mayRunCode = request.trusted ?? true;
      // Ask runs no code, but with a kernel its prompt gets the real data profile (and the kernel warms up).
      const k = !mayRunCode ? undefined : request.mode === 'ask' && !hasData() ? kernel : getKernel();
      // The set-up steps (data sources, replayed code) run in the background alongside the model call.
      if (k && request.mode !== 'ask') void startSetUp?.();
      const ctx: AgentContext = {
        llm: request.llm ?? options.llm,
        provider: ready.provider,
        apiKey: ready.apiKey,
        kernel: k,
        dataFiles: [...dataFiles],
        ...(databases.length ? { databases: [...databases] } : {}),
        history: history.slice(),
        maxRounds: options.maxRounds,
        stallTimeoutMs: options.stallTimeoutMs,
        timeoutMs: options.timeoutMs,
        execTimeoutMs: options.execTimeoutMs,
        stream: options.stream,
        locale: options.locale,
        confirmRun: options.confirmRun,
      };
      log(`Turn (${request.mode}, ${ready.provider.model}, ${dataFiles.length} data file(s)) started`);
      let first = true;
      for await (const ev of runMode(request.mode, ctx, request.question, abort.signal)) {
        if (first && ev.type !== 'done') {
          first = false;
          log(`First event after ${Date.now() - startedAt} ms`);
        }
        if (ev.type === 'status' && ev.kind === 'retry') log(ev.content);
        recorder.see(ev);
        yield ev;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Stopped reading early (a closed panel): cancel the turn's remaining work.
      if (!recorder.ended) abort.abort();
      const entry = recorder.entry(abort.signal.aborted);
      if (entry) {
        history.push(entry);
        const keep = options.keepTurns ?? 50;
        if (history.length > keep) history.splice(0, history.length - keep);
        if (entry.error) log(`Turn failed (${entry.errorCode ?? 'internal'}) after ${Date.now() - startedAt} ms: ${entry.error}`);
        else log(`Turn completed in ${Date.now() - startedAt} ms`);
        // A kernel that could not start is not kept: the next turn tries again (the setting may be fixed).
        if (entry.errorCode === 'no_python' || entry.errorCode === 'kernel') await dropKernel();
      } else if (abort.signal.aborted) log(`Turn stopped after ${Date.now() - startedAt} ms`);
      current = undefined;
      end();
    }
  }

  const session: Session = {
    options,
    get history() {
      return history;
    },
    get dataFiles() {
      return dataFiles;
    },
    get kernel() {
      return kernel;
    },
    get busy() {
      return !!current;
    },
    setDataFiles(files, opts) {
      const changed = files.join('\n') !== dataFiles.join('\n');
      dataFiles = [...files];
      if (opts?.warmUp && changed && files.length)
        session.prepare().catch((err: unknown) => log(`Warm-up failed: ${errorMessage(err)}`));
    },
    setDatabases(list) {
      databases = [...list];
    },
    setHistory(entries) {
      history.splice(0, history.length, ...entries);
    },
    async prepare() {
      const k = getKernel();
      if (!k) return undefined;
      await k.start();
      return hasData() ? k.loadData(dataFiles, { databases }) : undefined;
    },
    send(request, signal) {
      return terminated(turn(request, signal));
    },
    run(mode, question, signal) {
      return session.send({ mode, question }, signal);
    },
    stop() {
      if (!current) return false;
      current.abort.abort();
      kernel?.interrupt();
      return true;
    },
    async idle() {
      while (current) await current.ended;
    },
    async resetKernel() {
      await session.idle();
      await dropKernel();
    },
    clearHistory() {
      history.length = 0;
    },
    async dispose() {
      disposed = true;
      current?.abort.abort();
      if (current) await current.ended;
      await dropKernel();
    },
  };
  return session;
}
