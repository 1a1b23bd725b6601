// createKernel: one persistent Python process per chat session. Requests run one at a time; a crashed or
// force-stopped process is replaced on the next request, with the last data files loaded again.
import { isDataPreview, type DataPreview, type PreviewErrorCode } from '../protocol/preview';
import { PreviewFailure } from './preview-quick';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitAtMost } from './connection';
import { RunnerExitedError, type RunnerConnection, type RunnerReply } from './runner-protocol';
import { kernelEnv } from './env';
import { crashedResult, describeExit, executionText, fromReply, stoppedResult } from './result';
import { defaultMemoryLimitMb, kernelInfoOf, startKernelProcess } from './kernel-start';
import { loadRequest, loadStoppedProfile } from './load-request';
import { KernelStartError, resolvePython, type ResolvedPython } from './resolve-python';
import { findRunner } from './runner-path';
import { planSandbox, type SandboxPlan } from './sandbox';
import { databaseSecrets, isDatabaseFile, maskResult, maskSecrets, needsNetwork } from './database-sources';
import type { DataProfile, ExecuteOptions, ExecutionResult, KernelInfo, KernelOptions, LoadOptions, PythonKernel } from './types';

export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_OUTPUT_CHARS = 100_000;
export const DEFAULT_INTERRUPT_GRACE_MS = 2_000;

const NO_CJK_FONT_NOTE =
  'No font with Chinese characters is installed, so Chinese text in charts may show as empty boxes. Install one ' +
  '(Debian/Ubuntu: `sudo apt install fonts-noto-cjk`; Windows/macOS: Microsoft YaHei, SimHei or PingFang are ' +
  'usually present), then restart the session. / 未安装中文字体，图表中的中文可能显示为方框。请安装 fonts-noto-cjk 等中文字体后重启会话。';

export function createKernel(options: KernelOptions): PythonKernel {
  const cwd = path.resolve(options.cwd);
  const maxOutputChars = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
  const configuredMb = options.memoryLimitMb ?? 0;
  const memoryLimitMb = configuredMb > 0 ? configuredMb : configuredMb < 0 ? 0 : defaultMemoryLimitMb();
  const graceMs = options.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS;
  const log = (line: string) => options.onLog?.(line);
  const databaseOptions = { allowWrites: !!options.allowDbWrites, timeoutMs: options.execTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS, rowLimit: options.dbRowLimit };

  let resolved: ResolvedPython | undefined;
  let conn: RunnerConnection | undefined;
  let connecting: Promise<RunnerConnection> | undefined;
  let info: KernelInfo | undefined;
  let disposed = false;
  /** The last files asked for, and the process that has them loaded. */
  let lastFiles: string[] | undefined;
  let lastLoad: LoadOptions | undefined;
  let loadedIn: RunnerConnection | undefined;
  /** A process died (crash, forced stop) since the last execution: the next result says it was restarted. */
  let restartPending = false;
  let cjkNoted = false;
  let sandbox: SandboxPlan | undefined;
  let sandboxNoticeShown = false;
  /**
   * A configured database server or Dask scheduler needs the network (needsNetwork, a scheduler address, or
   * servers given to loadData); the local Dask cluster uses loopback inside the sandbox and needs none.
   */
  let networkWanted = !!options.sandbox?.network || !!options.needsNetwork || !!options.daskScheduler;
  const writable = new Set<string>();
  /** Paths outside the workspace that the sandbox must show (data files chosen from elsewhere). */
  const readable = new Set((options.readablePaths ?? []).map((p) => path.resolve(cwd, p)));
  let current: { stop(reason: 'timeout' | 'cancelled'): void } | undefined;
  let pendingLoad: { key: string; promise: Promise<DataProfile> } | undefined;

  let queue: Promise<unknown> = Promise.resolve();
  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  async function launch(): Promise<RunnerConnection> {
    if (!resolved) {
      resolved = await resolvePython({
        pythonPath: options.pythonPath,
        extensionPythonPath: options.extensionPythonPath,
        env: options.env ? { ...process.env, ...options.env } : process.env,
        settingName: options.settingName,
      });
      log(`kernel: using ${resolved.path} (Python ${resolved.version}, from ${resolved.source})`);
    }
    const python = resolved;
    const runnerPath = findRunner(options.runnerPath);
    const env = kernelEnv(process.env, options.env);
    // Rejects with KernelStartError code 'sandbox' when radarm.sandbox is "required" and none is available.
    const explicitEnv = options.env ? kernelEnv({}, options.env) : undefined;
    sandbox ??= await planSandbox({ ...options.sandbox, network: networkWanted, pythonPath: python.path, runnerPath, cwd, env, explicitEnv, readable: [...readable], writable: [...writable] });
    if (sandbox.info.notice) log(`kernel: ${sandbox.info.notice}`);
    else log(`kernel: sandbox ${sandbox.info.kind}${sandbox.info.kind === 'none' ? '' : `, network ${sandbox.info.network ? 'allowed' : 'blocked'}`}`);
    const plan = sandbox;
    let c: RunnerConnection;
    try {
      c = await startKernelProcess(options, { python, runnerPath, sandbox: plan, cwd, maxOutputChars, memoryLimitMb }, log);
    } catch (e) {
      if (python.source !== 'setting') resolved = undefined; // look again next time (the user may fix things)
      throw e;
    }
    if (disposed) {
      c.kill();
      throw new KernelStartError('The Python kernel was disposed.', 'start-failed');
    }
    conn = c;
    info = kernelInfoOf(python, c, plan, info);
    void c.exited.then((exit) => {
      if (disposed) return;
      restartPending = true;
      log(`kernel: process ${c.pid} ended: ${describeExit(exit).split('\n')[0]}`);
    });
    return c;
  }

  function connect(): Promise<RunnerConnection> {
    if (disposed) return Promise.reject(new KernelStartError('The Python kernel was disposed.', 'start-failed'));
    if (conn?.alive) return Promise.resolve(conn);
    connecting ??= launch().finally(() => (connecting = undefined));
    return connecting;
  }

  /** After a restart, the new process gets the data again before it runs anything. */
  async function restoreData(c: RunnerConnection): Promise<string | undefined> {
    if (!lastFiles || loadedIn === c) return undefined;
    try {
      const reply = await c.request(loadRequest(lastFiles, lastLoad, databaseOptions));
      loadedIn = c;
      const profile = reply.profile as DataProfile | undefined;
      const failed = profile?.files.filter((f) => f.error) ?? [];
      return failed.length ? `some data files could not be reloaded: ${failed.map((f) => `${f.name}: ${f.error}`).join('; ')}` : undefined;
    } catch (e) {
      if (e instanceof RunnerExitedError) {
        lastFiles = undefined; // loading itself kills the process: do not loop
        return `reloading the data stopped the Python process again: ${describeExit(e.exit).split('\n')[0]}`;
      }
      throw e;
    }
  }

  /**
   * A sandbox shows only the folders it was started with. A data file chosen later from a hidden folder (another
   * project under HOME, /tmp) needs a new sandbox that binds it: the kernel restarts, and the next result says so.
   */
  async function adaptSandbox(files: string[], opts: LoadOptions | undefined) {
    const fresh = files.filter((f) => !readable.has(f) && !f.startsWith(cwd + path.sep));
    for (const f of fresh) readable.add(f);
    // Database files the code may write to (allowDbWrites): their folders become writable.
    const freshDirs = options.allowDbWrites ? [...new Set(files.filter(isDatabaseFile).map((f) => path.dirname(f)))].filter((d) => !writable.has(d)) : [];
    for (const d of freshDirs) writable.add(d);
    // Likewise a database server given now, to a sandbox started without the network.
    const openNetwork = !networkWanted && needsNetwork(opts?.databases);
    if (openNetwork) networkWanted = true;
    const rebind = (fresh.length > 0 || freshDirs.length > 0) && sandbox?.info.kind === 'bwrap';
    const reopen = openNetwork && !!sandbox && sandbox.info.kind !== 'none';
    if (!rebind && !reopen) return;
    sandbox = undefined;
    const c = conn;
    if (c?.alive) {
      log(`kernel: restarting the sandbox so that it can ${reopen ? 'reach the database server' : `read ${fresh.join(', ')}`}`);
      c.kill();
      await waitAtMost(c.exited, 3000);
    }
  }

  function loadData(files: string[], opts?: LoadOptions): Promise<DataProfile> {
    const absolute = files.map((f) => path.resolve(cwd, f));
    const key = JSON.stringify([absolute, opts?.databases ?? [], opts?.question ?? '']);
    if (pendingLoad?.key === key) return pendingLoad.promise;
    const promise = enqueue(async (): Promise<DataProfile> => {
      await adaptSandbox(absolute, opts);
      const c = await connect();
      try {
        const reply = await c.request(loadRequest(absolute, opts, databaseOptions));
        lastFiles = absolute;
        lastLoad = opts;
        loadedIn = c;
        return reply.profile as DataProfile;
      } catch (e) {
        if (!(e instanceof RunnerExitedError)) throw e;
        lastFiles = undefined;
        return loadStoppedProfile(absolute, describeExit(e.exit).split('\n')[0]);
      }
    });
    pendingLoad = { key, promise };
    void promise.finally(() => {
      if (pendingLoad?.promise === promise) pendingLoad = undefined;
    }).catch(() => undefined);
    return promise;
  }

  function finish(r: ExecutionResult): ExecutionResult {
    // Code holding a connection can print its password (db.url.password): it never leaves the kernel layer.
    const secrets = databaseSecrets(lastLoad?.databases);
    if (secrets.length) maskResult(r, secrets);
    r.text = executionText(r);
    return r;
  }

  function execute(code: string, eopts: ExecuteOptions = {}): Promise<ExecutionResult> {
    const timeoutMs = eopts.timeoutMs ?? options.execTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    return enqueue(async () => {
      const t0 = performance.now();
      const elapsed = () => Math.round((performance.now() - t0) * 10) / 10;
      if (eopts.signal?.aborted) return finish(stoppedResult('cancelled', timeoutMs, 0, false));
      const c = await connect();
      const restarted = restartPending;
      restartPending = false;
      const restoreProblem = await restoreData(c);
      // Starting or restarting the kernel takes a while: the user may have pressed Stop meanwhile.
      if (eopts.signal?.aborted) return finish(stoppedResult('cancelled', timeoutMs, elapsed(), false));

      let stopReason: 'timeout' | 'cancelled' | undefined;
      let killed = false;
      let graceTimer: NodeJS.Timeout | undefined;
      const stop = (reason: 'timeout' | 'cancelled') => {
        if (stopReason) return;
        stopReason = reason;
        log(`kernel: interrupting the running code (${reason})`);
        if (process.platform === 'win32') {
          killed = true; // no SIGINT for child processes on Windows
          c.kill();
          return;
        }
        c.interrupt();
        graceTimer = setTimeout(() => {
          killed = true;
          log('kernel: the code ignored the interrupt; killing the process');
          c.kill();
        }, graceMs);
      };
      current = { stop };
      const timer = setTimeout(() => stop('timeout'), timeoutMs);
      const onAbort = () => stop('cancelled');
      eopts.signal?.addEventListener('abort', onAbort, { once: true });
      c.takeStderr(); // what came before this run is not its output
      let result: ExecutionResult;
      try {
        const secrets = databaseSecrets(lastLoad?.databases);
        const onOutput =
          eopts.onOutput && secrets.length
            ? (o: { stream: 'stdout' | 'stderr'; text: string }) => eopts.onOutput!({ ...o, text: maskSecrets(o.text, secrets) })
            : eopts.onOutput;
        const reply: RunnerReply = await c.request({ op: 'exec', code, stream: !!eopts.onOutput }, onOutput, eopts.onProgress);
        // Native output (subprocesses, C libraries) travels on stderr, a different pipe than the reply; it was
        // written before the reply, and one event-loop tick (setImmediate) lets a chunk that is already there arrive.
        await new Promise((r) => setImmediate(r));
        result = fromReply(reply, elapsed(), c.takeStderr(), maxOutputChars);
        const mpl = reply.matplotlib as { cjkFont?: string | null } | undefined;
        if (mpl && info) info.cjkFont = mpl.cjkFont ?? null;
        if (reply.interrupted) {
          const kind = stopReason ?? 'cancelled';
          const stopped = stoppedResult(kind, timeoutMs, result.durationMs, false);
          result = { ...result, ...stopped, stdout: result.stdout, stderr: result.stderr, images: result.images, plotly: result.plotly };
          result.error = { ...stopped.error!, traceback: reply.error ? String((reply.error as { traceback?: string }).traceback ?? '') : '' };
        }
      } catch (e) {
        if (!(e instanceof RunnerExitedError)) throw e;
        if (disposed) result = stoppedResult('cancelled', timeoutMs, elapsed(), false);
        else if (stopReason) result = stoppedResult(stopReason, timeoutMs, elapsed(), killed);
        else result = crashedResult(e.exit, elapsed(), c.takeStderr(), maxOutputChars);
      } finally {
        clearTimeout(timer);
        clearTimeout(graceTimer);
        eopts.signal?.removeEventListener('abort', onAbort);
        current = undefined;
      }
      if (restarted) result.restarted = true;
      if (restoreProblem) (result.notes ??= []).push(restoreProblem);
      if (sandbox?.info.notice && !sandboxNoticeShown) {
        sandboxNoticeShown = true; // once per kernel: the user knows after the first run
        (result.notes ??= []).push(sandbox.info.notice);
      }
      if (result.images.length && info?.cjkFont === null && !cjkNoted) {
        cjkNoted = true;
        (result.notes ??= []).push(NO_CJK_FONT_NOTE);
      }
      return finish(result);
    });
  }

  /** Radarm: Preview Data — the file's column profile and first rows (radarm_preview.py). */
  function previewRequest(req: Record<string, unknown>, show?: string): Promise<RunnerReply> {
    return enqueue(async () => {
      if (show) await adaptSandbox([show], undefined); // a file outside the workspace: the sandbox must show it
      const reply = await (await connect()).request({ op: 'preview', ...req });
      const err = reply.error as { message?: string; code?: PreviewErrorCode } | undefined;
      if (!reply.ok) throw new PreviewFailure(maskSecrets(err?.message || 'the preview failed', databaseSecrets(lastLoad?.databases)), err?.code ?? 'failed');
      return reply;
    });
  }

  async function preview(file: string, table?: { database: string; table: string }): Promise<DataPreview> {
    const full = path.resolve(cwd, file);
    const reply = await previewRequest(table ? { path: file, ...table } : { path: full }, table ? undefined : globRoot(full));
    if (!isDataPreview(reply.preview)) throw new Error('the kernel sent a malformed preview');
    return reply.preview;
  }

  async function previewTables(database: string): Promise<string[]> {
    const reply = await previewRequest({ database, list: true });
    return Array.isArray(reply.tables) ? reply.tables.filter((t): t is string => typeof t === 'string') : [];
  }

  return {
    start: () => connect().then(() => undefined),
    loadData,
    execute,
    preview,
    previewTables,
    interrupt: () => current?.stop('cancelled'),
    async dispose() {
      disposed = true;
      const c = conn;
      conn = undefined;
      if (c) {
        c.kill();
        await waitAtMost(c.exited, 3000); // a ref'd wait: Node must not exit before the kill is confirmed
      }
      const starting = connecting;
      if (starting) await starting.then((s) => s.kill(), () => undefined);
    },
    get pythonPath() {
      return resolved?.path;
    },
    get info() {
      return info;
    },
  };
}

/** What a sandbox must show for a preview: a dataset glob's folder (before the first wildcard), else the path. */
function globRoot(p: string): string {
  const segs = p.split(path.sep);
  const i = segs.findIndex((s) => /[*?[]/.test(s));
  return i < 0 ? p : segs.slice(0, i).join(path.sep) || path.sep;
}
