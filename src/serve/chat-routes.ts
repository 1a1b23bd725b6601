// The /chat routes: POST /chat/stream starts a turn in a session and streams it; GET /chat/stream/<id>
// resumes a turn's stream after Last-Event-ID; POST /chat/stop/<id> stops a turn.
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Session, SessionOptions } from '../engine/session';
import type { Mode } from '../agent/types';
import { redactEvent } from '../llm';
import type { Provider } from '../llm/types';
import type { RadarmEvent } from '../protocol/events';
import type { ServeConfig } from './args';
import { HttpError, parseChatBody, readBody } from './body';
import { resolveDataFiles } from './data-root';
import { resolveDatabases } from './databases';
import { databaseSecrets } from '../kernel';
import type { ServeMetrics } from './metrics';
import { sendJson } from './router';
import type { SessionRegistry } from './sessions';
import { startSse } from './sse-writer';
import type { StreamRegistry, TurnStream } from './streams';

/** What the session registry keeps per session_id. */
export interface ServeSession {
  session: Session;
  /** The key from the body of the request whose turn is running (only when the server has none). */
  requestKey?: string;
  dispose(): Promise<void>;
}

export interface ChatDeps {
  config: ServeConfig;
  metrics: ServeMetrics;
  /** Sessions are created with the language of the first request's Accept-Language (for stage announcements). */
  sessions: SessionRegistry<ServeSession, Locale>;
  streams: StreamRegistry;
}

export type Locale = SessionOptions['locale'];
const localeOf = (req: IncomingMessage): Locale =>
  /^zh/i.test(String(req.headers['accept-language'] ?? '')) ? 'zh-cn' : undefined;

const KEEPALIVE_MS = 15_000;

/**
 * The original front end sends `apiKeys: {name: key}`. The key used: the one named like the provider
 * (its id = host of --base-url, or its kind), else `default`, else the only one given.
 */
export function pickRequestKey(apiKeys: Record<string, string>, provider: Provider): string | undefined {
  const byName = apiKeys[provider.id] ?? apiKeys[provider.kind] ?? apiKeys.default;
  if (byName) return byName;
  const all = Object.values(apiKeys);
  return all.length === 1 ? all[0] : undefined;
}

/**
 * The event with every key masked in its text values (an echoing server or model cannot leak them);
 * its structure (type, stage, code) is never touched. runMode already redacts the turn's own key, also
 * across streamed deltas; this covers the server's other keys.
 */
function redactKeys(ev: RadarmEvent, secrets: string[]): RadarmEvent {
  return secrets.reduce((e, key) => redactEvent(e, key), ev);
}

/**
 * The complete event names the data files it read; a client knows them relative to --data-root, and the
 * server's own folders are none of its business, so the paths go out relative to the root.
 */
function withRootRelativePaths(ev: RadarmEvent, dataRoot: string): RadarmEvent {
  if (ev.type !== 'complete' || !ev.data.data_files?.length) return ev;
  // A database server's entry carries its URL (without password) as its path: it stays as it is.
  const data_files = ev.data.data_files.map((f) =>
    path.isAbsolute(f.path) ? { ...f, path: path.relative(dataRoot, f.path).split(path.sep).join('/') } : f,
  );
  return { ...ev, data: { ...ev.data, data_files } };
}

async function* observed(
  source: AsyncIterable<RadarmEvent>,
  secrets: string[],
  mode: Mode,
  startedAt: number,
  metrics: ServeMetrics,
  dataRoot: string,
): AsyncGenerator<RadarmEvent> {
  let first = true;
  let outcome = 'stopped';
  try {
    for await (const ev of source) {
      if (first) {
        first = false;
        metrics.firstEvent.observe((performance.now() - startedAt) / 1000, { mode });
      }
      if (ev.type === 'complete') outcome = 'complete';
      if (ev.type === 'error') outcome = ev.code === 'cancelled' ? 'stopped' : 'error';
      yield redactKeys(withRootRelativePaths(ev, dataRoot), secrets);
    }
  } finally {
    metrics.turns.inc({ mode, outcome });
  }
}

/** Streams a turn's events after `afterId` to this response, until `done` or the client leaves. */
async function pipe(req: IncomingMessage, res: ServerResponse, stream: TurnStream, afterId: number, headers: Record<string, string>) {
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  const sub = stream.subscribe(afterId, gone.signal);
  if (!sub.ok)
    throw new HttpError(
      410,
      'events_gone',
      `Events after ${afterId} are no longer buffered (the buffer holds ${sub.firstBuffered}-${sub.lastId}); send the question again.`,
    );
  const sse = startSse(req, res, { 'X-Radarm-Stream-Id': stream.id, ...headers });
  const keepalive = setInterval(() => void sse.comment('keep-alive'), KEEPALIVE_MS);
  try {
    for await (const n of sub.events) {
      await sse.event(n.id, n.event);
      if (sse.closed) break;
    }
  } finally {
    clearInterval(keepalive);
    await sse.end();
  }
}

export async function startChat(req: IncomingMessage, res: ServerResponse, deps: ChatDeps): Promise<void> {
  const startedAt = performance.now();
  const { config, sessions, streams, metrics } = deps;
  const body = parseChatBody(await readBody(req, config.maxBodyBytes), config);
  const files = body.dataFiles && resolveDataFiles(config.dataRoot, body.dataFiles);
  const databases = body.databases && resolveDatabases(body.databases, config.databases);

  const running = streams.runningFor(body.sessionId);
  if (running)
    throw new HttpError(
      409,
      'session_busy',
      `Session "${body.sessionId}" is still answering (stream ${running.id}): resume it with GET /chat/stream/${running.id} or stop it with POST /chat/stop/${running.id}.`,
    );
  const { entry, created } = sessions.acquire(body.sessionId, localeOf(req));
  const serveSession = entry.value;
  if (files) serveSession.session.setDataFiles(files);
  if (databases) serveSession.session.setDatabases(databases);
  const requestKey = config.apiKey ? undefined : pickRequestKey(body.apiKeys, config.provider);
  serveSession.requestKey = requestKey;

  const abort = new AbortController();
  const keys = [config.apiKey, ...Object.values(body.apiKeys)].filter((k): k is string => !!k && k.length >= 6);
  const secrets = [...keys, ...databaseSecrets(config.databases)];
  const source = observed(serveSession.session.run(body.mode, body.message, abort.signal), secrets, body.mode, startedAt, metrics, config.dataRoot);
  sessions.begin(entry);
  const stream = streams.start(body.sessionId, source, abort);
  void stream.settled.then(() => {
    // The body's key served this turn only.
    if (serveSession.requestKey === requestKey) serveSession.requestKey = undefined;
    sessions.end(entry);
  });
  await pipe(req, res, stream, 0, { 'X-Radarm-Session': created ? 'new' : 'continued' });
}

/** The Last-Event-ID header (or ?last_event_id=), a whole number >= 0; absent = 0 (from the start). */
function lastEventId(req: IncomingMessage, url: URL): number {
  const raw = req.headers['last-event-id'] ?? url.searchParams.get('last_event_id') ?? '0';
  const text = Array.isArray(raw) ? raw[0] : raw;
  const n = Number(text.trim() || '0');
  if (!Number.isInteger(n) || n < 0) throw new HttpError(400, 'bad_last_event_id', `Last-Event-ID must be a whole number (an event id), got "${text.slice(0, 40)}".`);
  return n;
}

export async function resumeChat(req: IncomingMessage, res: ServerResponse, id: string, url: URL, deps: ChatDeps): Promise<void> {
  const stream = deps.streams.get(id);
  if (!stream) {
    deps.metrics.resumes.inc({ result: 'unknown' });
    throw new HttpError(404, 'unknown_stream', `No stream ${id}: it never existed, or it ended more than ${deps.config.graceMs / 1000} s ago.`);
  }
  const after = lastEventId(req, url);
  if (after > stream.lastId) throw new HttpError(400, 'bad_last_event_id', `Last-Event-ID ${after} is beyond the last event (${stream.lastId}).`);
  if (stream.finished && after === stream.lastId) {
    // Everything was delivered; 204 also tells a browser EventSource to stop reconnecting.
    deps.metrics.resumes.inc({ result: 'complete' });
    res.writeHead(204, { 'X-Radarm-Stream-Id': stream.id }).end();
    return;
  }
  deps.metrics.resumes.inc({ result: 'ok' });
  await pipe(req, res, stream, after, {});
}

export function stopChat(res: ServerResponse, id: string, deps: ChatDeps): void {
  const stream = deps.streams.get(id);
  if (!stream) throw new HttpError(404, 'unknown_stream', `No stream ${id}.`);
  const wasRunning = !stream.finished;
  stream.stop({ type: 'error', code: 'cancelled', content: 'Stopped (POST /chat/stop).' });
  sendJson(res, 200, { stream_id: id, stopped: wasRunning });
}
