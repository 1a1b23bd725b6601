/**
 * A real local LLM server for tests and benchmarks: node:http on 127.0.0.1 (random port) speaking
 * OpenAI chat-completions (streaming and not), Azure's deployment URLs (same wire format) and the
 * Anthropic Messages API (streaming and not). Every response is SCRIPTED per request.
 *
 *   const server = await startFakeLlmServer((req) => {
 *     if (req.stage === 'planner') return { steps: [{ text: '1. load\n' }, { text: '2. plot' }] };
 *     if (req.stage === 'executor') return { steps: textSteps('```python\nprint(1)\n```', 4) };
 *     return { status: 429, headers: { 'retry-after': '1' }, json: { error: { message: 'slow down' } } };
 *   });
 *   server.baseUrl      // 'http://127.0.0.1:PORT/v1'  → Provider.baseUrl for kind 'openai'
 *   server.origin       // 'http://127.0.0.1:PORT'     → Provider.baseUrl for 'anthropic' and 'azure'
 *   server.requests     // every FakeRequest seen (body parsed, headers, stage = X-Radarm-Stage)
 *   server.connections  // TCP connections accepted so far; server.closedSockets: how many have closed
 *   server.setHandler(fn) / await server.close()
 *
 * A handler gets the parsed request and returns a Script (or a Promise of one):
 *   - an error / plain reply:  { status: 401, json: {...} }  or  { status: 502, body: '<html>…', headers }
 *   - a stream: { steps: [...] } where steps is an array, or any (async) iterable (a generator yielding
 *     200 000 steps is fine: writes respect backpressure). Step kinds:
 *       { text }           a content delta in the request's format (OpenAI chunk / Anthropic text_delta)
 *       { reasoning }      a reasoning delta (OpenAI `reasoning_content`, or `reasoning` with
 *                          Script.reasoningField; Anthropic: a thinking block)
 *       { raw }            exact bytes/string written as-is (malformed lines, comments, your own events)
 *       { comment }        an SSE comment line, e.g. ': keep-alive'
 *       { stall: ms }      wait (ends early when the client goes away)
 *       { cut: true }      destroy the socket right now (connection cut mid-stream)
 *       { error: message } an in-stream error event in the request's format
 *   - Script.finish (default true): after the steps send the finish reason, usage and `[DONE]`
 *     (Anthropic: message_delta + message_stop). false = end the HTTP response cleanly without them.
 *   - Script.eol: '\n' (default) or '\r\n' for every line the server generates.
 *   - Script.writeBytes: re-chunk the whole output into writes of exactly N bytes (1 = every byte
 *     boundary, splitting UTF-8 characters); by default each step is one write.
 *   - Script.usage: token counts to report; Script.finishReason (default 'stop' / 'end_turn').
 * Requests with `"stream": false` get one JSON completion built from the steps' text and reasoning.
 * Without a handler, every request streams "Hello" then " world".
 * `hostile.*` builds the scripts of hostile servers: garbage lines, a JSON error or a web page sent with
 * HTTP 200, a wrong charset, an empty body, an answer of any size.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeFormat = 'openai' | 'anthropic';

export interface FakeRequest {
  method: string;
  /** Path plus query, e.g. /v1/chat/completions or /openai/deployments/d/chat/completions?api-version=… */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The X-Radarm-Stage header. */
  stage: string | undefined;
  /** Parsed JSON body (undefined when the body is not JSON). */
  body: any;
  rawBody: string;
  format: FakeFormat;
  stream: boolean;
  /** 1-based number of the TCP connection that carried this request. */
  connectionId: number;
}

export type Step =
  | { text: string }
  | { reasoning: string }
  | { raw: string | Uint8Array }
  | { comment: string }
  | { stall: number }
  | { cut: true }
  | { error: string };

export interface Script {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON reply body (errors, or your own non-streaming reply). */
  json?: unknown;
  /** A raw reply body (bytes for bodies that are not UTF-8). */
  body?: string | Uint8Array;
  steps?: Iterable<Step> | AsyncIterable<Step>;
  finish?: boolean;
  finishReason?: string;
  usage?: { prompt: number; completion: number };
  eol?: '\n' | '\r\n';
  writeBytes?: number;
  /** OpenAI format: which delta field carries reasoning (DeepSeek/Qwen: reasoning_content; OpenRouter/vLLM: reasoning). */
  reasoningField?: 'reasoning_content' | 'reasoning';
}

export type FakeHandler = (req: FakeRequest) => Script | Promise<Script>;

export interface FakeLlmServer {
  readonly origin: string;
  readonly baseUrl: string;
  readonly port: number;
  readonly requests: FakeRequest[];
  readonly connections: number;
  readonly closedSockets: number;
  setHandler(handler: FakeHandler): void;
  /** Resolves once at least `n` sockets have closed in total (rejects after timeoutMs). */
  waitForClosedSockets(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Splits text into deltas of `size` characters (code points, so no surrogate pair is split). */
export function textSteps(text: string, size = 1): Step[] {
  const chars = [...text];
  const steps: Step[] = [];
  for (let i = 0; i < chars.length; i += size) steps.push({ text: chars.slice(i, i + size).join('') });
  return steps;
}

/** The content of the last user message of an OpenAI or Anthropic request. */
export function lastUserText(req: FakeRequest): string {
  const msgs: any[] = req.body?.messages ?? [];
  for (let i = msgs.length - 1; i >= 0; i--) {
    if (msgs[i].role !== 'user') continue;
    const c = msgs[i].content;
    if (typeof c === 'string') return c;
    if (Array.isArray(c)) return c.map((p: any) => p.text ?? '').join('');
  }
  return '';
}

const defaultHandler: FakeHandler = () => ({ steps: [{ text: 'Hello' }, { text: ' world' }] });

/**
 * Hostile servers, one per behaviour seen in the wild: each answers HTTP 200 with something that is
 * not the answer, or too much of it. The client must say what the server actually sent.
 */
export const hostile = {
  /** An event stream whose every line is garbage (a broken gateway). */
  malformedOnly: (lines = 5): Script => ({
    steps: Array.from({ length: lines }, (_, i) => ({ raw: `data: {not json ${i}\n\n` })),
    finish: false,
  }),
  /** A 200 whose body is a JSON error object (some gateways), sent as JSON or labelled as a stream. */
  jsonError: (contentType = 'application/json', error: unknown = { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' }): Script => ({
    status: 200,
    headers: { 'content-type': contentType },
    body: JSON.stringify({ error }),
  }),
  /** A captive portal or proxy login page, with whatever content type it claims. */
  htmlPage: (contentType = 'text/html; charset=utf-8', title = 'Hotel Wi-Fi: please sign in'): Script => ({
    status: 200,
    headers: { 'content-type': contentType },
    body: `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><form>Room number</form></body></html>`,
  }),
  /** A stream that declares one charset and sends GB18030 bytes (a re-encoding proxy). */
  wrongCharset: (declared = 'utf-8'): Script => ({
    headers: { 'content-type': `text/event-stream; charset=${declared}` },
    steps: [
      { text: 'ok ' },
      // "数据" in GB18030: not valid UTF-8.
      { raw: Buffer.concat([Buffer.from('data: {"choices":[{"delta":{"content":"'), Buffer.from([0xca, 0xfd, 0xbe, 0xdd]), Buffer.from('"}}]}\n\n')]) },
    ],
  }),
  /** An empty 200. */
  empty: (): Script => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: '' }),
  /** An answer of about `bytes` bytes of text, streamed in 64 KB deltas. */
  huge: (bytes: number): Script => ({
    steps: (function* () {
      const piece = 'y'.repeat(64 * 1024);
      for (let sent = 0; sent < bytes; sent += piece.length) yield { text: piece };
    })(),
  }),
};

export async function startFakeLlmServer(handler: FakeHandler = defaultHandler): Promise<FakeLlmServer> {
  let current = handler;
  const requests: FakeRequest[] = [];
  let connections = 0;
  let closedSockets = 0;
  const closeWaiters = new Set<() => void>();
  const connectionIds = new WeakMap<Socket, number>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const u = new URL(req.url ?? '/', 'http://x');
      const stageHeader = req.headers['x-radarm-stage'];
      const fr: FakeRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        stage: Array.isArray(stageHeader) ? stageHeader[0] : stageHeader,
        body,
        rawBody,
        format: u.pathname.endsWith('/messages') ? 'anthropic' : 'openai',
        stream: body?.stream === true,
        connectionId: connectionIds.get(req.socket) ?? 0,
      };
      requests.push(fr);
      Promise.resolve()
        .then(() => current(fr))
        .then((script) => respond(fr, script, req, res))
        .catch((err) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: `fake server handler failed: ${String(err)}` } }));
        });
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    connections++;
    connectionIds.set(socket, connections);
    socket.on('close', () => {
      closedSockets++;
      for (const w of closeWaiters) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    baseUrl: `${origin}/v1`,
    port,
    requests,
    get connections() {
      return connections;
    },
    get closedSockets() {
      return closedSockets;
    },
    setHandler(h) {
      current = h;
    },
    waitForClosedSockets(n, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (closedSockets < n) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`only ${closedSockets} of ${n} sockets closed within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          closeWaiters.delete(check);
        };
        closeWaiters.add(check);
        check();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function respond(fr: FakeRequest, script: Script, req: http.IncomingMessage, res: http.ServerResponse) {
  const status = script.status ?? 200;
  if (script.json !== undefined || script.body !== undefined || status !== 200) {
    const isJson = script.json !== undefined;
    const payload: string | Uint8Array = isJson ? JSON.stringify(script.json) : (script.body ?? '');
    res.writeHead(status, {
      'content-type': isJson ? 'application/json' : 'text/plain; charset=utf-8',
      ...script.headers,
    });
    res.end(payload);
    return;
  }
  if (!fr.stream) return respondJson(fr, script, res);

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...script.headers,
  });
  res.flushHeaders();
  let gone = false;
  const onGone = () => {
    gone = true;
  };
  res.on('close', onGone);
  const out = new Writer(res, script.writeBytes);
  const enc = encoderFor(fr, script);
  try {
    for (const piece of enc.start()) await out.write(piece);
    for await (const step of toAsync(script.steps ?? [])) {
      if (gone) return;
      if ('stall' in step) {
        await out.flush();
        await stall(step.stall, res);
      } else if ('cut' in step) {
        await out.flush();
        res.socket?.destroy();
        return;
      } else {
        for (const piece of enc.step(step)) await out.write(piece);
      }
    }
    if (gone) return;
    if (script.finish !== false) for (const piece of enc.finish()) await out.write(piece);
    await out.flush();
    res.end();
  } catch {
    res.socket?.destroy();
  }
}

function respondJson(fr: FakeRequest, script: Script, res: http.ServerResponse) {
  // Non-streaming: gather the scripted text (sync iterables only) into one completion.
  let text = '';
  let reasoning = '';
  const steps = script.steps ?? [{ text: 'Hello world' }];
  if (Symbol.iterator in steps) {
    for (const s of steps as Iterable<Step>) {
      if ('text' in s) text += s.text;
      if ('reasoning' in s) reasoning += s.reasoning;
    }
  }
  const usage = script.usage ?? { prompt: 10, completion: [...text].length };
  const reply =
    fr.format === 'anthropic'
      ? {
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          model: fr.body?.model,
          content: [
            ...(reasoning ? [{ type: 'thinking', thinking: reasoning, signature: 'sig' }] : []),
            { type: 'text', text },
          ],
          stop_reason: script.finishReason ?? 'end_turn',
          usage: { input_tokens: usage.prompt, output_tokens: usage.completion },
        }
      : {
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          model: fr.body?.model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: text,
                ...(reasoning ? { [script.reasoningField ?? 'reasoning_content']: reasoning } : {}),
              },
              finish_reason: script.finishReason ?? 'stop',
            },
          ],
          usage: {
            prompt_tokens: usage.prompt,
            completion_tokens: usage.completion,
            total_tokens: usage.prompt + usage.completion,
          },
        };
  res.writeHead(200, { 'content-type': 'application/json', ...script.headers });
  res.end(JSON.stringify(reply));
}

interface Encoder {
  start(): string[];
  step(step: Step): (string | Uint8Array)[];
  finish(): string[];
}

function encoderFor(fr: FakeRequest, script: Script): Encoder {
  const eol = script.eol ?? '\n';
  const data = (obj: unknown) => `data: ${JSON.stringify(obj)}${eol}${eol}`;
  const event = (name: string, obj: unknown) => `event: ${name}${eol}data: ${JSON.stringify(obj)}${eol}${eol}`;
  let completion = 0;
  const common = (step: Step): (string | Uint8Array)[] | undefined => {
    if ('raw' in step) return [step.raw];
    if ('comment' in step) return [`:${step.comment.startsWith(' ') ? '' : ' '}${step.comment}${eol}${eol}`];
    return undefined;
  };

  if (fr.format === 'anthropic') {
    let block = -1;
    let blockType: 'text' | 'thinking' | undefined;
    const open = (type: 'text' | 'thinking'): string[] => {
      if (blockType === type) return [];
      const out: string[] = [];
      if (blockType) out.push(event('content_block_stop', { type: 'content_block_stop', index: block }));
      block++;
      blockType = type;
      const content_block = type === 'text' ? { type, text: '' } : { type, thinking: '' };
      out.push(event('content_block_start', { type: 'content_block_start', index: block, content_block }));
      return out;
    };
    return {
      start: () => [
        event('message_start', {
          type: 'message_start',
          message: {
            id: 'msg_fake',
            type: 'message',
            role: 'assistant',
            model: fr.body?.model,
            content: [],
            stop_reason: null,
            usage: { input_tokens: script.usage?.prompt ?? 10, output_tokens: 1 },
          },
        }),
        event('ping', { type: 'ping' }),
      ],
      step(step) {
        const c = common(step);
        if (c) return c;
        if ('text' in step) {
          completion += [...step.text].length;
          return [
            ...open('text'),
            event('content_block_delta', {
              type: 'content_block_delta',
              index: block,
              delta: { type: 'text_delta', text: step.text },
            }),
          ];
        }
        if ('reasoning' in step)
          return [
            ...open('thinking'),
            event('content_block_delta', {
              type: 'content_block_delta',
              index: block,
              delta: { type: 'thinking_delta', thinking: step.reasoning },
            }),
          ];
        if ('error' in step)
          return [event('error', { type: 'error', error: { type: 'overloaded_error', message: step.error } })];
        return [];
      },
      finish: () => [
        ...(blockType ? [event('content_block_stop', { type: 'content_block_stop', index: block })] : []),
        event('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: script.finishReason ?? 'end_turn', stop_sequence: null },
          usage: { output_tokens: script.usage?.completion ?? completion },
        }),
        event('message_stop', { type: 'message_stop' }),
      ],
    };
  }

  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    data({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      model: fr.body?.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
  return {
    start: () => [chunk({ role: 'assistant', content: '' })],
    step(step) {
      const c = common(step);
      if (c) return c;
      if ('text' in step) {
        completion += [...step.text].length;
        return [chunk({ content: step.text })];
      }
      if ('reasoning' in step) return [chunk({ [script.reasoningField ?? 'reasoning_content']: step.reasoning })];
      if ('error' in step) return [data({ error: { message: step.error, type: 'server_error' } })];
      return [];
    },
    finish() {
      const out = [chunk({}, script.finishReason ?? 'stop')];
      if (fr.body?.stream_options?.include_usage) {
        const u = script.usage ?? { prompt: 10, completion };
        out.push(
          data({
            id: 'chatcmpl-fake',
            object: 'chat.completion.chunk',
            choices: [],
            usage: { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion },
          }),
        );
      }
      out.push(`data: [DONE]${eol}${eol}`);
      return out;
    },
  };
}

/** Writes pieces to the response, optionally re-chunked into fixed-size writes, honouring backpressure. */
class Writer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  constructor(
    private res: http.ServerResponse,
    private writeBytes?: number,
  ) {}

  async write(piece: string | Uint8Array) {
    const buf = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece);
    if (!this.writeBytes) return this.send(buf);
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    if (this.pendingBytes >= this.writeBytes) await this.drainWhole();
  }

  async flush() {
    await this.drainWhole();
    if (this.pendingBytes) {
      const rest = Buffer.concat(this.pending);
      this.pending = [];
      this.pendingBytes = 0;
      await this.send(rest);
    }
  }

  private async drainWhole() {
    const n = this.writeBytes;
    if (!n || this.pendingBytes < n) return;
    let all = Buffer.concat(this.pending);
    while (all.length >= n) {
      await this.send(all.subarray(0, n));
      all = all.subarray(n);
    }
    this.pending = all.length ? [all] : [];
    this.pendingBytes = all.length;
  }

  private send(buf: Buffer): Promise<void> | void {
    if (this.res.destroyed || this.res.writableEnded) throw new Error('client went away');
    if (this.res.write(buf)) return;
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        this.res.off('drain', onDrain);
        this.res.off('close', onClose);
        err ? reject(err) : resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(new Error('client went away'));
      this.res.once('drain', onDrain);
      this.res.once('close', onClose);
    });
  }
}

function stall(ms: number, res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      res.off('close', finish);
      resolve();
    }
    res.once('close', finish);
  });
}

async function* toAsync<T>(it: Iterable<T> | AsyncIterable<T>): AsyncGenerator<T> {
  yield* it as AsyncIterable<T>;
}
