// Hostile servers and bounds: each local server misbehaves in one way seen in the wild, and the LLM
// service must end with one clear error that says what the server actually sent, with the right code.
// Also: the answer cap, limits below their minimum, error codes for every failure kind, and retries
// reported as status events while they happen.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { createLlmService, type ChatRequest, type LlmStreamEvent } from '../../src/llm';
import type { ErrorEvent, StatusEvent } from '../../src/protocol/events';
import { hostile, textSteps } from '../helpers/fake-llm-server';
import { collect, contentOf, endingError, requestsTo, useFakeLlmServer } from '../helpers/llm-fixture';

const KEY = 'sk-hostile-Q7w8E9r0T1y2U3i4';

/** The stream's one terminal error, and the key nowhere in the stream. */
function terminalError(events: LlmStreamEvent[]): ErrorEvent {
  assert.ok(!JSON.stringify(events).includes(KEY), 'no key');
  return endingError(events);
}

describe('LLM service: hostile servers, bounds and error codes', function () {
  this.timeout(20_000);
  const server = useFakeLlmServer();
  const llm = createLlmService({ retry: { minDelayMs: 20, maxDelayMs: 100, maxAttempts: 3 } });
  const { provider, request } = requestsTo(server, { id: 'gw', model: 'm', apiKey: KEY });

  describe('what the server actually sent', () => {
    it('a stream of only malformed lines: says so with an excerpt, not "the connection was cut"', async () => {
      server.setHandler(() => hostile.malformedOnly(5));
      const err = terminalError(await collect(llm.streamChat(request())));
      assert.equal(err.code, 'bad_response');
      assert.match(err.content, /gw sent 5 lines that are not openai stream events \(HTTP 200, text\/event-stream; charset=utf-8\)/);
      assert.match(err.content, /It began: "data: \{not json 0/);
      assert.doesNotMatch(err.content, /cut/);
    });

    for (const contentType of ['application/json', 'text/event-stream', 'text/plain']) {
      it(`a 200 whose body is a JSON error object (${contentType}): the server's message and its code`, async () => {
        server.setHandler(() => hostile.jsonError(contentType));
        const err = terminalError(await collect(llm.streamChat(request())));
        assert.equal(err.code, 'auth');
        assert.match(err.content, /answered HTTP 200 .* but sent an error instead of an answer/);
        assert.match(err.content, /Invalid API key/);
        assert.ok(err.content.includes(contentType), err.content);
      });
    }

    it('a 200 JSON error is classified by its structured fields (rate limit, not found, context, overloaded)', async () => {
      const cases: [unknown, string][] = [
        [{ message: 'slow down', code: 'rate_limit_exceeded' }, 'rate_limit'],
        [{ message: 'no such model', code: 'model_not_found' }, 'not_found'],
        [{ message: 'too long', code: 'context_length_exceeded' }, 'context_too_long'],
        [{ message: 'busy', type: 'overloaded_error' }, 'network'],
        [{ message: 'who knows' }, 'bad_response'],
      ];
      for (const [error, code] of cases) {
        server.setHandler(() => hostile.jsonError('application/json', error));
        const err = terminalError(await collect(llm.streamChat(request())));
        assert.equal(err.code, code, JSON.stringify(error));
        const r = await llm.chat(request());
        assert.equal(r.code, code, `chat(): ${JSON.stringify(error)}`);
      }
    });

    for (const contentType of ['text/html; charset=utf-8', 'text/event-stream', '']) {
      it(`a captive-portal page (content type "${contentType}"): a web page, its title, what to check`, async () => {
        server.setHandler(() => hostile.htmlPage(contentType || ' '));
        const err = terminalError(await collect(llm.streamChat(request())));
        assert.equal(err.code, 'bad_response');
        assert.match(err.content, /sent a web page instead of an answer/);
        assert.match(err.content, /Hotel Wi-Fi: please sign in/);
        assert.match(err.content, /captive portal/);
      });
    }

    it('bytes that are not UTF-8 under a declared charset: where, which bytes, what was declared; the partial answer is kept', async () => {
      for (const declared of ['utf-8', 'iso-8859-1']) {
        server.setHandler(() => hostile.wrongCharset(declared));
        const events = await collect(llm.streamChat(request()));
        const err = terminalError(events);
        assert.equal(err.code, 'bad_response');
        assert.match(err.content, /not UTF-8 at byte \d+/);
        assert.match(err.content, new RegExp(`declared charset ${declared}`));
        assert.match(err.content, /bytes there: ca fd be dd/);
        assert.equal(contentOf(events), 'ok ');
      }
    });

    it('an empty 200 body says it was empty', async () => {
      server.setHandler(() => hostile.empty());
      const err = terminalError(await collect(llm.streamChat(request())));
      assert.equal(err.code, 'bad_response');
      assert.match(err.content, /empty body/);
    });
  });

  describe('bounds', () => {
    it('an answer past maxResponseBytes ends with response_too_large, keeps the partial text and closes the socket', async () => {
      server.setHandler(() => hostile.huge(8 * 1024 * 1024));
      const closed = server.closedSockets;
      const events = await collect(llm.streamChat(request({ maxResponseBytes: 1024 * 1024 })));
      const err = terminalError(events);
      assert.equal(err.code, 'response_too_large');
      assert.match(err.content, /passed the limit of 1 MB .*--max-response-mb/);
      const kept = contentOf(events).length;
      assert.ok(kept > 0 && Buffer.byteLength(contentOf(events)) <= 1024 * 1024, `${kept} characters kept: never past the cap`);
      await server.waitForClosedSockets(closed + 1, 5000);
    });

    it('the cap counts reasoning too, and applies to whole (non-streamed) replies', async () => {
      server.setHandler(() => ({ steps: [{ reasoning: 'r'.repeat(3000) }, { text: 'x'.repeat(3000) }] }));
      const s = terminalError(await collect(llm.streamChat(request({ maxResponseBytes: 4096 }))));
      assert.equal(s.code, 'response_too_large');
      const r = await llm.chat(request({ maxResponseBytes: 4096 }));
      assert.equal(r.ok, false);
      assert.equal(r.code, 'response_too_large');
      const big = await llm.chat(request({ maxResponseBytes: 2048 })); // the JSON body itself is past the read cap
      assert.equal(big.code, 'response_too_large');
    });

    it('the default cap lets an ordinary answer through', async () => {
      server.setHandler(() => ({ steps: textSteps('你好，'.repeat(2000), 7) }));
      const events = await collect(llm.streamChat(request()));
      assert.equal(events[events.length - 1].type, 'end');
    });

    it('timeouts and caps below their minimum are refused before anything is sent, naming the control (the CLI words by default)', async () => {
      const cases: [Partial<ChatRequest>, RegExp][] = [
        [{ stallTimeoutMs: 0 }, /stall timeout \(0 ms\) is below the minimum.*--timeout/],
        [{ stallTimeoutMs: 0.1 }, /stall timeout \(0\.1 ms\)/],
        [{ timeoutMs: 1 }, /request timeout \(1 ms\) is below the minimum.*RADARM_REQUEST_TIMEOUT/],
        [{ timeoutMs: Number.NaN }, /request timeout \(NaN ms\)/],
        [{ maxResponseBytes: 10 }, /answer size limit \(10 bytes\).*--max-response-mb/],
      ];
      for (const [over, message] of cases) {
        const err = terminalError(await collect(llm.streamChat(request(over))));
        assert.equal(err.code, 'bad_request');
        assert.match(err.content, message);
        const r = await llm.chat(request(over));
        assert.equal(r.code, 'bad_request');
      }
      assert.equal(server.requests.length, 0);
    });
  });

  describe('error codes', () => {
    const statusCases: [number, unknown, string][] = [
      [401, { error: { message: 'bad key' } }, 'auth'],
      [403, { error: { message: 'forbidden' } }, 'auth'],
      [404, { error: { message: 'no model' } }, 'not_found'],
      [400, { error: { message: "This model's maximum context length is 8192 tokens" } }, 'context_too_long'],
      [413, { error: { message: 'too big' } }, 'context_too_long'],
      [400, { error: { message: 'temperature must be <= 2' } }, 'bad_request'],
      [429, { error: { message: 'slow down' } }, 'rate_limit'],
      [500, { error: { message: 'oops' } }, 'network'],
    ];
    for (const [status, json, code] of statusCases)
      it(`HTTP ${status} → ${code} (stream and chat)`, async () => {
        server.setHandler(() => ({ status, json, headers: status === 429 ? { 'retry-after': '0' } : undefined }));
        assert.equal(terminalError(await collect(llm.streamChat(request()))).code, code);
        assert.equal((await llm.chat(request())).code, code);
      });

    it('stall, whole-request timeout, cancel, refused connection and a cut stream each have their code', async () => {
      server.setHandler(() => ({ steps: [{ text: 'a' }, { stall: 10_000 }] }));
      assert.equal(terminalError(await collect(llm.streamChat(request({ stallTimeoutMs: 150 })))).code, 'stall');
      server.setHandler(() => ({ steps: (function* () { for (;;) yield { comment: 'ping' }; })() }));
      assert.equal(terminalError(await collect(llm.streamChat(request({ timeoutMs: 200 })))).code, 'timeout');
      const ac = new AbortController();
      ac.abort();
      assert.equal(terminalError(await collect(llm.streamChat(request(), ac.signal))).code, 'cancelled');
      server.setHandler(() => ({ steps: [{ text: 'part' }, { cut: true }] }));
      assert.equal(terminalError(await collect(llm.streamChat(request()))).code, 'network');
      const probe = net.createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const port = (probe.address() as net.AddressInfo).port;
      await new Promise<void>((r) => probe.close(() => r()));
      const refused = request({ provider: provider({ baseUrl: `http://127.0.0.1:${port}/v1` }) });
      assert.equal(terminalError(await collect(llm.streamChat(refused))).code, 'network');
    });

    it('an error the provider reports mid-answer has a code too', async () => {
      server.setHandler(() => ({ steps: [{ text: 'half' }, { error: 'model crashed' }] }));
      const err = terminalError(await collect(llm.streamChat(request())));
      assert.equal(err.code, 'bad_response');
      assert.match(err.content, /model crashed/);
    });
  });

  describe('retries are reported while they happen', () => {
    it('each retry is a status event before the answer: attempt n of max, the wait, in the UI language', async () => {
      for (const [locale, pattern] of [
        ['en', /^Server error \(HTTP 503\): retrying in \d+ ms, attempt 2 of 3$/],
        ['zh-cn', /^服务器出错（HTTP 503）：\d+ 毫秒后重试，第 2 次，共 3 次$/],
      ] as const) {
        let calls = 0;
        server.setHandler(() => (++calls <= 2 ? { status: 503, json: { error: 'busy' } } : { steps: [{ text: 'ok' }] }));
        const events = await collect(llm.streamChat(request({ stage: 'planner', locale })));
        const statuses = events.filter((e): e is StatusEvent => e.type === 'status');
        assert.equal(statuses.length, 2);
        assert.match(statuses[0].content, pattern);
        assert.deepEqual(
          statuses.map((s) => [s.kind, s.stage, s.attempt, s.attempts]),
          [
            ['retry', 'planner', 2, 3],
            ['retry', 'planner', 3, 3],
          ],
        );
        assert.ok(statuses.every((s) => typeof s.delayMs === 'number' && s.delayMs > 0));
        const firstContent = events.findIndex((e) => e.type === 'content');
        assert.ok(events.indexOf(statuses[1]) < firstContent, 'status before the answer');
        assert.equal(events[events.length - 1].type, 'end');
      }
    });

    it('a 429 retry says rate limited; the status arrives while the request waits, not after', async () => {
      let calls = 0;
      server.setHandler(() => (++calls === 1 ? { status: 429, headers: { 'retry-after': '1' }, json: { error: 'slow' } } : { steps: [{ text: 'ok' }] }));
      const it = llm.streamChat(request())[Symbol.asyncIterator]();
      const t0 = Date.now();
      const first = await it.next();
      const waited = Date.now() - t0;
      assert.equal(first.value?.type, 'status');
      assert.match((first.value as StatusEvent).content, /^Rate limited \(HTTP 429\): retrying in 1 s, attempt 2 of 3$/);
      assert.ok(waited < 900, `the status came after ${waited} ms, before the 1 s wait ended`);
      const rest: LlmStreamEvent[] = [];
      for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
      assert.equal(rest[rest.length - 1].type, 'end');
    });
  });
});
