// Which handler answers a request: a fixed table of method + path pattern, and the small JSON replies.
import type { ServerResponse } from 'node:http';
import { HttpError } from './body';

export type RouteName = 'chat_stream' | 'chat_resume' | 'chat_stop' | 'health' | 'metrics' | 'preflight' | 'not_found';

export interface RouteMatch {
  name: RouteName;
  /** The stream id of /chat/stream/<id> and /chat/stop/<id>. */
  id?: string;
  /** Methods the path accepts when the method did not match (405). */
  allow?: string[];
}

const STREAM_ID = '([0-9a-f-]{36})';
const TABLE: { method: string; pattern: RegExp; name: RouteName }[] = [
  { method: 'POST', pattern: /^\/chat\/stream\/?$/, name: 'chat_stream' },
  { method: 'GET', pattern: new RegExp(`^/chat/stream/${STREAM_ID}$`), name: 'chat_resume' },
  { method: 'POST', pattern: new RegExp(`^/chat/stop/${STREAM_ID}$`), name: 'chat_stop' },
  { method: 'GET', pattern: /^\/health\/?$/, name: 'health' },
  { method: 'GET', pattern: /^\/metrics\/?$/, name: 'metrics' },
];

export function matchRoute(method: string, pathname: string): RouteMatch {
  const allow: string[] = [];
  for (const r of TABLE) {
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    if (method === 'OPTIONS') return { name: 'preflight' };
    if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { name: r.name, id: m[1] };
    allow.push(r.method);
  }
  return allow.length ? { name: 'not_found', allow } : { name: 'not_found' };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(`${JSON.stringify(body)}\n`);
}

/** `{"error":{"code","message"}}` with the status of an HttpError (500 for anything else, text withheld). */
export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof HttpError) {
    sendJson(res, err.status, { error: { code: err.code, message: err.message } }, err.headers);
    return;
  }
  sendJson(res, 500, { error: { code: 'internal', message: 'Internal error in radarm serve; see its stderr.' } });
}
