// Contracts of the Python execution engine. The implementation lives beside this file.
import type { SandboxInfo, SandboxSettings } from './sandbox';

import type { DataPreview } from '../protocol/preview';
import type { TableData } from '../protocol/tables';

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
  /** Which engine holds the data: pandas, Dask (lazy, out of memory, on a cluster), or auto (default: pandas
   *  while the data fits comfortably in the kernel's memory, else Dask when installed). */
  engine?: DataEngine;
  /** An existing Dask scheduler (tcp://host:8786, …); absent = a local cluster when Dask is used. A scheduler needs
   *  the network: callers set needsNetwork with it (the local cluster uses loopback only). */
  daskScheduler?: string;
  /** Extra environment; the kernel always drops variables whose names or values look like credentials (env.ts). */
  env?: NodeJS.ProcessEnv;
  /** The Python extension's active interpreter (the VS Code layer passes it); used when pythonPath is absent. */
  extensionPythonPath?: string;
  /** The runner script; default: dist/kernel/runner.py next to the bundle, or src/kernel/python/runner.py. */
  runnerPath?: string;
  /** After an interrupt (timeout, Stop), how long to wait before killing and restarting (default 2000 ms). */
  interruptGraceMs?: number;
  /** Import plt/px/go in idle time after start, so that the first chart is fast (default true). */
  warmup?: boolean;
  /** How messages name the interpreter setting: `radarm.pythonPath` (VS Code) or `--python` (CLI); default both. */
  settingName?: string;
  /** Diagnostics (kernel stderr, restarts); never contains secrets. */
  onLog?: (line: string) => void;
  /** OS sandbox for the code (radarm.sandbox, radarm.sandbox.network; CLI --sandbox). Default: auto, no network. */
  sandbox?: SandboxSettings;
  /** Paths besides the workspace that the sandboxed code may read (data files chosen outside the workspace). */
  readablePaths?: string[];
  /** Database sources may be changed by the code (default false: every source is opened read-only). */
  allowDbWrites?: boolean;
  /** Rows sql() pulls into memory unless the code asks for more (default 1 000 000). */
  dbRowLimit?: number;
  /**
   * The kernel must reach the network: a database server is configured (see needsNetwork() in
   * database-sources.ts). A sandbox that cuts the network off must open it (or the server's socket) then.
   */
  needsNetwork?: boolean;
}

/** A database server as a data source. The password travels to Python over the private stdin pipe only. */
export interface DatabaseSource {
  /** Key in `dbs` and in `sql(query, source=name)`. */
  name: string;
  /** postgresql://…, mysql://… (MariaDB too), sqlite:///path, duckdb:///path; may contain the password. */
  url: string;
  /** Used when the URL has none (RADARM_DB_PASSWORD, SecretStorage). */
  password?: string;
}

/** What loadData() takes besides the data files. */
export interface LoadOptions {
  databases?: DatabaseSource[];
  /** The question: a database profile lists the tables most relevant to it first. */
  question?: string;
}

export type DataEngine = 'auto' | 'pandas' | 'dask';
export const DATA_ENGINES: readonly DataEngine[] = ['auto', 'pandas', 'dask'];

/** Progress of a long computation: tasks done of total (Dask's own progress), and its dashboard if any. */
export interface ExecutionProgress {
  done: number;
  total: number;
  url?: string;
}

/** What execute() accepts besides the code. */
export interface ExecuteOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Live output while the code runs (the head of the capped output; the full capped text is in the result). */
  onOutput?: (chunk: { stream: 'stdout' | 'stderr'; text: string }) => void;
  /** Progress of Dask computations while the code runs. */
  onProgress?: (progress: ExecutionProgress) => void;
}

/** The interpreter and libraries of a started kernel. */
export interface KernelInfo {
  pythonPath: string;
  /** How it was chosen: radarm.pythonPath/--python, the Python extension, or PATH. */
  source: 'setting' | 'python-extension' | 'path';
  pythonVersion: string;
  pandasVersion: string;
  /** The Python process's pid as the host sees it (also inside a sandbox). */
  pid: number;
  /** Optional libraries found: matplotlib, plotly, openpyxl, xlrd, pyarrow, fastparquet, … */
  available: Record<string, boolean>;
  /** RLIMIT_AS cap in MB, or null when none applies. */
  memoryLimitMb: number | null;
  /** How the code is isolated (bwrap, sandbox-exec or none) and whether it may reach the network. */
  sandbox?: SandboxInfo;
  /** The CJK-capable font matplotlib uses; null = none installed; undefined = matplotlib not loaded yet. */
  cjkFont?: string | null;
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
  /** Type name of the value (DataFrame, Series, int, …). */
  valueType?: string;
  /** Whether `value` is the final expression's or the `result` variable's. */
  valueSource?: 'expression' | 'result';
  /** Displayed frames and the DataFrame/Series value as bounded tables (radarm_tables.py). */
  tables?: TableData[];
  /** The kernel was restarted for this run (after a crash or a forced stop): earlier variables are gone. */
  restarted?: boolean;
  /** Characters of stdout/stderr cut by the output cap. */
  outputCut?: number;
  /** Things the user should know (no CJK font, too many figures, …). */
  notes?: string[];
}

export interface DataProfile {
  /** Compact text for prompts, about 4 KB per file at most. */
  text: string;
  /** Variable names the code can use: `df`, and `dfs["name"]` for several files. */
  variables: string[];
  files: {
    path: string;
    name: string;
    rows?: number;
    columns?: number;
    error?: string;
    /** The key in `dfs`. */
    key?: string;
    /** true: unchanged since the last load (same mtime and size), not read again. */
    cached?: boolean;
    /** Time the (last) read took. */
    loadMs?: number;
    encoding?: string;
    delimiter?: string;
    /** Excel: every sheet, each in dfs["<key>:<sheet>"]. */
    sheets?: string[];
    /** e.g. malformed lines skipped, or lines with bytes that are not valid in the file's encoding. */
    warning?: string;
    /** Lines with bytes not valid in `encoding`, read with U+FFFD in their place. */
    badLines?: number;
    /** How it was read: the pandas function and its arguments (the file is `path`), to read it again the same way. */
    read?: { func: string; kwargs: Record<string, unknown>; pattern?: string; scheduler?: string };
    /** 'database': a SQLite/DuckDB file or a server (path is then the URL without its password). */
    kind?: 'file' | 'database';
    engine?: 'sqlite' | 'duckdb' | 'postgresql' | 'mysql';
    tables?: number;
    views?: number;
    /** Why it failed, for the turn's error: 'dask' (scheduler unreachable, Dask missing) or 'data'. */
    errorCode?: 'data' | 'dask';
    /** A dataset (folder or glob): how many part files, their total size, whether `rows` is exact. */
    parts?: number;
    totalBytes?: number;
    rowsExact?: boolean;
    /** The engine holding it; for Dask, its partitions, scheduler ('local' or the address) and dashboard. */
    dataEngine?: 'pandas' | 'dask';
    partitions?: number;
    scheduler?: string;
    dashboard?: string;
  }[];
}

/** One persistent Python process per chat session. Every method is safe to call concurrently: requests queue. */
export interface PythonKernel {
  /** Starts the process and checks Python >= 3.8 and pandas; idempotent. Rejects with an actionable message. */
  start(): Promise<void>;
  /** Loads (or keeps, when unchanged by mtime) the data files into the namespace: df / dfs; database sources
   *  (SQLite files among `files`, servers in `opts.databases`) become sql() / db / dbs. */
  loadData(files: string[], opts?: LoadOptions): Promise<DataProfile>;
  /** Runs code; resolves with the result even when the code fails, times out or crashes the process.
   *  Rejects (KernelStartError) only when no usable Python can be started. */
  execute(code: string, opts?: ExecuteOptions): Promise<ExecutionResult>;
  /** Radarm: Preview Data — a file's column profile and first rows, from a sample for big files. */
  preview?(file: string, table?: { database: string; table: string }): Promise<DataPreview>;
  /** Preview Data of a database source set by loadData: its tables and views. */
  previewTables?(database: string): Promise<string[]>;
  /** Interrupts the running execution (SIGINT, then kill and restart). */
  interrupt(): void;
  /** Ends the process; no orphans. */
  dispose(): Promise<void>;
  /** The interpreter in use, once started. */
  readonly pythonPath: string | undefined;
  /** Interpreter and library details, once started. */
  readonly info?: KernelInfo;
}
