// Whole (non-streamed) replies: the `chat` call, and the JSON body a server sends when it ignores
// stream:true. Both are read up to the answer cap and parsed by the provider's adapter.
import type { Dispatcher } from 'undici';
import type { ErrorCode } from '../protocol/events';
import type { ChatRequest, ChatResult, LlmStreamEvent } from './types';
import type { ProviderAdapter, Reply } from './providers';
import { DEFAULT_RETRY, sendWithRetry, type RetryPolicy, type SendError } from './send';
import { splitThinking } from './think-tags';
import { contentStageFor, thinkingStageFor } from './stages';
import { redactSecret } from './redact';
import {
  CANCELLED_MESSAGE,
  httpErrorCode,
  httpFailure,
  timeoutMessage,
  tooLargeMessage,
  transportErrorCode,
  transportFailure,
  type FailureContext,
} from './errors';
import { unexpectedBody } from './unexpected-body';
import {
  connectionReleased,
  header,
  Lifetime,
  prepare,
  readCapped,
  requestOptions,
  type Limits,
  type Prepared,
} from './request';
import type { RetryInfo } from './send';

export interface ReplyFailure {
  error: string;
  code: ErrorCode;
}

/** A JSON body may carry escapes and framing around the answer: read up to this much of it. */
export const bodyCapFor = (maxResponseBytes: number) => maxResponseBytes * 2 + 64 * 1024;

/** A whole reply whose text starts with <think>…</think>: move that part to the reasoning. */
function splitInlineThinking(reply: Reply): Reply {
  const { content, reasoning: inline } = splitThinking(reply.text);
  if (!inline) return reply;
  return { ...reply, text: content, reasoning: reply.reasoning ? `${reply.reasoning}\n${inline}` : inline };
}

/** A 2xx JSON body → the reply, or what the server sent instead (an error object, a page, garbage). */
export function parseReplyBody(
  raw: string,
  adapter: ProviderAdapter,
  p: Prepared,
  contentType: string,
  where: string,
): Reply | ReplyFailure {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    const d = unexpectedBody(p.ctx, contentType, raw.slice(0, 512), where);
    return { error: d.message, code: d.code };
  }
  const parsed = adapter.parseReply(json);
  if (!parsed) {
    const d = unexpectedBody(p.ctx, contentType, raw.slice(0, 2048), where);
    return { error: d.message, code: d.code };
  }
  const reply = splitInlineThinking(parsed);
  if (Buffer.byteLength(reply.text) + Buffer.byteLength(reply.reasoning) > p.maxResponseBytes)
    return { error: tooLargeMessage(p.ctx, p.maxResponseBytes, 'one whole reply'), code: 'response_too_large' };
  return reply;
}

/** Reads a 2xx JSON body whole (bounded by the answer cap). */
export async function readReplyBody(
  res: Dispatcher.ResponseData,
  adapter: ProviderAdapter,
  p: Prepared,
  where: string,
): Promise<Reply | ReplyFailure> {
  const { bytes, truncated } = await readCapped(res.body, bodyCapFor(p.maxResponseBytes));
  if (truncated) {
    res.body.destroy();
    return { error: tooLargeMessage(p.ctx, p.maxResponseBytes, `a reply body over ${bodyCapFor(p.maxResponseBytes)} bytes`), code: 'response_too_large' };
  }
  await connectionReleased();
  return parseReplyBody(bytes.toString('utf8'), adapter, p, header(res.headers, 'content-type') ?? '', where);
}

/** The events of a whole reply that arrived where a stream was asked for. */
export function* replyEvents(reply: Reply | ReplyFailure, req: ChatRequest, setFailed: () => void): Generator<LlmStreamEvent> {
  if ('error' in reply) {
    setFailed();
    yield { type: 'error', content: redactSecret(reply.error, req.apiKey), code: reply.code };
    return;
  }
  if (reply.reasoning) yield { type: 'thinking', stage: thinkingStageFor(req.stage), content: reply.reasoning };
  if (reply.text) yield { type: 'content', stage: contentStageFor(req.stage), content: reply.text };
  yield { type: 'end', ...reply, malformedLines: 0 };
}

export interface ChatDeps extends Limits {
  userAgent?: string;
  retry?: Partial<RetryPolicy>;
  /** Called once the request is known to be valid. */
  dispatcher: () => Dispatcher;
  independent: boolean;
  onRetry?: (info: RetryInfo) => void;
}

export async function chat(req: ChatRequest, userSignal: AbortSignal | undefined, o: ChatDeps): Promise<ChatResult> {
  const failure = (error: string, code: ErrorCode): ChatResult => ({
    ok: false,
    text: '',
    reasoning: '',
    error: redactSecret(error, req.apiKey),
    code,
  });
  const prepared = prepare(req, o);
  if ('error' in prepared) return failure(prepared.error, prepared.code);
  const { adapter, ctx, stallTimeoutMs, timeoutMs } = prepared;
  const life = new Lifetime(userSignal, timeoutMs);
  const dispatcher = o.dispatcher();
  let ok = false;
  try {
    const call = adapter.buildCall(req, { stream: false, includeUsage: false });
    // No bytes come before the whole reply is ready, so the wait for headers is bounded by the
    // whole-request timeout, not the stall timeout.
    const sent = await sendWithRetry(
      dispatcher,
      requestOptions(call, req, o.userAgent, false, timeoutMs, stallTimeoutMs),
      { ...DEFAULT_RETRY, ...o.retry },
      life.signal,
      o.onRetry,
    );
    ctx.attempts = sent.attempts;
    const { statusCode } = sent.res;
    if (statusCode < 200 || statusCode >= 300) {
      const raw = (await readCapped(sent.res.body)).bytes.toString('utf8');
      await connectionReleased();
      return failure(httpFailure(statusCode, raw, ctx, sent.retryAfterMs), httpErrorCode(statusCode, raw));
    }
    const reply = await readReplyBody(sent.res, adapter, prepared, `${call.url.origin}${call.url.pathname}`);
    if ('error' in reply) return failure(reply.error, reply.code);
    ok = true;
    return { ok: true, ...reply };
  } catch (err) {
    ctx.attempts = (err as SendError)?.attempts ?? ctx.attempts;
    if (life.reason === 'cancelled') return failure(CANCELLED_MESSAGE, 'cancelled');
    if (life.reason === 'timeout') return failure(timeoutMessage(ctx), 'timeout');
    return failure(transportFailure(err, ctx, false), transportErrorCode(err));
  } finally {
    life.dispose();
    if (o.independent) (ok ? dispatcher.close() : dispatcher.destroy()).catch(() => {});
  }
}

export type { FailureContext };
