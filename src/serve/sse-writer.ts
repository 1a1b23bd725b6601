// Writes protocol events as SSE (`id: n` + `data: <json>`) to an HTTP response, gzip-compressed when the
// client accepts it. Each event is flushed through the compressor on its own (Z_SYNC_FLUSH), so compression
// never holds an event back: the client decodes every event as soon as it is sent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, createGzip, type Gzip } from 'node:zlib';
import type { RadarmEvent } from '../protocol/events';

export interface SseWriter {
  /** Writes one event; resolves when it has been handed to the socket (backpressure respected). */
  event(id: number, ev: RadarmEvent): Promise<void>;
  /** A comment line, to keep idle connections (and proxies) from timing out. */
  comment(text: string): Promise<void>;
  end(): Promise<void>;
  /** True once the client went away. */
  readonly closed: boolean;
  readonly gzip: boolean;
}

/** Whether Accept-Encoding allows gzip (a q=0 entry refuses it). */
export function acceptsGzip(req: IncomingMessage): boolean {
  const header = String(req.headers['accept-encoding'] ?? '');
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name !== 'gzip' && name !== 'x-gzip' && name !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  }
  return false;
}

export function startSse(
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
): SseWriter {
  const gzip = acceptsGzip(req);
  let closed = false;
  res.on('close', () => (closed = true));
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    // nginx and similar proxies buffer responses unless told not to.
    'X-Accel-Buffering': 'no',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    Vary: 'Accept-Encoding, Origin',
    ...headers,
  });
  let zip: Gzip | undefined;
  if (gzip) {
    zip = createGzip();
    zip.on('error', () => res.destroy());
    zip.pipe(res);
  } else res.flushHeaders();

  const out = zip ?? res;
  async function send(text: string): Promise<void> {
    if (closed || res.writableEnded) return;
    const ok = out.write(text);
    if (zip) await new Promise<void>((resolve) => zip!.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    if (!ok && !closed) await new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done);
        res.off('close', done);
        resolve();
      };
      out.once('drain', done);
      res.once('close', done);
    });
  }

  return {
    get closed() {
      return closed;
    },
    gzip,
    event: (id, ev) => send(`id: ${id}\ndata: ${JSON.stringify(ev)}\n\n`),
    comment: (text) => send(`: ${text.replace(/\n/g, ' ')}\n\n`),
    end() {
      return new Promise<void>((resolve) => {
        if (closed || res.writableEnded) return resolve();
        res.once('finish', () => resolve());
        res.once('close', () => resolve());
        out.end();
      });
    },
  };
}
