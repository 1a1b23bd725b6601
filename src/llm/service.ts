// The undici LLM service: streamChat (SSE → thinking/content events → end|error) and chat (one JSON
// reply, ./reply) over OpenAI-compatible, Azure and Anthropic endpoints. Never throws: every failure
// becomes an `error` event / ChatResult with an actionable, key-free message and a machine-readable code.
import type { Dispatcher } from 'undici';
import type { ErrorCode, TokenUsage } from '../protocol/events';
import type { ChatRequest, LlmClient, LlmStreamEvent } from './types';
import type { HttpCall } from './providers';
import { createIndependentDispatcher, getLlmDispatcher } from './network';
import { DEFAULT_RETRY, sendWithRetry, type RetryInfo, type RetryPolicy, type SendError, type SendResult } from './send';
import type { EventSourceMessage } from 'eventsource-parser';
import { EventTooLargeError, NotUtf8Error, readSse, type SseStats } from './sse-reader';
import { createThinkSplitter } from './think-tags';
import { withinByteBudget } from './answer-cap';
import { contentStageFor, thinkingStageFor } from './stages';
import { redactSecret } from './redact';
import { reportWhile, retryStatus } from './retry-status';
import { chat, readReplyBody, replyEvents } from './reply';
import { notUtf8, unexpectedBody } from './unexpected-body';
import {
  CANCELLED_MESSAGE,
  cutMessage,
  httpErrorCode,
  httpFailure,
  providerName,
  timeoutMessage,
  tooLargeMessage,
  transportErrorCode,
  transportFailure,
} from './errors';
import { connectionReleased, header, isEnded, Lifetime, prepare, readErrorBody, requestOptions, type Limits } from './request';

export { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_STALL_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, MIN_TIMEOUT_MS } from './request';

export interface LlmServiceOptions extends Limits {
  /** Default whole-request timeout (a request's timeoutMs wins). */
  timeoutMs?: number;
  /** Default stall timeout (a request's stallTimeoutMs wins). */
  stallTimeoutMs?: number;
  /** Default cap of one answer in UTF-8 bytes, text plus reasoning (a request's maxResponseBytes wins). */
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** Sent as User-Agent. */
  userAgent?: string;
  /** The pooled dispatcher to use (default: the shared one from ./network). */
  dispatcher?: () => Dispatcher;
  /** Called before each retry (logging). Streams also report each retry as a `status` event. */
  onRetry?: (info: RetryInfo) => void;
}

export function createLlmService(options: LlmServiceOptions = {}): LlmClient {
  return {
    streamChat: (request, signal) => streamChat(request, signal, options),
    chat: (request, signal) => {
      const independent = request.usePool === false;
      const dispatcher = () => (independent ? createIndependentDispatcher() : (options.dispatcher?.() ?? getLlmDispatcher()));
      return chat(request, signal, { ...options, dispatcher, independent });
    },
  };
}

/** Endpoints (by URL) that answered 400 to stream_options: later requests there go without it. */
const noStreamOptions = new Set<string>();

const mergeUsage = (a: TokenUsage | undefined, b: TokenUsage): TokenUsage => {
  const out: TokenUsage = { ...a };
  for (const [k, v] of Object.entries(b) as [keyof TokenUsage, number | undefined][]) if (v !== undefined) out[k] = v;
  return out;
};

const charCount = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

async function* streamChat(
  req: ChatRequest,
  userSignal: AbortSignal | undefined,
  o: LlmServiceOptions,
): AsyncGenerator<LlmStreamEvent> {
  const prepared = prepare(req, o);
  if ('error' in prepared) {
    yield { type: 'error', content: prepared.error, code: prepared.code };
    return;
  }
  const { adapter, ctx, stallTimeoutMs, timeoutMs, maxResponseBytes } = prepared;
  const thinkingStage = thinkingStageFor(req.stage);
  const contentStage = contentStageFor(req.stage);
  const life = new Lifetime(userSignal, timeoutMs);
  const independent = req.usePool === false;
  const dispatcher = independent ? createIndependentDispatcher() : (o.dispatcher?.() ?? getLlmDispatcher());
  const policy = { ...DEFAULT_RETRY, ...o.retry };
  let body: (AsyncIterable<Uint8Array> & { destroy(err?: Error): unknown }) | undefined;
  let text = '';
  let reasoning = '';
  let bodyStarted = false;
  let failed = false;
  const fail = (content: string, code: ErrorCode): LlmStreamEvent => {
    failed = true;
    return { type: 'error', content: redactSecret(content, req.apiKey), code };
  };
  let contentType = '';
  let call: HttpCall | undefined;
  try {
    let sent: SendResult;
    for (let variant = 0; ; variant++) {
      const key = `${req.provider.kind} ${req.provider.baseUrl}`;
      const includeUsage = req.provider.kind !== 'anthropic' && !noStreamOptions.has(key);
      const thisCall = adapter.buildCall(req, { stream: true, includeUsage });
      call = thisCall;
      // Each retry is reported as a status event while the request waits for its next attempt.
      sent = yield* reportWhile<SendResult, LlmStreamEvent>((report) =>
        sendWithRetry(
          dispatcher,
          requestOptions(thisCall, req, o.userAgent, true, stallTimeoutMs, stallTimeoutMs),
          policy,
          life.signal,
          (info) => {
            o.onRetry?.(info);
            report(retryStatus(req.stage, info, policy.maxAttempts, req.locale));
          },
        ),
      );
      ctx.attempts = sent.attempts;
      // Some OpenAI-compatible servers reject stream_options: ask once more without it, and remember.
      if (sent.res.statusCode === 400 && includeUsage && variant === 0) {
        const errBody = await readErrorBody(sent.res.body);
        if (/stream_options|include_usage/i.test(errBody)) {
          noStreamOptions.add(key);
          continue;
        }
        yield fail(httpFailure(400, errBody, ctx), httpErrorCode(400, errBody));
        return;
      }
      break;
    }
    const { res } = sent;
    body = res.body;
    const where = `${call.url.origin}${call.url.pathname}`;
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const errBody = await readErrorBody(res.body);
      yield fail(httpFailure(res.statusCode, errBody, ctx, sent.retryAfterMs), httpErrorCode(res.statusCode, errBody));
      return;
    }
    contentType = header(res.headers, 'content-type') ?? '';
    if (/json/i.test(contentType) && !/event-stream/i.test(contentType)) {
      // The server ignored stream:true (some proxies and gateways do), or sent an error object: read it whole.
      const reply = await readReplyBody(res, adapter, prepared, where);
      yield* replyEvents(reply, req, () => (failed = true));
      return;
    }
    if (/text\/html/i.test(contentType)) {
      const head = (await readErrorBody(res.body)).slice(0, 4096);
      const d = unexpectedBody(ctx, contentType, head, where);
      yield fail(d.message, d.code);
      return;
    }

    const decode = adapter.createStreamDecoder();
    const thinkTags = createThinkSplitter();
    // The deltas of one network read become at most one event per run of the same kind: what
    // arrives together is shown together, and the cost per delta stays a string append, not an event.
    // A run is built as one string and added to the totals once, when it is closed.
    let out: LlmStreamEvent[] = [];
    let runType: 'thinking' | 'content' | undefined;
    let run = '';
    let answerBytes = 0;
    const closeRun = () => {
      if (!runType) return;
      answerBytes += Buffer.byteLength(run);
      if (runType === 'thinking') {
        reasoning += run;
        out.push({ type: 'thinking', stage: thinkingStage, content: run });
      } else {
        text += run;
        out.push({ type: 'content', stage: contentStage, content: run });
      }
      runType = undefined;
      run = '';
    };
    const push = (type: 'thinking' | 'content', delta: string) => {
      if (runType !== type) closeRun();
      runType = type;
      run += delta;
    };
    const pushSplit = (split: { content: string; reasoning: string }) => {
      if (split.reasoning) push('thinking', split.reasoning);
      if (split.content) push('content', split.content);
    };
    const drain = () => {
      closeRun();
      const batch = out;
      out = [];
      return batch;
    };
    const stats: SseStats = { invalidLines: 0, bytes: 0, head: '' };
    let malformed = 0;
    let firstMalformed: string | undefined;
    let valid = 0;
    let usage: TokenUsage | undefined;
    let finishReason: string | undefined;
    let finished = false;
    let midError: string | undefined;
    bodyStarted = true;
    const stopWith = function* (message: string, code: ErrorCode): Generator<LlmStreamEvent> {
      pushSplit(thinkTags.flush());
      yield* drain();
      ctx.received = charCount(text);
      yield fail(message, code);
    };
    // Runs synchronously for each message as the parser reads it.
    const onMessage = (msg: EventSourceMessage) => {
      // After the end marker (or an error), the rest of the response is read (so the connection can
      // be reused) but ignored.
      if (finished || midError !== undefined) return;
      const u = decode(msg);
      if (u.malformed) {
        if (malformed++ === 0) firstMalformed = msg.data.slice(0, 512);
        return;
      }
      valid++;
      if (u.error) {
        midError = u.error;
        return;
      }
      if (u.reasoning) push('thinking', u.reasoning);
      // Past a possible leading <think>, content is content: no splitter call per delta.
      if (u.content) {
        if (thinkTags.passthrough) push('content', u.content);
        else pushSplit(thinkTags.push(u.content));
      }
      if (u.usage) usage = mergeUsage(usage, u.usage);
      if (u.finishReason) finishReason = u.finishReason;
      if (u.done) finished = true;
    };
    try {
      // The first event goes out as soon as it is parsed, even from the middle of a read.
      const hasFirst = () => runType !== undefined || out.length > 0;
      let shownBytes = 0;
      for await (const _ of readSse(res.body, stats, onMessage, hasFirst)) {
        const batch = runType || out.length ? drain() : [];
        if (answerBytes > maxResponseBytes) {
          yield* withinByteBudget(batch, maxResponseBytes - shownBytes);
          ctx.received = charCount(text);
          yield fail(tooLargeMessage(ctx, maxResponseBytes, 'text plus reasoning'), 'response_too_large');
          return;
        }
        yield* batch;
        shownBytes = answerBytes;
        if (midError !== undefined) {
          yield* stopWith(
            `${providerName(req.provider)} reported an error mid-answer (${charCount(text)} characters received): ${midError}`,
            'bad_response',
          );
          return;
        }
      }
    } catch (err) {
      if (err instanceof NotUtf8Error) {
        const d = notUtf8(ctx, contentType, err.offset, err.around);
        yield* stopWith(d.message, d.code);
        return;
      }
      if (err instanceof EventTooLargeError) {
        yield* stopWith(tooLargeMessage(ctx, err.limitChars, 'one event'), 'response_too_large');
        return;
      }
      // The end marker arrived; what happens to the connection afterwards does not matter.
      if (!(finished || finishReason) || life.reason) {
        pushSplit(thinkTags.flush());
        yield* drain();
        throw err;
      }
    }
    pushSplit(thinkTags.flush());
    yield* drain();
    if (!finished && !finishReason) {
      ctx.received = charCount(text);
      const bad = malformed + stats.invalidLines;
      if (!text && !reasoning && (valid === 0 || bad > 0)) {
        // No answer, and what came was not events of this API: say what it was instead.
        const head = valid === 0 || firstMalformed === undefined ? stats.head : `data: ${firstMalformed}`;
        const d = unexpectedBody(ctx, contentType, head, where, bad);
        yield fail(d.message, d.code);
      } else yield fail(cutMessage(ctx), 'network');
      return;
    }
    await connectionReleased();
    yield {
      type: 'end',
      text,
      reasoning,
      usage,
      finishReason,
      malformedLines: malformed + stats.invalidLines,
    };
  } catch (err) {
    ctx.received = charCount(text);
    ctx.attempts = (err as SendError)?.attempts ?? ctx.attempts;
    if (life.reason === 'cancelled') yield fail(CANCELLED_MESSAGE, 'cancelled');
    else if (life.reason === 'timeout') yield fail(timeoutMessage(ctx), 'timeout');
    else yield fail(transportFailure(err, ctx, bodyStarted), transportErrorCode(err));
  } finally {
    life.dispose();
    // Stopped early (consumer returned, error, cancel): close the socket so the server stops generating.
    if (body && (failed || !isEnded(body))) body.destroy();
    if (independent) {
      if (failed) dispatcher.destroy().catch(() => {});
      else dispatcher.close().catch(() => {});
    }
  }
}
