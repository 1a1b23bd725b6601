// User-facing messages for everything that can go wrong with an LLM request: what happened and what
// to do. Every message passes through redactSecret, so an API key never leaves the service.
import type { ErrorCode } from '../protocol/events';
import type { Provider } from './types';
import { redactSecret } from './redact';

export const CANCELLED_MESSAGE = 'Cancelled.';
export const SET_KEY_HINT = 'Set a valid key with the command "Radarm: Set API Key" (CLI: --api-key or RADARM_API_KEY).';
const STALL_HINT = 'raise the stall timeout (setting radarm.stallTimeout; CLI: --timeout SECONDS)';

export interface FailureContext {
  provider: Provider;
  apiKey?: string;
  stallTimeoutMs: number;
  timeoutMs: number;
  /** Characters of answer text received so far. */
  received: number;
  attempts: number;
}

export function providerName(p: Provider): string {
  if (p.id) return p.id;
  try {
    return new URL(p.baseUrl).host;
  } catch {
    return p.kind;
  }
}

function originOf(p: Provider): string {
  try {
    return new URL(p.baseUrl).origin;
  } catch {
    return p.baseUrl;
  }
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const attemptsText = (n: number) => (n > 1 ? ` after ${n} attempts` : '');

/** The server's own explanation from an error body (JSON error shapes, or text with HTML stripped). */
export function serverMessage(body: string): string | undefined {
  const trimmed = body.trim();
  if (!trimmed) return undefined;
  try {
    const json = JSON.parse(trimmed);
    const msg = findMessage(json);
    if (msg) return clip(msg);
  } catch {
    // not JSON
  }
  const text = trimmed
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text ? clip(text) : undefined;
}

function findMessage(v: unknown, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return findMessage(v[0], depth + 1);
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  for (const k of ['message', 'error', 'detail', 'msg', 'error_msg']) {
    const m = findMessage(o[k], depth + 1);
    if (m) return m;
  }
  return undefined;
}

function clip(s: string, max = 400): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

const CONTEXT_TOO_LONG =
  /context[_ ]length|context window|maximum context|too many tokens|prompt is too long|input is too long|reduce the length|max_tokens.*exceed|tokens? exceed|超出|过长/i;

/** A non-2xx HTTP response that retries did not cure (or that retries cannot cure). */
export function httpFailure(status: number, body: string, ctx: FailureContext, retryAfterMs?: number): string {
  const name = providerName(ctx.provider);
  const said = serverMessage(body);
  const server = said ? ` The server said: ${said}` : '';
  let msg: string;
  if (status === 401 || status === 403) {
    msg = ctx.apiKey
      ? `The API key was rejected by ${name} (HTTP ${status}). ${SET_KEY_HINT}${server}`
      : `No API key was sent to ${name}, and it requires one (HTTP ${status}). ${SET_KEY_HINT}${server}`;
  } else if (status === 404) {
    const what = ctx.provider.kind === 'azure' ? 'deployment' : 'model';
    msg =
      `The ${what} "${ctx.provider.model}" or its endpoint was not found at ${ctx.provider.baseUrl} (HTTP 404). ` +
      `Check the ${what} name and the base URL` +
      (ctx.provider.kind === 'openai' ? ' (OpenAI-compatible base URLs usually end in /v1).' : '.') +
      server;
  } else if ((status === 400 || status === 413 || status === 422) && said && CONTEXT_TOO_LONG.test(said)) {
    msg = `The conversation is too long for model "${ctx.provider.model}" (HTTP ${status}). Start a new chat, or attach fewer or smaller files.${server}`;
  } else if (status === 413) {
    msg = `The request is too large for ${name} (HTTP 413). Start a new chat, or attach fewer or smaller files.${server}`;
  } else if (status === 400 || status === 422) {
    msg = `${name} rejected the request (HTTP ${status}). Check the model name and the provider settings.${server}`;
  } else if (status === 402) {
    msg = `${name} refused the request for billing reasons (HTTP 402): check your account's balance or plan.${server}`;
  } else if (status === 429) {
    const wait = retryAfterMs ? ` The server asked to wait ${seconds(retryAfterMs)}.` : '';
    msg = `Rate limited by ${name} (HTTP 429)${attemptsText(ctx.attempts)}.${wait} Wait a moment and try again; if it persists, check your plan's rate limits and quota.${server}`;
  } else if (status >= 500) {
    msg = `${name} failed with HTTP ${status}${attemptsText(ctx.attempts)}. The service may be down or overloaded; try again later.${server}`;
  } else {
    msg = `${name} answered with HTTP ${status}.${server}`;
  }
  return redactSecret(msg, ctx.apiKey);
}

/** The code of an HTTP failure: what the host offers (Set API Key, Retry, Open Settings) follows from it. */
export function httpErrorCode(status: number, body: string): ErrorCode {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limit';
  if (status === 413) return 'context_too_long';
  if (status === 400 || status === 422) {
    const said = serverMessage(body);
    return said && CONTEXT_TOO_LONG.test(said) ? 'context_too_long' : 'bad_request';
  }
  // 5xx: the service is failing or unreachable behind its gateway; trying again later is the action.
  if (status >= 500) return 'network';
  return 'bad_response';
}

/** The code of a transport failure (see transportFailure). */
export function transportErrorCode(err: unknown): ErrorCode {
  const code = errCode(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'stall';
  return 'network';
}

/** The answer passed the size cap. */
export function tooLargeMessage(ctx: FailureContext, limitBytes: number, what: string): string {
  return redactSecret(
    `The answer from ${providerName(ctx.provider)} passed the limit of ${megabytes(limitBytes)} (${what}), so it was stopped (${ctx.received} characters received; the partial answer is kept). ` +
      'Ask for a shorter answer, or raise the limit (setting radarm.maxResponseMB; CLI: --max-response-mb).',
    ctx.apiKey,
  );
}

export const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 100) / 100} MB`;

/** The connection ended cleanly but the answer had no end marker. */
export function cutMessage(ctx: FailureContext): string {
  return redactSecret(
    `The connection was cut before the answer finished (${ctx.received} characters received). ` +
      'The partial answer is kept. Try again; if it keeps happening, a proxy or load balancer may be closing long requests.',
    ctx.apiKey,
  );
}

export function timeoutMessage(ctx: FailureContext): string {
  return redactSecret(
    `The request to ${providerName(ctx.provider)} took longer than ${seconds(ctx.timeoutMs)} (the whole-request timeout) and was stopped (${ctx.received} characters received). ` +
      'Ask for a shorter answer, or raise the request timeout (setting radarm.requestTimeout; CLI: RADARM_REQUEST_TIMEOUT=SECONDS).',
    ctx.apiKey,
  );
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A transport failure: before the response (connect/proxy/TLS/headers) or while the body streamed. */
export function transportFailure(err: unknown, ctx: FailureContext, bodyStarted: boolean): string {
  const code = errCode(err);
  const origin = originOf(ctx.provider);
  let host = origin;
  try {
    host = new URL(ctx.provider.baseUrl).host;
  } catch {
    // keep origin
  }
  const raw = err instanceof Error ? err.message : String(err);
  let msg: string;
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    msg = `No response from ${origin} for ${seconds(ctx.stallTimeoutMs)} (waiting for the answer to start), so the request was stopped. The server may be overloaded or still loading the model. Try again, or ${STALL_HINT}.`;
  } else if (code === 'UND_ERR_BODY_TIMEOUT') {
    msg = `No data from ${origin} for ${seconds(ctx.stallTimeoutMs)} in the middle of the answer (${ctx.received} characters received), so the stream was stopped. The server may be overloaded, or a proxy may be buffering the stream. Try again, or ${STALL_HINT}.`;
  } else if (bodyStarted) {
    msg = `The connection was cut before the answer finished (${ctx.received} characters received; ${raw}). The partial answer is kept. Try again; if it keeps happening, a proxy or load balancer may be closing long requests.`;
  } else if (code === 'ECONNREFUSED') {
    msg = `Could not connect to ${origin}: connection refused. Is the server running, and is the base URL right?`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    msg = `Could not resolve the host ${host}. Check the base URL, your network, and your proxy settings (HTTPS_PROXY, or VS Code's http.proxy).`;
  } else if (code && TLS_CODES.has(code)) {
    msg = `The TLS certificate of ${host} is not trusted (${code}). Behind a corporate proxy, point NODE_EXTRA_CA_CERTS at your company's root certificate, or set http.proxyStrictSSL to false in VS Code.`;
  } else if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    msg = `Timed out connecting to ${origin}${attemptsText(ctx.attempts)}. Check your network and proxy settings (HTTPS_PROXY, or VS Code's http.proxy).`;
  } else if (/proxy/i.test(raw)) {
    msg = `The proxy refused or failed the connection to ${origin}: ${raw}. Check the proxy address and credentials (HTTPS_PROXY, or VS Code's http.proxy).`;
  } else {
    msg = `The request to ${origin} failed${attemptsText(ctx.attempts)}: ${raw}${code && !raw.includes(code) ? ` (${code})` : ''}. Check the base URL, your network and proxy settings, then try again.`;
  }
  return redactSecret(msg, ctx.apiKey);
}
