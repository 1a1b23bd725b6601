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
import type { FakeHandler, FakeLlmServer, FakeRequest, Script, Step } from './fake-llm-script';
import { encoderFor, Writer } from './fake-llm-wire';

export * from './fake-llm-script';

const defaultHandler: FakeHandler = () => ({ steps: [{ text: 'Hello' }, { text: ' world' }] });

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
