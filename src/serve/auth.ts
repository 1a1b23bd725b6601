// Who may talk to the service: the Bearer token (when one is set) and the CORS origins allowed.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** True when the request carries `Authorization: Bearer <token>` (or no token is required). */
export function hasValidToken(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1].trim());
  const expected = Buffer.from(token);
  // Constant time, so the token cannot be guessed byte by byte from response times.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const EXPOSED = 'X-Radarm-Stream-Id, X-Radarm-Session, Retry-After';

/**
 * Sets the CORS headers when the request's Origin is one of `allowed` ('*' allows any). Other origins get
 * no CORS headers at all, so browsers keep their pages from reading the answers.
 * Returns whether the origin is allowed (false also when the request has no Origin).
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  res.setHeader('Vary', 'Origin');
  if (!origin || !(allowed.includes(origin) || allowed.includes('*'))) return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
  return true;
}

/** Answers a CORS preflight (OPTIONS) for an allowed origin: 204 with the methods and headers we accept. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, allowed: readonly string[]): void {
  if (!applyCors(req, res, allowed)) {
    res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: { code: 'cors', message: 'This origin is not allowed; start radarm serve with --cors-origin ORIGIN.' } }));
    return;
  }
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID, Accept',
    'Access-Control-Max-Age': '600',
  });
  res.end();
}

/** 127.0.0.0/8, ::1 and localhost: the only addresses the service binds to without a token. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}
