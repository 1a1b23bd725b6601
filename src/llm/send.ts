// Sends one LLM HTTP request, retrying only what a retry can cure and only BEFORE the response body is
// handed over: 429/5xx statuses and connection failures, with exponential backoff that honours
// Retry-After, bounded in attempts and total time. Once a 2xx (or a final error) response is
// returned, nothing is retried, so a streamed answer is never requested twice.
//
// Why not undici's retry interceptor: its RetryHandler treats every 200 as resumable and, when the
// connection drops mid-body, re-sends the POST with a Range header (a second, billed generation),
// and its retry callback cannot tell "before the body" from "mid-body"; with throwOnError it also
// discards the final error body we need for the message. This loop is the thin wrapper instead.
import type { Dispatcher } from 'undici';
import { delay } from '../util/abort';

export interface RetryPolicy {
  /** Total attempts including the first (default 4). */
  maxAttempts: number;
  /** First backoff delay; doubles each retry (default 500 ms). */
  minDelayMs: number;
  /** Cap of one backoff delay (default 8 s). */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error is reported instead (default 30 s). */
  maxRetryAfterMs: number;
  /** Total time spent on attempts and waits after which no further retry starts (default 60 s). */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  minDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
  budgetMs: 60_000,
};

const RETRY_STATUS = new Set([429, 500, 502, 503, 504, 529]);
// Failures before any response where a fresh connection may well succeed (a stale keep-alive socket,
// a transient reset or DNS hiccup). Not ECONNREFUSED or ENOTFOUND: those are configuration errors.
const RETRY_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'EAI_AGAIN', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export interface SendResult {
  res: Dispatcher.ResponseData;
  attempts: number;
  /** The last Retry-After the server sent, in ms (for the message when we stop retrying). */
  retryAfterMs?: number;
}

/** One retry about to happen: the attempt that failed, the wait before the next, and why. */
export interface RetryInfo {
  attempt: number;
  delayMs: number;
  reason: string;
}

/** Errors thrown by sendWithRetry carry how many attempts were made. */
export type SendError = Error & { attempts?: number; code?: string };

export function retryAfterMs(headers: Record<string, string | string[] | undefined>): number | undefined {
  const raw = headers['retry-after-ms'] ?? headers['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  if (headers['retry-after-ms'] !== undefined) {
    const ms = Number(value);
    return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
  }
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

export async function sendWithRetry(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
  policy: RetryPolicy,
  signal: AbortSignal,
  onRetry?: (info: RetryInfo) => void,
): Promise<SendResult> {
  const started = Date.now();
  let lastRetryAfter: number | undefined;
  for (let attempt = 1; ; attempt++) {
    const backoff = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (attempt - 1));
    const canWait = (delay: number) =>
      attempt < policy.maxAttempts && Date.now() - started + delay <= policy.budgetMs && !signal.aborted;
    let res: Dispatcher.ResponseData;
    try {
      res = await dispatcher.request({ ...options, signal });
    } catch (err) {
      const code = errorCode(err);
      if (code && RETRY_CODES.has(code) && canWait(backoff)) {
        onRetry?.({ attempt, delayMs: backoff, reason: code });
        await delay(backoff, signal);
        continue;
      }
      if (err && typeof err === 'object') (err as SendError).attempts = attempt;
      throw err;
    }
    if (RETRY_STATUS.has(res.statusCode)) {
      const asked = retryAfterMs(res.headers);
      lastRetryAfter = asked ?? lastRetryAfter;
      const wait = asked ?? backoff;
      if ((asked === undefined || asked <= policy.maxRetryAfterMs) && canWait(wait)) {
        await res.body.dump().catch(() => {});
        onRetry?.({ attempt, delayMs: wait, reason: `HTTP ${res.statusCode}` });
        await delay(wait, signal);
        continue;
      }
    }
    return { res, attempts: attempt, retryAfterMs: lastRetryAfter };
  }
}
