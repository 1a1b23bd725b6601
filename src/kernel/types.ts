// Contracts of the Python execution engine. The implementation lives beside this file.

export interface KernelOptions {
  /** Interpreter to use; when absent the kernel resolves one (setting, Python extension, python3, python). */
  pythonPath?: string;
  /** Working directory for executed code: the workspace folder. */
  cwd: string;
  /** Per-execution timeout in ms (default 60 000). */
  execTimeoutMs?: number;
  /** Caps on captured text output, in characters (default ~100 000). */
  maxOutputChars?: number;
  /** Memory cap in MB where the OS allows (RLIMIT_AS); 0 or absent = default. */
  memoryLimitMb?: number;
  /** Extra environment; the kernel always drops variables whose names contain KEY, SECRET, TOKEN or PASSWORD. */
  env?: NodeJS.ProcessEnv;
}

export interface ExecutionResult {
  ok: boolean;
  /** Captured stdout (capped: head and tail kept, with a note of how much was cut). */
  stdout: string;
  stderr: string;
  /** repr of the final expression or of a variable named `result`, if any. */
  value?: string;
  /** Every matplotlib figure the code made, as data:image/png;base64,… */
  images: string[];
  /** Every Plotly figure, as a JSON string. */
  plotly: string[];
  /** Set when ok is false: exception name, message and a traceback trimmed to the user's code. */
  error?: { name: string; message: string; traceback: string };
  timedOut?: boolean;
  /** The process died (segfault, OOM, os._exit); the next execution starts a fresh kernel. */
  crashed?: boolean;
  cancelled?: boolean;
  durationMs: number;
  /** Human-readable summary for the protocol's execution_result: output, value and error together. */
  text: string;
}

export interface DataProfile {
  /** Compact text for prompts, about 4 KB per file at most. */
  text: string;
  /** Variable names the code can use: `df`, and `dfs["name"]` for several files. */
  variables: string[];
  files: { path: string; name: string; rows?: number; columns?: number; error?: string }[];
}

/** One persistent Python process per chat session. Every method is safe to call concurrently: requests queue. */
export interface PythonKernel {
  /** Starts the process and checks Python >= 3.8 and pandas; idempotent. Rejects with an actionable message. */
  start(): Promise<void>;
  /** Loads (or keeps, when unchanged by mtime) the data files into the namespace: df / dfs. */
  loadData(files: string[]): Promise<DataProfile>;
  execute(code: string, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<ExecutionResult>;
  /** Interrupts the running execution (SIGINT, then kill and restart). */
  interrupt(): void;
  /** Ends the process; no orphans. */
  dispose(): Promise<void>;
  /** The interpreter in use, once started. */
  readonly pythonPath: string | undefined;
}
