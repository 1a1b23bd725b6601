// The HTTP service of `radarm serve`: one node:http server, the route table, auth/CORS/rate limit in
// front of the handlers, the session and stream registries, metrics, and an orderly shutdown.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { version } from '../../package.json';
import { createSession } from '../engine/session';
import { closeLlmNetwork, createLlmService } from '../llm';
import type { ServeConfig } from './args';
import { answerPreflight, applyCors, hasValidToken } from './auth';
import { HttpError } from './body';
import { resumeChat, startChat, stopChat, type ChatDeps, type Locale, type ServeSession } from './chat-routes';
import { createServeMetrics, PROMETHEUS_CONTENT_TYPE } from './metrics';
import { createRateLimiter } from './rate-limit';
import { matchRoute, sendError, sendJson } from './router';
import { sessionOptionsFor } from './session-options';
import { createSessionRegistry } from './sessions';
import { createStreamRegistry } from './streams';

export interface ServeApp {
  /** Listens; resolves with the base URL, e.g. http://127.0.0.1:8765. */
  listen(): Promise<string>;
  /** Stops accepting, ends running turns with an error event, closes kernels and connections. */
  shutdown(reason: string): Promise<void>;
  readonly server: Server;
}

export function createServeApp(config: ServeConfig, log: (line: string) => void = () => {}): ServeApp {
  const metrics = createServeMetrics();
  const llm = createLlmService({ userAgent: `radarm-serve/${version}` });
  const startedAt = Date.now();
  let stopping = false;

  const sessions = createSessionRegistry<ServeSession, Locale>({
    idleMs: config.sessionIdleMs,
    maxSessions: config.maxSessions,
    onSizeChange: (n) => metrics.sessions.set(n),
    onEnd: (id, why) =>
      log(
        why === 'idle'
          ? `session ${id} ended after ${config.sessionIdleMs / 1000} s idle`
          : `session ${id} ended to make room (--max-sessions ${config.maxSessions})`,
      ),
    create(id, locale) {
      const holder: ServeSession = {
        session: undefined as never,
        dispose: () => holder.session.dispose(),
      };
      holder.session = createSession(
        sessionOptionsFor(config, { llm, metrics, requestKey: () => holder.requestKey, locale }),
      );
      log(`session ${id} started`);
      return holder;
    },
  });

  const streams = createStreamRegistry(
    { graceMs: config.graceMs, ...config.buffer },
    {
      onStart: () => metrics.activeStreams.set(streams.running),
      onFinish: () => metrics.activeStreams.set(streams.running),
    },
  );
  const limiter = createRateLimiter(config.rateLimit);
  const deps: ChatDeps = { config, metrics, sessions, streams };
  const inFlight = new Set<Promise<void>>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://radarm.invalid');
    const method = req.method ?? 'GET';
    const route = matchRoute(method, url.pathname);
    const t0 = performance.now();
    res.on('close', () => {
      metrics.requests.inc({ route: route.name, method, status: String(res.statusCode) });
      log(`${method} ${url.pathname} ${res.statusCode} ${Math.round(performance.now() - t0)} ms`);
    });
    if (config.corsOrigins.length) applyCors(req, res, config.corsOrigins);

    if (route.name === 'preflight') return answerPreflight(req, res, config.corsOrigins);
    if (route.name === 'health') {
      const body = {
        status: stopping ? 'stopping' : 'ok',
        version,
        uptime_s: Math.round((Date.now() - startedAt) / 1000),
        sessions: sessions.size,
        active_streams: streams.running,
      };
      return sendJson(res, stopping ? 503 : 200, body);
    }
    if (!hasValidToken(req, config.token))
      throw new HttpError(401, 'unauthorized', 'Missing or wrong token: send "Authorization: Bearer <token>" (radarm serve --token).', {
        'WWW-Authenticate': 'Bearer realm="radarm"',
      });
    if (route.name === 'metrics') {
      res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' });
      res.end(metrics.registry.render());
      return;
    }
    if (route.name === 'not_found') {
      if (route.allow) throw new HttpError(405, 'method_not_allowed', `Use ${route.allow.join(' or ')} for ${url.pathname}.`, { Allow: route.allow.join(', ') });
      throw new HttpError(404, 'not_found', `No such endpoint: ${method} ${url.pathname}. Endpoints: POST /chat/stream, GET /chat/stream/<id>, POST /chat/stop/<id>, GET /health, GET /metrics.`);
    }
    if (stopping) throw new HttpError(503, 'stopping', 'The server is shutting down.');
    const client = req.socket.remoteAddress ?? 'unknown';
    const decision = limiter.take(client);
    if (!decision.ok) {
      metrics.rateLimited.inc();
      req.resume();
      throw new HttpError(429, 'rate_limited', `Too many requests; try again in ${decision.retryAfterSeconds} s (radarm serve --rate-limit).`, {
        'Retry-After': String(decision.retryAfterSeconds),
      });
    }
    if (route.name === 'chat_stream') return startChat(req, res, deps);
    if (route.name === 'chat_resume') return resumeChat(req, res, route.id!, url, deps);
    if (route.name === 'chat_stop') return stopChat(res, route.id!, deps);
  }

  const server = createServer((req, res) => {
    const p = handle(req, res).catch((err) => {
      if (!(err instanceof HttpError)) log(`internal error: ${(err as Error)?.stack ?? err}`);
      sendError(res, err);
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  });
  server.keepAliveTimeout = 5_000;

  return {
    server,
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          const host = config.host.includes(':') ? `[${config.host}]` : config.host;
          resolve(`http://${host}:${port}`);
        });
      });
    },
    async shutdown(reason) {
      if (stopping) return;
      stopping = true;
      server.close();
      server.closeIdleConnections();
      await streams.stopAll({ type: 'error', code: 'cancelled', content: reason }, 10_000);
      // Let the handlers write the final events and end their responses, then drop what is left.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => (timer = setTimeout(r, 5_000)))]);
      clearTimeout(timer);
      server.closeAllConnections();
      await sessions.disposeAll();
      await closeLlmNetwork();
    },
  };
}
