// One running runner.py process and its line-delimited JSON protocol: requests out on stdin, replies in on
// stdout (the runner keeps the real stdout private; user output never reaches it), diagnostics on stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { findDescendant, killDescendants } from './process-tree';
import { forgetRunner, killTree, signalName, trackRunner } from './runner-lifetime';
import {
  RunnerExitedError,
  type RunnerConnection,
  type RunnerExit,
  type RunnerHello,
  type RunnerOutput,
  type RunnerProgress,
  type RunnerReply,
} from './runner-protocol';

export interface StartRunnerOptions {
  pythonPath: string;
  runnerPath: string;
  config: Record<string, unknown>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How long to wait for the hello line (importing pandas on a cold disk can take a while). */
  helloTimeoutMs?: number;
  onLog?: (line: string) => void;
  /** A sandbox to start the interpreter in: `command ...args python runner.py config`. */
  wrapper?: { command: string; args: string[] };
  /** Interrupt through the request channel (bwrap's init does not pass SIGINT on). */
  inBandInterrupt?: boolean;
}

const STDERR_KEEP = 200_000;
/** Longest reply line accepted: charts (50 MB) plus capped text, with room to spare. */
const MAX_LINE = 120 * 1024 * 1024;

/** Resolves with `p`, or with undefined after `ms`; the timer is cleared either way. */
export async function waitAtMost<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let cancel = () => {};
  const timeout = new Promise<undefined>((r) => {
    const timer = setTimeout(r, ms);
    cancel = () => clearTimeout(timer);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    cancel();
  }
}

/** Spawns the runner and waits for its hello line. Rejects with a plain Error whose message explains. */
export function startRunner(opts: StartRunnerOptions): Promise<RunnerConnection> {
  const runnerArgs = [opts.pythonPath, opts.runnerPath, JSON.stringify(opts.config)];
  const [command, ...args] = opts.wrapper ? [opts.wrapper.command, ...opts.wrapper.args, ...runnerArgs] : runnerArgs;
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  trackRunner(child);
  // A secret for this process only, sent as the first request line (never in argv or the environment, which the
  // code can read): every genuine reply line starts with it, so a line the user's code forges on the channel
  // (printing, writing to the fd or /proc/self/fd/N, a subprocess) is not taken for a result.
  const nonce = randomBytes(18).toString('base64url');
  const replyPrefix = nonce + ' ';
  child.stdin.write(nonce + '\n');

  const pending = new Map<
    number,
    { resolve: (r: RunnerReply) => void; reject: (e: Error) => void; onOutput?: (o: RunnerOutput) => void; onProgress?: (p: RunnerProgress) => void }
  >();
  let alive = true;
  let stderrAll = '';
  let stderrNew = '';
  let hello: RunnerHello = { type: 'hello', ok: false };
  let runnerPid: number | undefined;
  let helloResolve: (h: RunnerHello) => void = () => {};
  const helloLine = new Promise<RunnerHello>((r) => (helloResolve = r));

  let exitResolve: (e: RunnerExit) => void = () => {};
  const exited = new Promise<RunnerExit>((r) => (exitResolve = r));

  // An idle kernel never keeps Node alive; a busy one does. (The exit hook still kills idle ones.)
  const setRef = (on: boolean) => {
    for (const s of [child, child.stdin, child.stdout, child.stderr] as { ref?: () => void; unref?: () => void }[]) {
      if (on) s?.ref?.();
      else s?.unref?.();
    }
  };

  const onLine = (raw: string) => {
    if (!raw) return;
    const at = raw.indexOf(replyPrefix);
    if (at < 0) {
      opts.onLog?.(`kernel: ignored a line without the channel's secret (forged or corrupted): ${raw.slice(0, 200)}`);
      return;
    }
    // Bytes before the prefix were written to the channel by someone else without a newline: drop them.
    const line = raw.slice(at + replyPrefix.length);
    let msg: { id?: number; type?: string; [k: string]: unknown };
    try {
      msg = JSON.parse(line);
    } catch {
      opts.onLog?.(`kernel: unparsable protocol line: ${line.slice(0, 200)}`);
      return;
    }
    if (msg.type === 'hello') return helloResolve(msg as unknown as RunnerHello);
    if (msg.type === 'log') return opts.onLog?.(`kernel: ${String(msg.text)}`);
    const p = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'output') {
      p.onOutput?.({ stream: msg.stream === 'stderr' ? 'stderr' : 'stdout', text: String(msg.text ?? '') });
      return;
    }
    if (msg.type === 'progress') {
      const url = typeof msg.url === 'string' && /^https?:\/\//.test(msg.url) ? msg.url : undefined;
      p.onProgress?.({ done: Number(msg.done) || 0, total: Number(msg.total) || 0, ...(url ? { url } : {}) });
      return;
    }
    pending.delete(msg.id!);
    if (!pending.size) setRef(false);
    p.resolve(msg as RunnerReply);
  };

  // Replies can be megabytes (images, Plotly JSON): collect pieces and join once per line.
  // A line longer than MAX_LINE (the runner caps its replies far below it) is dropped, not buffered without end.
  let parts: string[] = [];
  let partsLength = 0;
  let overlong = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', start)) !== -1) {
      const piece = chunk.slice(start, nl);
      const line = parts.length ? parts.join('') + piece : piece;
      parts = [];
      partsLength = 0;
      start = nl + 1;
      if (overlong) {
        overlong = false;
        opts.onLog?.(`kernel: dropped a protocol line longer than ${MAX_LINE} characters`);
      } else onLine(line);
    }
    if (start < chunk.length && !overlong) {
      parts.push(chunk.slice(start));
      partsLength += chunk.length - start;
      if (partsLength > MAX_LINE) {
        overlong = true;
        parts = [];
        partsLength = 0;
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrAll = (stderrAll + chunk).slice(-4000);
    if (stderrNew.length < STDERR_KEEP) stderrNew += chunk;
    opts.onLog?.(`kernel stderr: ${chunk.trimEnd()}`);
  });
  child.stdin.on('error', () => {
    /* EPIPE after the process died: the exit handler reports it */
  });

  let spawnError: NodeJS.ErrnoException | undefined;
  child.on('error', (e: NodeJS.ErrnoException) => {
    spawnError = e;
  });
  // A crashed runner leaves no subprocesses behind. This must happen on 'exit': 'close' waits for the pipes,
  // which a surviving subprocess holds open.
  child.on('exit', () => {
    killTree(child);
    // A subprocess that left the group (setsid) may still hold the pipes: stop waiting for them.
    setTimeout(() => {
      if (!alive) return;
      for (const s of [child.stdin, child.stdout, child.stderr]) s.destroy();
    }, 1000).unref();
  });
  child.on('close', (code, sig) => {
    alive = false;
    // bwrap reports a child killed by a signal as exit code 128 + signal number, as a shell does.
    const signal = sig ?? (opts.wrapper && code !== null && code > 128 ? signalName(code - 128) : null);
    if (signal && !sig) code = null;
    forgetRunner(child);
    const exit: RunnerExit = { code, signal, stderrTail: stderrAll.trim().split('\n').slice(-8).join('\n') };
    const err = new RunnerExitedError(exit);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    exitResolve(exit);
    helloResolve({ type: 'hello', ok: false, error: spawnError ? spawnError.message : undefined });
  });

  const conn: RunnerConnection = {
    get pid() {
      return child.pid ?? -1;
    },
    get runnerPid() {
      return runnerPid ?? child.pid ?? -1;
    },
    get hello() {
      return hello;
    },
    get alive() {
      return alive;
    },
    exited,
    request(msg, onOutput, onProgress) {
      if (!alive) return Promise.reject(new RunnerExitedError({ code: child.exitCode, signal: child.signalCode, stderrTail: stderrAll }));
      // Unguessable ids: code that injects requests into its own stdin (/proc/self/fd/0 opens the pipe for writing)
      // cannot make the runner answer a request the host is about to send.
      const id = randomInt(1, 2 ** 48);
      return new Promise<RunnerReply>((resolve, reject) => {
        pending.set(id, { resolve, reject, onOutput, onProgress });
        setRef(true);
        child.stdin.write(JSON.stringify({ ...msg, id }) + '\n');
      });
    },
    signal(sig) {
      if (!alive) return;
      try {
        child.kill(sig);
      } catch {
        /* gone */
      }
    },
    interrupt() {
      if (!alive) return;
      if (opts.inBandInterrupt) child.stdin.write('{"op":"interrupt"}\n');
      else conn.signal('SIGINT');
    },
    kill() {
      if (opts.config.supervise && alive && child.pid !== undefined) {
        // Kill what is below the supervisor, not the supervisor: it reaps the runner and the rest, then exits the
        // way the runner did. Killed first, the runner would be left a zombie for init to reap (if it does).
        killDescendants(child.pid);
        setTimeout(() => killTree(child), 2000).unref();
      } else killTree(child);
      child.stdin.destroy();
    },
    takeStderr() {
      const s = stderrNew;
      stderrNew = '';
      return s;
    },
  };

  const helloTimeoutMs = opts.helloTimeoutMs ?? 120_000;
  return new Promise<RunnerConnection>((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.kill();
      reject(new Error(`${opts.pythonPath} did not start the kernel within ${Math.round(helloTimeoutMs / 1000)} s`));
    }, helloTimeoutMs);
    helloLine.then(async (h) => {
      clearTimeout(timer);
      if (h.ok) {
        hello = h;
        // Inside a PID namespace the runner's own pid means nothing here; outside it, it is its host pid.
        if (opts.wrapper && child.pid !== undefined) runnerPid = findDescendant(child.pid, opts.runnerPath);
        else runnerPid = h.pid;
        conn.takeStderr();
        setRef(false);
        resolve(conn);
        return;
      }
      conn.kill();
      const exit = await waitAtMost(exited, 2000);
      const why = h.error ?? (exit?.stderrTail || `exit code ${exit?.code}`);
      reject(new Error(why));
    });
  });
}
