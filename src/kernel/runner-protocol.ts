// The messages of the runner.py channel as the host sees them, and the connection to one running runner
// (connection.ts makes one).
export interface RunnerHello {
  type: 'hello';
  ok: boolean;
  pid?: number;
  executable?: string;
  python?: number[];
  pandas?: string;
  numpy?: string;
  available?: Record<string, boolean>;
  memoryLimitMb?: number | null;
  error?: string;
}

/** A reply to one request; fields depend on the op (see runner.py). */
export interface RunnerReply {
  id: number;
  type: 'result';
  ok: boolean;
  [field: string]: unknown;
}

export interface RunnerOutput {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Progress of a long computation (Dask: tasks done of total), with the dashboard when there is one. */
export interface RunnerProgress {
  done: number;
  total: number;
  url?: string;
}

export interface RunnerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines the process wrote to stderr (e.g. "Fatal Python error: Segmentation fault"). */
  stderrTail: string;
}

/** Rejection of every pending request when the process ends. */
export class RunnerExitedError extends Error {
  constructor(readonly exit: RunnerExit) {
    super(`the Python process ended (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`})`);
    this.name = 'RunnerExitedError';
  }
}

export interface RunnerConnection {
  /** The process started: the interpreter, or the sandbox wrapper around it. */
  readonly pid: number;
  /** The Python process itself, as the host sees it (inside a sandbox, a descendant of `pid`). */
  readonly runnerPid: number;
  readonly hello: RunnerHello;
  readonly alive: boolean;
  /** Resolves once the process has ended (never rejects). */
  readonly exited: Promise<RunnerExit>;
  request(msg: Record<string, unknown>, onOutput?: (o: RunnerOutput) => void, onProgress?: (p: RunnerProgress) => void): Promise<RunnerReply>;
  /** Sends a signal to the runner process only (SIGINT interrupts the user's code). */
  signal(sig: NodeJS.Signals): void;
  /** Interrupts the user's code: SIGINT, or a request on the channel when a sandbox stands between us. */
  interrupt(): void;
  /** Kills the runner and its process group, at once. */
  kill(): void;
  /** Takes the stderr text (native output of the user's code, warnings) received since the last call. */
  takeStderr(): string;
}
