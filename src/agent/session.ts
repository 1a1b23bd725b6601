// A chat session: its history of turns, its data files and its own Python kernel (created on first
// need and kept, so variables and loaded frames survive between questions). `run` streams one turn
// of any mode and records it; `dispose` stops whatever runs and ends the kernel.
import type { DatabaseSource, DataProfile, PythonKernel } from '../kernel/types';
import { terminated, type RadarmEvent } from '../protocol/events';
import { extractPythonCode } from './code-extract';
import { runMode } from './index';
import type { AgentContext, Mode, Turn } from './types';

/** The turn settings a session passes on to every turn's AgentContext, plus its own. */
export interface SessionOptions
  extends Pick<
    AgentContext,
    | 'llm'
    | 'provider'
    | 'apiKey'
    | 'maxRounds'
    | 'stallTimeoutMs'
    | 'timeoutMs'
    | 'execTimeoutMs'
    | 'stream'
    | 'locale'
    | 'confirmRun'
  > {
  dataFiles?: string[];
  databases?: DatabaseSource[];
  /**
   * Creates this session's kernel, on first need. Absent: code execution is not allowed here
   * (untrusted workspace, or disabled) and the agent modes answer with an error that says so.
   */
  createKernel?: () => PythonKernel;
  /** Turns kept in memory (prompts use only the last few, see prompts.ts LIMITS). Default 50. */
  keepTurns?: number;
}

export interface Session {
  /** Mutable settings: a changed provider, key, locale or limit applies from the next turn. */
  readonly options: SessionOptions;
  readonly history: readonly Turn[];
  readonly dataFiles: readonly string[];
  /** The kernel, once created. */
  readonly kernel: PythonKernel | undefined;
  /** Chooses the data files for the next turns (loaded, or kept when unchanged, by the kernel). */
  setDataFiles(files: string[]): void;
  /** Chooses the database servers for the next turns. */
  setDatabases(databases: DatabaseSource[]): void;
  /** Starts the kernel and loads the data now (e.g. as soon as files are chosen), ahead of the first question. */
  prepare(): Promise<DataProfile | undefined>;
  /** Streams one turn; exactly one `done` at the end, after one `complete` or `error`. */
  run(mode: Mode, question: string, signal?: AbortSignal): AsyncGenerator<RadarmEvent>;
  /** Forgets the history (the kernel's variables stay). */
  clearHistory(): void;
  /** Cancels a running turn and ends the kernel. */
  dispose(): Promise<void>;
}

export function createSession(options: SessionOptions): Session {
  const history: Turn[] = [];
  let dataFiles = [...(options.dataFiles ?? [])];
  let databases = [...(options.databases ?? [])];
  let kernel: PythonKernel | undefined;
  let disposed = false;
  /** The running turn: its abort controller and a promise settled when it has fully ended. */
  let current: { abort: AbortController; ended: Promise<void> } | undefined;

  const getKernel = (): PythonKernel | undefined => {
    if (!kernel && options.createKernel && !disposed) kernel = options.createKernel();
    return kernel;
  };

  const contextFor = (mode: Mode): AgentContext => ({
    llm: options.llm,
    provider: options.provider,
    apiKey: options.apiKey,
    // Ask runs no code, but with a kernel its prompt gets the real data profile (and the kernel warms up).
    kernel: mode === 'ask' && !dataFiles.length && !databases.length ? kernel : getKernel(),
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
  });

  async function* runTurn(mode: Mode, question: string, signal?: AbortSignal): AsyncGenerator<RadarmEvent> {
    if (disposed) {
      yield { type: 'error', content: 'This chat session has ended; start a new chat.' };
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

    const recorder = turnRecorder(question);
    try {
      const source = runMode(mode, contextFor(mode), question, abort.signal);
      for await (const ev of source) {
        recorder.see(ev);
        yield ev;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Stopped reading early (a closed panel): cancel the turn's remaining work.
      if (!recorder.ended) abort.abort();
      const turn = recorder.turn(abort.signal.aborted);
      if (turn) {
        history.push(turn);
        const keep = options.keepTurns ?? 50;
        if (history.length > keep) history.splice(0, history.length - keep);
      }
      current = undefined;
      end();
    }
  }

  return {
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
    setDataFiles(files) {
      dataFiles = [...files];
    },
    setDatabases(list) {
      databases = [...list];
    },
    async prepare() {
      const k = getKernel();
      if (!k) return undefined;
      await k.start();
      return dataFiles.length || databases.length ? k.loadData(dataFiles, { databases }) : undefined;
    },
    run(mode, question, signal) {
      return terminated(runTurn(mode, question, signal));
    },
    clearHistory() {
      history.length = 0;
    },
    async dispose() {
      disposed = true;
      current?.abort.abort();
      if (current) await current.ended;
      const k = kernel;
      kernel = undefined;
      await k?.dispose();
    },
  };
}

/**
 * Watches a turn's events and builds its history entry: the reply, the code that ran and its output.
 * A failed turn is kept too (with the error and the last code tried), so "fix it" can follow;
 * a cancelled one is not.
 */
function turnRecorder(question: string) {
  let complete: Extract<RadarmEvent, { type: 'complete' }> | undefined;
  let error: string | undefined;
  let codeText = '';
  let lastCode: string | null = null;
  let lastOutput: string | null = null;
  let codeStage = '';
  const flushCode = () => {
    const code = codeText && extractPythonCode(codeText);
    if (code) lastCode = code;
    codeText = '';
  };
  return {
    get ended() {
      return complete !== undefined || error !== undefined;
    },
    see(ev: RadarmEvent) {
      // The model's text of one code-writing call arrives as consecutive content events of its stage.
      if (ev.type === 'content' && (ev.stage === 'code_generation' || ev.stage === 'executor')) {
        codeStage = ev.stage;
        codeText += ev.content;
        return;
      }
      if (codeText && !(ev.type === 'thinking' && ev.stage === codeStage)) flushCode();
      if (ev.type === 'content' && ev.stage === 'execution') lastOutput = ev.content;
      if (ev.type === 'complete') complete = ev;
      if (ev.type === 'error') error = ev.content;
    },
    turn(cancelled: boolean): Turn | undefined {
      if (complete)
        return {
          question,
          reply: complete.data.reply,
          code: complete.data.generated_code,
          output: complete.data.execution_result,
        };
      if (cancelled || error === undefined) return undefined;
      flushCode();
      return { question, reply: `(This turn failed: ${error})`, code: lastCode, output: lastOutput };
    },
  };
}
