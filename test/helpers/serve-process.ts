// `radarm serve` as a real child process (node dist/cli.js serve --port 0 …) and the HTTP clients the
// serve tests use: a streaming POST /chat/stream / GET resume reader that returns numbered events.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { isRadarmEvent, type RadarmEvent } from '../../src/protocol/events';
import { textSteps, type Step } from './fake-llm-server';
import { atRunEnd } from './run-cleanup';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export interface ServeProcess {
  url: string;
  child: ChildProcessWithoutNullStreams;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when stderr contains `text` (the service logs one line per finished request). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** The environment without proxies or the developer's RADARM_* variables. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(RADARM_|https?_proxy$|no_proxy$)/i.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs `radarm serve …` to completion (for arguments that make it exit at once). */
export function runServe(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: cleanEnv(env), cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `radarm serve --port 0 …` and resolves once it printed its {"url"} line. */
export function startServe(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { env: cleanEnv(env), cwd: ROOT });
  // A test that fails before its stop(), or a killed run, must not leave the service running.
  atRunEnd(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  const logWaiters = new Set<() => void>();
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of [...logWaiters]) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onOut = (d: Buffer) => {
      stdout += d;
      const line = stdout.split('\n')[0];
      if (!stdout.includes('\n')) return;
      try {
        const { url } = JSON.parse(line) as { url: string };
        resolve(proc(url));
      } catch (err) {
        reject(new Error(`first stdout line is not {"url"}: ${line} (${err})`));
      }
    };
    child.stdout.on('data', onOut);
    void exited.then((code) => reject(new Error(`radarm serve exited with ${code} before listening: ${stderr}`)));
  });

  function proc(url: string): ServeProcess {
    return {
      url,
      child,
      get stdout() {
        return stdout;
      },
      get stderr() {
        return stderr;
      },
      exited,
      waitForLog(pattern, timeoutMs = 10_000) {
        return new Promise<void>((resolve, reject) => {
          const check = () => {
            if (!pattern.test(stderr)) return;
            clearTimeout(timer);
            logWaiters.delete(check);
            resolve();
          };
          const timer = setTimeout(() => {
            logWaiters.delete(check);
            reject(new Error(`no ${pattern} in the server's stderr within ${timeoutMs} ms:\n${stderr}`));
          }, timeoutMs);
          logWaiters.add(check);
          check();
        });
      },
      async stop(signal = 'SIGTERM') {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
  }
}

export interface NumberedEvent {
  id: number;
  event: RadarmEvent;
}

/** Parses SSE text into numbered protocol events (asserting every event is valid and has an id). */
export function parseSse(text: string): NumberedEvent[] {
  const out: NumberedEvent[] = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((l) => l && !l.startsWith(':'));
    if (!lines.length) continue;
    const id = lines.find((l) => l.startsWith('id: '));
    const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
    assert.ok(id, `an event without id: ${block}`);
    const event: unknown = JSON.parse(data);
    assert.ok(isRadarmEvent(event), `not a protocol event: ${data}`);
    out.push({ id: Number(id.slice(4)), event });
  }
  return out;
}

export interface StreamRead {
  status: number;
  headers: Headers;
  events: NumberedEvent[];
  /** Set for non-SSE answers (errors). */
  json?: any;
}

/**
 * POSTs (or GETs) and reads the SSE answer with fetch. `until(events)` returning true stops reading and
 * aborts the connection right there (a client that drops mid-stream).
 */
export async function readStream(
  url: string,
  init: {
    method?: string;
    body?: unknown;
    headers?: Record<string, string>;
    until?: (events: NumberedEvent[]) => boolean;
    onHeaders?: (headers: Headers) => void;
  } = {},
): Promise<StreamRead> {
  const ac = new AbortController();
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    signal: ac.signal,
  });
  init.onHeaders?.(res.headers);
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const text = await res.text();
    return { status: res.status, headers: res.headers, events: [], json: text ? JSON.parse(text) : undefined };
  }
  const decoder = new TextDecoder();
  let text = '';
  let events: NumberedEvent[] = [];
  const reader = res.body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const complete = text.slice(0, text.lastIndexOf('\n\n') + 2);
    events = parseSse(complete);
    if (init.until?.(events)) {
      ac.abort();
      break;
    }
  }
  events = parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2));
  return { status: res.status, headers: res.headers, events };
}

export const contentText = (events: NumberedEvent[]) =>
  events.map((n) => (n.event.type === 'content' ? n.event.content : '')).join('');

/** The stream contract plus ids 1..n in order. */
export function assertWellFormed(events: NumberedEvent[], terminal?: 'complete' | 'error'): void {
  assert.deepEqual(
    events.map((e) => e.id),
    events.map((_, i) => i + 1),
    'ids are 1, 2, 3, … with no gap or repeat',
  );
  const types = events.map((e) => e.event.type);
  assert.equal(types.at(-1), 'done', 'done is last');
  assert.equal(types.filter((t) => t === 'done').length, 1, 'exactly one done');
  const before = types.at(-2);
  assert.ok(before === 'complete' || before === 'error', `complete or error before done, got ${before}`);
  assert.equal(types.filter((t) => t === 'complete' || t === 'error').length, 1);
  if (terminal) assert.equal(before, terminal, JSON.stringify(events.at(-2)?.event));
}

/** A promise the test opens when it is ready (a fake model that waits for it). */
export function gate() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** A streamed reply: `first`, then (after `wait`) `rest`, in 4-character deltas. */
export async function* gated(first: string, wait: Promise<void>, rest: string): AsyncGenerator<Step> {
  yield* textSteps(first, 4);
  await wait;
  yield* textSteps(rest, 4);
}
