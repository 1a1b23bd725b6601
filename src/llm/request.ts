// What every LLM request needs before and around the HTTP call: its limits checked, its lifetime
// (cancel + whole-request timeout), its undici options, and bounded reads of bodies.
import type { Dispatcher } from 'undici';
import type { ErrorCode } from '../protocol/events';
import type { ChatRequest } from './types';
import { adapterFor, type HttpCall, type ProviderAdapter } from './providers';
import { providerName, type FailureContext } from './errors';
import { redactSecret } from './redact';

export const DEFAULT_TIMEOUT_MS = 180_000;
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;
/** Default cap of one model answer (text plus reasoning, UTF-8 bytes). */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Below these the service refuses the request: a timeout of 0 would switch the check off. */
export const MIN_TIMEOUT_MS = 50;
export const MIN_RESPONSE_BYTES = 1024;
/** Error bodies are read up to this much; the message needs only the start. */
export const MAX_ERROR_BODY = 64 * 1024;

export interface Limits {
  timeoutMs?: number;
  stallTimeoutMs?: number;
  maxResponseBytes?: number;
}

/** Aborts on the caller's signal or the whole-request timeout, remembering which came first. */
export class Lifetime {
  readonly controller = new AbortController();
  reason: 'cancelled' | 'timeout' | undefined;
  private timer: NodeJS.Timeout;
  private onAbort = () => this.abort('cancelled');
  constructor(
    private userSignal: AbortSignal | undefined,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.abort('timeout'), timeoutMs);
    if (userSignal?.aborted) this.abort('cancelled');
    else userSignal?.addEventListener('abort', this.onAbort, { once: true });
  }
  get signal() {
    return this.controller.signal;
  }
  private abort(why: 'cancelled' | 'timeout') {
    this.reason ??= why;
    this.controller.abort(new Error(why));
  }
  dispose() {
    clearTimeout(this.timer);
    this.userSignal?.removeEventListener('abort', this.onAbort);
  }
}

export interface Prepared {
  adapter: ProviderAdapter;
  ctx: FailureContext;
  timeoutMs: number;
  stallTimeoutMs: number;
  maxResponseBytes: number;
}

export interface Refused {
  error: string;
  code: ErrorCode;
}

const isValid = (v: number, min: number) => typeof v === 'number' && Number.isFinite(v) && v >= min;

/** Checks a request's limits and provider before anything is sent. */
export function prepare(req: ChatRequest, defaults: Limits): Prepared | Refused {
  const timeoutMs = req.timeoutMs ?? defaults.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stallTimeoutMs = req.stallTimeoutMs ?? defaults.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const maxResponseBytes = req.maxResponseBytes ?? defaults.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!isValid(timeoutMs, MIN_TIMEOUT_MS))
    return {
      code: 'bad_request',
      error: `The request timeout (${timeoutMs} ms) is below the minimum of ${MIN_TIMEOUT_MS} ms; raise it (setting radarm.requestTimeout; CLI: RADARM_REQUEST_TIMEOUT).`,
    };
  if (!isValid(stallTimeoutMs, MIN_TIMEOUT_MS))
    return {
      code: 'bad_request',
      error: `The stall timeout (${stallTimeoutMs} ms) is below the minimum of ${MIN_TIMEOUT_MS} ms; raise it (setting radarm.stallTimeout; CLI: --timeout).`,
    };
  if (!isValid(maxResponseBytes, MIN_RESPONSE_BYTES))
    return {
      code: 'bad_request',
      error: `The answer size limit (${maxResponseBytes} bytes) is below the minimum of ${MIN_RESPONSE_BYTES} bytes; raise it (setting radarm.maxResponseMB; CLI: --max-response-mb).`,
    };
  const adapter = adapterFor(req.provider.kind);
  if (!adapter)
    return {
      code: 'bad_request',
      error: `Provider kind "${req.provider.kind}" is not served over HTTP; choose openai, azure or anthropic.`,
    };
  let url: URL;
  try {
    url = new URL(req.provider.baseUrl);
  } catch {
    return {
      code: 'bad_request',
      error: redactSecret(
        `The base URL "${req.provider.baseUrl}" of ${providerName(req.provider)} is not a valid URL. Use the full address, e.g. https://api.deepseek.com/v1.`,
        req.apiKey,
      ),
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { code: 'bad_request', error: `The base URL "${url.origin}" must start with http:// or https://.` };
  if (!req.provider.model?.trim())
    return {
      code: 'bad_request',
      error: `No model is set for ${providerName(req.provider)}. Set the model name in Radarm settings (CLI: --model).`,
    };
  return {
    adapter,
    timeoutMs,
    stallTimeoutMs,
    maxResponseBytes,
    ctx: { provider: req.provider, apiKey: req.apiKey, stallTimeoutMs, timeoutMs, received: 0, attempts: 1 },
  };
}

export function requestOptions(
  call: HttpCall,
  req: ChatRequest,
  userAgent: string | undefined,
  stream: boolean,
  headersTimeout: number,
  bodyTimeout: number,
): Dispatcher.RequestOptions {
  return {
    origin: call.url.origin,
    path: call.url.pathname + call.url.search,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'cache-control': 'no-cache',
      'user-agent': userAgent ?? 'radarm',
      ...lowerCaseKeys(req.provider.headers),
      ...call.headers,
      'x-radarm-stage': req.stage,
    },
    body: call.body,
    headersTimeout,
    bodyTimeout,
  };
}

/** Header names are case-insensitive: one spelling, so a provider's own header replaces ours instead of doubling it. */
function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** A body read up to `max` bytes; `truncated` says whether there was more. */
export async function readCapped(body: AsyncIterable<Uint8Array>, max = MAX_ERROR_BODY): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    chunks.push(Buffer.from(c));
    size += c.byteLength;
    if (size > max) return { bytes: Buffer.concat(chunks).subarray(0, max), truncated: true };
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}

/** An error body as text (the start is enough for the message). */
export async function readErrorBody(body: AsyncIterable<Uint8Array>): Promise<string> {
  return (await readCapped(body)).bytes.toString('utf8');
}

export const header = (h: Record<string, string | string[] | undefined>, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * undici hands the connection back to the pool a tick after the body ends; a caller that sends its
 * next request right away (agents do) would otherwise open a second connection. One macrotask is enough.
 */
export const connectionReleased = () => new Promise<void>((resolve) => setImmediate(resolve));

export function isEnded(body: unknown): boolean {
  const b = body as { readableEnded?: boolean; destroyed?: boolean };
  return Boolean(b.readableEnded || b.destroyed);
}
