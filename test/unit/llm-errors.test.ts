// Failures of the LLM service: every one becomes an actionable error event (never a throw, never a
// hang, never the API key), retries only where they can help and only before the answer streams.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { createLlmService, VSCODE_KNOBS, type LlmStreamEvent } from '../../src/llm';
import { collect, contentOf, endingError, requestsTo, useFakeLlmServer } from '../helpers/llm-fixture';

const KEY = 'sk-live-ABCDEF0123456789abcdef';

const errorOf = (events: LlmStreamEvent[]): string => endingError(events).content;

/** Every event serialized, checked for the key and any 6-character piece of it. */
function assertNoKey(value: unknown) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  for (let i = 0; i + 6 <= KEY.length; i++)
    assert.ok(!text.includes(KEY.slice(i, i + 6)), `output contains part of the API key: ${text}`);
}

describe('LLM service: errors, retries, timeouts, cancel', function () {
  const server = useFakeLlmServer();
  const llm = createLlmService({ retry: { minDelayMs: 20, maxDelayMs: 200, maxAttempts: 3 } });
  const { provider, request } = requestsTo(server, { id: 'deepseek', model: 'deepseek-chat', apiKey: KEY });

  it('in VS Code the messages name commands and settings, never CLI flags or variables', async () => {
    const vscodeLlm = createLlmService({ retry: { maxAttempts: 1 }, knobs: VSCODE_KNOBS });
    server.setHandler(() => ({ status: 401, json: { error: { message: 'bad key' } } }));
    const auth = errorOf(await collect(vscodeLlm.streamChat(request())));
    assert.match(auth, /Set a valid key with the command "Radarm: Set API Key"/);
    const refused = errorOf(await collect(vscodeLlm.streamChat({ ...request(), stallTimeoutMs: 1 })));
    assert.match(refused, /the setting radarm\.stallTimeout/);
    for (const msg of [auth, refused]) assert.doesNotMatch(msg, /--[a-z]|RADARM_|CLI/, msg);
  });

  it('401: says the key was rejected and how to set it, without the key (even when the server echoes it)', async () => {
    server.setHandler(() => ({
      status: 401,
      json: { error: { message: `Incorrect API key provided: ${KEY}. You can find your API key at …`, type: 'invalid_request_error' } },
    }));
    const events = await collect(llm.streamChat(request()));
    const msg = errorOf(events);
    assert.match(msg, /The API key was rejected by deepseek \(HTTP 401\)/);
    assert.match(msg, /RADARM_API_KEY/, 'a service that names no host speaks the CLI\'s words');
    assert.match(msg, /Incorrect API key provided/);
    assertNoKey(events);
    assert.equal(server.requests.length, 1, '401 is not retried');

    const result = await llm.chat(request());
    assert.equal(result.ok, false);
    assert.match(result.error ?? '', /rejected by deepseek/);
    assertNoKey(result);
  });

  it('403 with a partial key echo: rejected, and no piece of the key leaks', async () => {
    server.setHandler(() => ({ status: 403, json: { error: `key ${KEY.slice(0, 12)}… is not allowed for this model` } }));
    const events = await collect(llm.streamChat(request()));
    assert.match(errorOf(events), /rejected by deepseek \(HTTP 403\)/);
    assertNoKey(events);
  });

  it('404: names the model and the base URL', async () => {
    server.setHandler(() => ({ status: 404, json: { error: { message: 'The model `deepseek-chat` does not exist' } } }));
    const msg = errorOf(await collect(llm.streamChat(request())));
    assert.match(msg, /"deepseek-chat"/);
    assert.ok(msg.includes(server.baseUrl), msg);
    assert.match(msg, /does not exist/);
    assert.equal(server.requests.length, 1);
  });

  it('400 context too long: a clear message and no retry', async () => {
    server.setHandler(() => ({
      status: 400,
      json: { error: { message: "This model's maximum context length is 65536 tokens. However, you requested 90000 tokens." } },
    }));
    const msg = errorOf(await collect(llm.streamChat(request())));
    assert.match(msg, /too long for model "deepseek-chat"/);
    assert.match(msg, /maximum context length/);
    assert.equal(server.requests.length, 1);
  });

  it('400 bad request: the server message and no retry', async () => {
    server.setHandler(() => ({ status: 400, json: { error: { message: 'temperature must be <= 2' } } }));
    const msg = errorOf(await collect(llm.streamChat(request())));
    assert.match(msg, /rejected the request \(HTTP 400\).*temperature must be <= 2/);
    assert.equal(server.requests.length, 1);
  });

  it('429 with Retry-After, then success: waits as asked and streams the answer', async () => {
    let calls = 0;
    server.setHandler(() =>
      ++calls === 1
        ? { status: 429, headers: { 'retry-after': '1' }, json: { error: { message: 'Rate limit reached' } } }
        : { steps: [{ text: 'after ' }, { text: 'wait' }] },
    );
    const t0 = Date.now();
    const events = await collect(llm.streamChat(request()));
    const elapsed = Date.now() - t0;
    assert.equal(events[events.length - 1].type, 'end');
    assert.equal(contentOf(events), 'after wait');
    assert.equal(server.requests.length, 2);
    assert.ok(elapsed >= 900, `Retry-After: 1 honoured (waited ${elapsed} ms)`);
  });

  it('429 that asks for a wait longer than allowed: no retry, says how long the server asked', async () => {
    server.setHandler(() => ({ status: 429, headers: { 'retry-after': '3600' }, json: { error: { message: 'quota' } } }));
    const t0 = Date.now();
    const msg = errorOf(await collect(llm.streamChat(request())));
    assert.ok(Date.now() - t0 < 5000);
    assert.match(msg, /Rate limited by deepseek \(HTTP 429\)/);
    assert.match(msg, /3600 s/);
    assert.equal(server.requests.length, 1);
  });

  it('500: retried with backoff up to the attempt limit, then a clear message with the server text', async () => {
    server.setHandler(() => ({ status: 500, json: { error: { message: 'upstream exploded' } } }));
    const events = await collect(llm.streamChat(request()));
    const msg = errorOf(events);
    assert.equal(server.requests.length, 3);
    assert.match(msg, /deepseek failed with HTTP 500 after 3 attempts/);
    assert.match(msg, /upstream exploded/);
    assert.equal(contentOf(events), '');
  });

  it('502 HTML page from a gateway: retried, then a readable message without tags', async () => {
    server.setHandler(() => ({ status: 502, body: '<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>' }));
    const msg = errorOf(await collect(llm.streamChat(request())));
    assert.match(msg, /HTTP 502 after 3 attempts.*502 Bad Gateway nginx/);
    assert.ok(!msg.includes('<h1>'));
  });

  it('a connection reset before any response is retried', async () => {
    // A raw TCP server: the first connection is reset before any response, the second answers.
    let resets = 0;
    const raw = net.createServer((s) => {
      if (++resets <= 1) s.destroy();
      else s.end('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\ndata: {"choices":[{"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    try {
      const port = (raw.address() as net.AddressInfo).port;
      const events = await collect(llm.streamChat(request({ provider: provider({ baseUrl: `http://127.0.0.1:${port}/v1` }) })));
      assert.equal(events[events.length - 1].type, 'end', JSON.stringify(events));
      assert.equal(contentOf(events), 'ok');
      assert.equal(resets, 2);
    } finally {
      raw.close();
    }
  });

  it('a connection cut mid-stream: the partial text is kept, an error says so, nothing is retried', async () => {
    server.setHandler(() => ({ steps: [{ text: '前半段' }, { text: 'answer' }, { stall: 50 }, { cut: true }] }));
    const events = await collect(llm.streamChat(request()));
    assert.equal(contentOf(events), '前半段answer');
    const msg = errorOf(events);
    assert.match(msg, /connection was cut before the answer finished \(9 characters received/);
    assert.equal(server.requests.length, 1, 'no second (billed) request after content streamed');
  });

  it('a stream that ends cleanly without [DONE] or a finish reason is reported as cut', async () => {
    server.setHandler(() => ({ steps: [{ text: 'half an ans' }], finish: false }));
    const events = await collect(llm.streamChat(request()));
    assert.match(errorOf(events), /The connection was cut before the answer finished \(11 characters received\)/);
    assert.equal(contentOf(events), 'half an ans');
    assert.equal(server.requests.length, 1);
  });

  it('an in-stream error object from an OpenAI-compatible server ends the stream with it', async () => {
    server.setHandler(() => ({ steps: [{ text: 'x' }, { error: 'model overloaded, try later' }], finish: false }));
    const events = await collect(llm.streamChat(request()));
    assert.match(errorOf(events), /reported an error mid-answer \(1 characters received\): model overloaded/);
  });

  it('a stall mid-stream ends with "no data for N s" quickly, and closes the socket', async () => {
    server.setHandler(() => ({ steps: [{ text: 'start' }, { stall: 30_000 }, { text: 'never' }] }));
    const closedBefore = server.closedSockets;
    const t0 = Date.now();
    const events = await collect(llm.streamChat(request({ stallTimeoutMs: 400, usePool: false })));
    const elapsed = Date.now() - t0;
    const msg = errorOf(events);
    assert.match(msg, /No data from http:\/\/127\.0\.0\.1:\d+ for 0\.4 s in the middle of the answer \(5 characters received\)/);
    assert.match(msg, /--timeout/);
    assert.ok(elapsed < 10_000, `stall detected in ${elapsed} ms`);
    assert.equal(contentOf(events), 'start');
    await server.waitForClosedSockets(closedBefore + 1);
  });

  it('no response headers within the stall timeout: "no response … waiting for the answer to start"', async () => {
    server.setHandler(async () => {
      await new Promise((r) => setTimeout(r, 3000));
      return { steps: [{ text: 'late' }] };
    });
    const msg = errorOf(await collect(llm.streamChat(request({ stallTimeoutMs: 300 }))));
    assert.match(msg, /No response from .* for 0\.3 s \(waiting for the answer to start\)/);
    assert.equal(server.requests.length, 1, 'a headers timeout is not retried');
  });

  it('keep-alive comments keep a slow stream alive past the stall timeout', async () => {
    server.setHandler(() => ({
      steps: [
        { text: 'a' },
        ...Array.from({ length: 6 }, () => [{ stall: 150 }, { comment: 'keep-alive' }]).flat(),
        { text: 'b' },
      ],
    }));
    const events = await collect(llm.streamChat(request({ stallTimeoutMs: 600 })));
    assert.equal(events[events.length - 1].type, 'end', JSON.stringify(events[events.length - 1]));
    assert.equal(contentOf(events), 'ab');
  });

  it('the whole-request timeout stops an endless stream with its own message', async () => {
    function* endless() {
      for (;;) {
        yield { stall: 50 } as const;
        yield { text: '.' } as const;
      }
    }
    server.setHandler(() => ({ steps: endless() }));
    const t0 = Date.now();
    const events = await collect(llm.streamChat(request({ timeoutMs: 700 })));
    const msg = errorOf(events);
    assert.match(msg, /took longer than 0\.7 s \(the whole-request timeout\)/);
    assert.ok(Date.now() - t0 < 8000);
    assert.ok(contentOf(events).length > 0);
  });

  it('cancel mid-stream: ends with "Cancelled." at once and the server sees the socket close', async () => {
    server.setHandler(() => ({ steps: [{ text: 'first' }, { stall: 30_000 }, { text: 'never' }] }));
    const closedBefore = server.closedSockets;
    const ac = new AbortController();
    const events: LlmStreamEvent[] = [];
    const t0 = Date.now();
    for await (const ev of llm.streamChat(request(), ac.signal)) {
      events.push(ev);
      if (ev.type === 'content') ac.abort();
    }
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(errorOf(events), 'Cancelled.');
    assert.equal(contentOf(events), 'first');
    await server.waitForClosedSockets(closedBefore + 1);
  });

  it('a consumer that stops iterating early also closes the socket', async () => {
    server.setHandler(() => ({ steps: [{ text: 'one' }, { stall: 30_000 }] }));
    const closedBefore = server.closedSockets;
    for await (const ev of llm.streamChat(request())) if (ev.type === 'content') break;
    await server.waitForClosedSockets(closedBefore + 1);
  });

  it('cancel during a Retry-After wait ends quickly', async () => {
    server.setHandler(() => ({ status: 503, headers: { 'retry-after': '20' }, json: { error: 'busy' } }));
    const ac = new AbortController();
    const t0 = Date.now();
    const events: LlmStreamEvent[] = [];
    // Stop as soon as the service reports the retry wait (its status event), not after a guessed pause.
    for await (const ev of llm.streamChat(request(), ac.signal)) {
      events.push(ev);
      if (ev.type === 'status') ac.abort();
    }
    assert.equal(events[0].type, 'status');
    assert.equal(errorOf(events), 'Cancelled.');
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });

  it('an already-aborted signal sends nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const msg = errorOf(await collect(llm.streamChat(request(), ac.signal)));
    assert.equal(msg, 'Cancelled.');
    assert.equal(server.requests.length, 0);
  });

  it('connection refused: says so at once, names the address', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const msg = errorOf(await collect(llm.streamChat(request({ provider: provider({ baseUrl: `http://127.0.0.1:${port}/v1` }) }))));
    assert.match(msg, new RegExp(`Could not connect to http://127\\.0\\.0\\.1:${port}: connection refused`));
  });

  it('a web page instead of an event stream (proxy login page) is reported as such', async () => {
    server.setHandler(() => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html><title>Sign in to the proxy</title></html>' }));
    const msg = errorOf(await collect(llm.streamChat(request())));
    assert.match(msg, /sent a web page.*Sign in to the proxy.*captive portal/);
  });

  it('bad configuration: an invalid base URL, a missing model', async () => {
    assert.match(
      errorOf(await collect(llm.streamChat(request({ provider: provider({ baseUrl: 'api.deepseek.com' }) })))),
      /not a valid URL.*https:\/\/api\.deepseek\.com\/v1/,
    );
    assert.match(errorOf(await collect(llm.streamChat(request({ provider: provider({ model: ' ' }) })))), /No model is set/);
    const chat = await llm.chat(request({ provider: provider({ model: '' }) }));
    assert.equal(chat.ok, false);
  });

  it('the key never appears in any event or message across all failure kinds', async () => {
    const scripts = [
      () => ({ status: 401, json: { error: { message: `bad key ${KEY}` } } }),
      () => ({ status: 500, body: `internal error for Authorization: Bearer ${KEY}` }),
      () => ({ steps: [{ text: 'x' }, { error: `token ${KEY} exhausted` }], finish: false }),
      () => ({ status: 404, json: { detail: `no model for key ${KEY.slice(3, 20)}` } }),
    ];
    for (const s of scripts) {
      server.setHandler(s as never);
      assertNoKey(await collect(llm.streamChat(request())));
      assertNoKey(await llm.chat(request()));
    }
    // The key really was sent, so the test could have failed.
    assert.ok(server.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`));
  });
});
