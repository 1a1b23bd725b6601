// The undici LLM service: streamChat (SSE → thinking/content events → end|error) and chat (one JSON
// reply) over OpenAI-compatible, Azure and Anthropic endpoints. Never throws: every failure becomes an
// `error` event / ChatResult with an actionable, key-free message.
import type { Dispatcher } from 'undici';
import type { TokenUsage } from '../protocol/events';
import type { ChatRequest, ChatResult, LlmClient, LlmStreamEvent } from './types';
import { adapterFor, type HttpCall, type ProviderAdapter, type Reply } from './providers';
import { createIndependentDispatcher, getLlmDispatcher } from './network';
import { DEFAULT_RETRY, sendWithRetry, type RetryPolicy, type SendError } from './send';
import { readSse, type SseStats } from './sse-reader';
import { createThinkSplitter } from './think-tags';
import { contentStageFor, thinkingStageFor } from './stages';
import { redactSecret } from './redact';
import {
  CANCELLED_MESSAGE,
  cutMessage,
  httpFailure,
  providerName,
  timeoutMessage,
  transportFailure,
  type FailureContext,
} from './errors';

export const DEFAULT_TIMEOUT_MS = 180_000;
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;
const MAX_ERROR_BODY = 64 * 1024;

export interface LlmServiceOptions {
  /** Default whole-request timeout (a request's timeoutMs wins). */
  timeoutMs?: number;
  /** Default stall timeout (a request's stallTimeoutMs wins). */
  stallTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Sent as User-Agent. */
  userAgent?: string;
  /** The pooled dispatcher to use (default: the shared one from ./network). */
  dispatcher?: () => Dispatcher;
  /** Called before each retry (logging). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export function createLlmService(options: LlmServiceOptions = {}): LlmClient {
  return {
    streamChat: (request, signal) => streamChat(request, signal, options),
    chat: (request, signal) => chat(request, signal, options),
  };
}

/** Endpoints (by URL) that answered 400 to stream_options: later requests there go without it. */
const noStreamOptions = new Set<string>();

/** Aborts on the caller's signal or the whole-request timeout, remembering which came first. */
class Lifetime {
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

interface Prepared {
  adapter: ProviderAdapter;
  ctx: FailureContext;
  timeoutMs: number;
  stallTimeoutMs: number;
}

function prepare(req: ChatRequest, o: LlmServiceOptions): Prepared | { error: string } {
  const timeoutMs = req.timeoutMs ?? o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stallTimeoutMs = req.stallTimeoutMs ?? o.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const adapter = adapterFor(req.provider.kind);
  if (!adapter)
    return { error: `Provider kind "${req.provider.kind}" is not served over HTTP; choose openai, azure or anthropic.` };
  let url: URL;
  try {
    url = new URL(req.provider.baseUrl);
  } catch {
    return {
      error: redactSecret(
        `The base URL "${req.provider.baseUrl}" of ${providerName(req.provider)} is not a valid URL. Use the full address, e.g. https://api.deepseek.com/v1.`,
        req.apiKey,
      ),
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { error: `The base URL "${url.origin}" must start with http:// or https://.` };
  if (!req.provider.model?.trim())
    return { error: `No model is set for ${providerName(req.provider)}. Set the model name in Radarm settings (CLI: --model).` };
  return {
    adapter,
    timeoutMs,
    stallTimeoutMs,
    ctx: { provider: req.provider, apiKey: req.apiKey, stallTimeoutMs, timeoutMs, received: 0, attempts: 1 },
  };
}

function requestOptions(
  call: HttpCall,
  req: ChatRequest,
  o: LlmServiceOptions,
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
      'user-agent': o.userAgent ?? 'radarm',
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

async function readCapped(body: AsyncIterable<Uint8Array>, max = MAX_ERROR_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    chunks.push(Buffer.from(c));
    size += c.byteLength;
    if (size >= max) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

const header = (h: Record<string, string | string[] | undefined>, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

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
    yield { type: 'error', content: prepared.error };
    return;
  }
  const { adapter, ctx, stallTimeoutMs, timeoutMs } = prepared;
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
  const fail = (content: string): LlmStreamEvent => {
    failed = true;
    return { type: 'error', content: redactSecret(content, req.apiKey) };
  };
  try {
    let sent;
    let call: HttpCall;
    for (let variant = 0; ; variant++) {
      const key = `${req.provider.kind} ${req.provider.baseUrl}`;
      const includeUsage = req.provider.kind !== 'anthropic' && !noStreamOptions.has(key);
      call = adapter.buildCall(req, { stream: true, includeUsage });
      sent = await sendWithRetry(
        dispatcher,
        requestOptions(call, req, o, true, stallTimeoutMs, stallTimeoutMs),
        policy,
        life.signal,
        o.onRetry,
      );
      ctx.attempts = sent.attempts;
      // Some OpenAI-compatible servers reject stream_options: ask once more without it, and remember.
      if (sent.res.statusCode === 400 && includeUsage && variant === 0) {
        const errBody = await readCapped(sent.res.body);
        if (/stream_options|include_usage/i.test(errBody)) {
          noStreamOptions.add(key);
          continue;
        }
        yield fail(httpFailure(400, errBody, ctx));
        return;
      }
      break;
    }
    const { res } = sent;
    body = res.body;
    if (res.statusCode < 200 || res.statusCode >= 300) {
      yield fail(httpFailure(res.statusCode, await readCapped(res.body), ctx, sent.retryAfterMs));
      return;
    }
    const contentType = header(res.headers, 'content-type') ?? '';
    if (/json/i.test(contentType) && !/event-stream/i.test(contentType)) {
      // The server ignored stream:true (some proxies and gateways do): take the whole reply.
      const raw = await readCapped(res.body, 64 * 1024 * 1024);
      await connectionReleased();
      yield* replyEvents(raw, adapter, thinkingStage, contentStage, ctx, (f) => (failed = f));
      return;
    }
    if (/text\/html/i.test(contentType)) {
      const snippet = (await readCapped(res.body, 4096)).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
      yield fail(
        `Expected an event stream from ${call.url.origin}${call.url.pathname} but got a web page (${contentType}: ${snippet.slice(0, 160)}). ` +
          'A proxy login page may be in the way, or the base URL is wrong.',
      );
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
    const closeRun = () => {
      if (!runType) return;
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
    const stats: SseStats = { invalidLines: 0, bytes: 0 };
    let malformed = 0;
    let usage: TokenUsage | undefined;
    let finishReason: string | undefined;
    let finished = false;
    let midError: string | undefined;
    bodyStarted = true;
    try {
      for await (const batch of readSse(res.body, stats)) {
        // After the end marker, keep reading to the end of the response (so the connection can be
        // reused) but ignore anything else.
        if (finished) continue;
        for (const msg of batch) {
          const u = decode(msg);
          if (u.malformed) {
            malformed++;
            continue;
          }
          if (u.error) {
            midError = u.error;
            break;
          }
          if (u.reasoning) push('thinking', u.reasoning);
          if (u.content) pushSplit(thinkTags.push(u.content));
          if (u.usage) usage = mergeUsage(usage, u.usage);
          if (u.finishReason) finishReason = u.finishReason;
          if (u.done) {
            finished = true;
            break;
          }
        }
        if (runType || out.length) yield* drain();
        if (midError !== undefined) {
          pushSplit(thinkTags.flush());
          yield* drain();
          ctx.received = charCount(text);
          yield fail(`${providerName(req.provider)} reported an error mid-answer (${ctx.received} characters received): ${midError}`);
          return;
        }
      }
    } catch (err) {
      // The end marker arrived; what happens to the connection afterwards does not matter.
      if (!(finished || finishReason) || life.reason) {
        pushSplit(thinkTags.flush());
        yield* drain();
        throw err;
      }
    }
    pushSplit(thinkTags.flush());
    yield* drain();
    ctx.received = charCount(text);
    if (!finished && !finishReason) {
      yield fail(cutMessage(ctx));
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
    if (life.reason === 'cancelled') yield fail(CANCELLED_MESSAGE);
    else if (life.reason === 'timeout') yield fail(timeoutMessage(ctx));
    else yield fail(transportFailure(err, ctx, bodyStarted));
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

/**
 * undici hands the connection back to the pool a tick after the body ends; a caller that sends its
 * next request right away (agents do) would otherwise open a second connection. One macrotask is enough.
 */
const connectionReleased = () => new Promise<void>((resolve) => setImmediate(resolve));

function isEnded(body: unknown): boolean {
  const b = body as { readableEnded?: boolean; destroyed?: boolean };
  return Boolean(b.readableEnded || b.destroyed);
}

function* replyEvents(
  raw: string,
  adapter: ProviderAdapter,
  thinkingStage: ReturnType<typeof thinkingStageFor>,
  contentStage: ReturnType<typeof contentStageFor>,
  ctx: FailureContext,
  setFailed: (f: boolean) => void,
): Generator<LlmStreamEvent> {
  const reply = parseReplyText(raw, adapter);
  if ('error' in reply) {
    setFailed(true);
    yield { type: 'error', content: redactSecret(reply.error, ctx.apiKey) };
    return;
  }
  if (reply.reasoning) yield { type: 'thinking', stage: thinkingStage, content: reply.reasoning };
  if (reply.text) yield { type: 'content', stage: contentStage, content: reply.text };
  yield { type: 'end', ...reply, malformedLines: 0 };
}

/** A whole reply whose text starts with <think>…</think>: move that part to the reasoning. */
function splitInlineThinking(reply: Reply): Reply {
  const splitter = createThinkSplitter();
  const a = splitter.push(reply.text);
  const b = splitter.flush();
  const inline = a.reasoning + b.reasoning;
  if (!inline) return reply;
  return { ...reply, text: a.content + b.content, reasoning: reply.reasoning ? `${reply.reasoning}\n${inline}` : inline };
}

function parseReplyText(raw: string, adapter: ProviderAdapter): Reply | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { error: `The server's reply is not valid JSON (${raw.length} characters): ${raw.slice(0, 200)}` };
  }
  const parsed = adapter.parseReply(json);
  const reply = parsed && splitInlineThinking(parsed);
  if (!reply) {
    const err = (json as { error?: unknown })?.error;
    const said = typeof err === 'string' ? err : (err as { message?: string })?.message;
    return { error: said ? `The server reported an error: ${said}` : `The server's reply has an unexpected shape: ${raw.slice(0, 200)}` };
  }
  return reply;
}

async function chat(req: ChatRequest, userSignal: AbortSignal | undefined, o: LlmServiceOptions): Promise<ChatResult> {
  const failure = (error: string): ChatResult => ({ ok: false, text: '', reasoning: '', error: redactSecret(error, req.apiKey) });
  const prepared = prepare(req, o);
  if ('error' in prepared) return failure(prepared.error);
  const { adapter, ctx, stallTimeoutMs, timeoutMs } = prepared;
  const life = new Lifetime(userSignal, timeoutMs);
  const independent = req.usePool === false;
  const dispatcher = independent ? createIndependentDispatcher() : (o.dispatcher?.() ?? getLlmDispatcher());
  let ok = false;
  try {
    const call = adapter.buildCall(req, { stream: false, includeUsage: false });
    // No bytes come before the whole reply is ready, so the wait for headers is bounded by the
    // whole-request timeout, not the stall timeout.
    const sent = await sendWithRetry(
      dispatcher,
      requestOptions(call, req, o, false, timeoutMs, stallTimeoutMs),
      { ...DEFAULT_RETRY, ...o.retry },
      life.signal,
      o.onRetry,
    );
    ctx.attempts = sent.attempts;
    const raw = await readCapped(sent.res.body, 64 * 1024 * 1024);
    await connectionReleased();
    if (sent.res.statusCode < 200 || sent.res.statusCode >= 300)
      return failure(httpFailure(sent.res.statusCode, raw, ctx, sent.retryAfterMs));
    const reply = parseReplyText(raw, adapter);
    if ('error' in reply) return failure(reply.error);
    ok = true;
    return { ok: true, ...reply };
  } catch (err) {
    ctx.attempts = (err as SendError)?.attempts ?? ctx.attempts;
    if (life.reason === 'cancelled') return failure(CANCELLED_MESSAGE);
    if (life.reason === 'timeout') return failure(timeoutMessage(ctx));
    return failure(transportFailure(err, ctx, false));
  } finally {
    life.dispose();
    if (independent) (ok ? dispatcher.close() : dispatcher.destroy()).catch(() => {});
  }
}
