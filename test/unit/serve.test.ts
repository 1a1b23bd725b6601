// `radarm serve` as a real process (node dist/cli.js serve --port 0) with real HTTP clients, the fake LLM
// server and the real /usr/bin/python3 kernel: the endpoint, its event format, each mode on a real CSV,
// sessions, dropped connections resumed with Last-Event-ID, gzip, stop, and request validation.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { startFakeLlmServer, textSteps, type FakeLlmServer } from '../helpers/fake-llm-server';
import {
  assertWellFormed,
  contentText,
  gate,
  gated,
  parseSse,
  readStream,
  ROOT,
  startServe,
  type NumberedEvent,
  type ServeProcess,
} from '../helpers/serve-process';
import { allMessages, py, scriptStages, TEST_PYTHON } from './agent-harness';
import { buildOnce } from '../helpers/build-once';

const SALES = '地区,销售额\n华东,120.5\n华南,98\n华北,150\n';

const completeOf = (events: NumberedEvent[]) => {
  const c = events.find((n) => n.event.type === 'complete')?.event;
  assert.ok(c?.type === 'complete', `no complete: ${JSON.stringify(events.filter((n) => n.event.type === 'error'))}`);
  return c.data;
};

describe('radarm serve (a real server process)', function () {
  this.timeout(60_000);
  let llm: FakeLlmServer;
  let serve: ServeProcess;
  let dataRoot: string;
  let outside: string;
  let n = 0;
  const sid = () => `s${++n}-${Date.now()}`;
  const post = (body: unknown, init: Parameters<typeof readStream>[1] = {}) => readStream(`${serve.url}/chat/stream`, { body, ...init });

  before(async function () {
    this.timeout(180_000);
    buildOnce();
    llm = await startFakeLlmServer();
    dataRoot = mkdtempSync(join(tmpdir(), 'radarm-serve-'));
    outside = mkdtempSync(join(tmpdir(), 'radarm-outside-'));
    writeFileSync(join(dataRoot, 'sales.csv'), SALES);
    mkdirSync(join(dataRoot, 'sub'));
    writeFileSync(join(outside, 'secret.csv'), 'a\n1\n');
    symlinkSync(join(outside, 'secret.csv'), join(dataRoot, 'sub', 'link.csv'));
    serve = await startServe([
      '--base-url', llm.baseUrl, '--model', 'fake-model', '--data-root', dataRoot, '--python', TEST_PYTHON,
      '--grace', '30', '--rate-limit', '0',
    ]);
  });
  after(async () => {
    const code = await serve?.stop('SIGTERM');
    assert.equal(code, 0, serve?.stderr);
    await llm?.close();
    rmSync(dataRoot, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  beforeEach(() => {
    llm.requests.length = 0;
    llm.setHandler(() => ({ steps: textSteps('Hello from the fake model.', 4) }));
  });

  // The seed's tests/test_integration_streaming.py: test_stream_endpoint_exists, test_stream_response_format.
  it('the /chat/stream endpoint exists: POST answers 200 text/event-stream with X-Radarm-Stream-Id', async () => {
    const r = await post({ session_id: sid(), message: 'hi', mode: 'ask' });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.match(r.headers.get('x-radarm-stream-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(r.headers.get('x-radarm-session'), 'new');
  });

  it('the response format is the protocol: id + data per event, valid events, complete then done', async () => {
    const r = await post({ session_id: sid(), message: 'hi', mode: 'ask' });
    assertWellFormed(r.events, 'complete');
    assert.equal(contentText(r.events), 'Hello from the fake model.');
    assert.equal(completeOf(r.events).reply, 'Hello from the fake model.');
  });

  it('ask with a data file: the model sees the real profile of the CSV from the kernel', async () => {
    llm.setHandler(() => ({ steps: textSteps('华北最高。', 2) }));
    const r = await post({ session_id: sid(), message: '哪个地区最高？', mode: 'ask', data_files: ['sales.csv'] });
    assertWellFormed(r.events, 'complete');
    assert.equal(completeOf(r.events).reply, '华北最高。');
    assert.match(allMessages(llm.requests[0]), /销售额/);
    assert.match(allMessages(llm.requests[0]), /150/);
  });

  it('agent_single runs the generated pandas code on the CSV with the real kernel', async () => {
    scriptStages(llm, {
      code_generation: [py('result = df["销售额"].sum()\nprint("合计", result)')],
      explanation: ['合计 368.5。'],
    });
    const r = await post({ session_id: sid(), message: '销售额合计？', mode: 'agent_single', data_files: ['sales.csv'] });
    assertWellFormed(r.events, 'complete');
    const data = completeOf(r.events);
    assert.match(data.execution_result ?? '', /368\.5/);
    assert.match(data.generated_code ?? '', /df\["销售额"\]\.sum\(\)/);
    assert.equal(data.reply, '合计 368.5。');
    // How the file was read goes out relative to --data-root: the server's own folders stay private.
    assert.deepEqual(data.data_files?.map((f) => f.path), ['sales.csv']);
  });

  it('agent_multi plans, executes on the CSV, verifies and explains', async () => {
    scriptStages(llm, {
      planner: ['1. 求最大值所在的地区。'],
      executor: [py('result = df.loc[df["销售额"].idxmax(), "地区"]\nprint(result)')],
      verifier: ['{"verdict": "pass", "feedback": "华北"}'],
      explanation: ['销售额最高的是华北。'],
    });
    const r = await post({ session_id: sid(), message: '哪个地区最高？', mode: 'agent_multi', data_files: ['sales.csv'] });
    assertWellFormed(r.events, 'complete');
    assert.deepEqual(llm.requests.map((q) => q.stage), ['planner', 'executor', 'verifier', 'explanation']);
    assert.match(completeOf(r.events).execution_result ?? '', /华北/);
    assert.match(allMessages(llm.requests[2]), /华北/, 'the verifier saw the real output');
  });

  it('the same session_id continues the conversation: history reaches the model, the kernel keeps variables', async () => {
    const session_id = sid();
    scriptStages(llm, { code_generation: [py('x = 41\nprint("set", x)')], explanation: ['x 是 41。'] });
    const first = await post({ session_id, message: '把 x 设为 41', mode: 'agent_single', data_files: ['sales.csv'] });
    assertWellFormed(first.events, 'complete');
    llm.requests.length = 0;
    scriptStages(llm, { code_generation: [py('print(x + 1)')], explanation: ['是 42。'] });
    const second = await post({ session_id, message: 'x 加一是多少？', mode: 'agent_single' });
    assert.equal(second.headers.get('x-radarm-session'), 'continued');
    assertWellFormed(second.events, 'complete');
    assert.match(completeOf(second.events).execution_result ?? '', /42/, 'the variable from the first request is still there');
    const prompt = allMessages(llm.requests[0]);
    assert.ok(prompt.includes('把 x 设为 41'), 'the first question is in the second request');
    assert.ok(prompt.includes('x 是 41。'), 'the first reply is in the second request');
  });

  it('a client that drops mid-stream resumes with Last-Event-ID: nothing lost, nothing repeated', async () => {
    const first = 'The first part of a long answer, ';
    const rest = 'and the rest that streamed while nobody was connected.';
    // The uninterrupted run, for comparison.
    llm.setHandler(() => ({ steps: textSteps(first + rest, 4) }));
    const whole = await post({ session_id: sid(), message: 'q', mode: 'ask' });
    assertWellFormed(whole.events, 'complete');

    const g = gate();
    llm.setHandler(() => ({ steps: gated(first, g.promise, rest) }));
    const logged = (serve.stderr.match(/POST \/chat\/stream 200/g) ?? []).length;
    const dropped = await post({ session_id: sid(), message: 'q', mode: 'ask' }, { until: (ev) => ev.some((e) => e.event.type === 'content') });
    const streamId = dropped.headers.get('x-radarm-stream-id')!;
    assert.ok(!dropped.events.some((e) => e.event.type === 'done'), 'dropped before the end');
    // The server noticed the disconnect (it logs each request when its response closes); then the turn goes on.
    await serve.waitForLog(new RegExp(`(POST /chat/stream 200[^]*){${logged + 1}}`));
    g.open();
    const lastSeen = dropped.events.at(-1)!.id;
    const resumed = await readStream(`${serve.url}/chat/stream/${streamId}`, { headers: { 'last-event-id': String(lastSeen) } });
    assert.equal(resumed.status, 200);
    assert.equal(resumed.events[0].id, lastSeen + 1, 'continues right after the last event seen');
    const joined = [...dropped.events, ...resumed.events];
    assertWellFormed(joined, 'complete');
    assert.equal(contentText(joined), contentText(whole.events));
    assert.deepEqual(completeOf(joined), completeOf(whole.events));

    // Everything was delivered: a further resume is 204; from 0 it replays exactly the same events.
    const again = await fetch(`${serve.url}/chat/stream/${streamId}`, { headers: { 'last-event-id': String(joined.at(-1)!.id) } });
    assert.equal(again.status, 204);
    const replay = await readStream(`${serve.url}/chat/stream/${streamId}`, { headers: { 'last-event-id': '0' } });
    assert.deepEqual(replay.events, joined);
    const viaQuery = await readStream(`${serve.url}/chat/stream/${streamId}?last_event_id=${lastSeen}`);
    assert.deepEqual(viaQuery.events, resumed.events, '?last_event_id= works like the header');
  });

  it('gzip: compressed when accepted, each event decodable as soon as it is sent, same events as uncompressed', async () => {
    const text = '压缩后的流式回答，一个事件一个事件地到达。';
    llm.setHandler(() => ({ steps: textSteps(text, 3) }));
    const plain = await post({ session_id: sid(), message: 'q', mode: 'ask' }, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.headers.get('content-encoding'), null);

    const g = gate();
    llm.setHandler(() => ({ steps: gated(text.slice(0, 6), g.promise, text.slice(6)) }));
    const url = new URL(`${serve.url}/chat/stream`);
    const body = JSON.stringify({ session_id: sid(), message: 'q', mode: 'ask' });
    const raw = await new Promise<{ encoding: string | undefined; text: string; firstBeforeGate: string }>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' } }, (res) => {
        let out = '';
        let firstBeforeGate = '';
        const gunzip = res.pipe(createGunzip());
        gunzip.on('data', (d: Buffer) => {
          out += d.toString('utf8');
          // The model is blocked at the gate: whatever decodes now was flushed per event.
          if (!firstBeforeGate && out.includes('"content"')) {
            firstBeforeGate = out;
            g.open();
          }
        });
        gunzip.on('end', () => resolve({ encoding: res.headers['content-encoding'], text: out, firstBeforeGate }));
        gunzip.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(raw.encoding, 'gzip');
    assert.ok(parseSse(raw.firstBeforeGate.slice(0, raw.firstBeforeGate.lastIndexOf('\n\n') + 2)).some((e) => e.event.type === 'content'));
    const events = parseSse(raw.text);
    assertWellFormed(events, 'complete');
    assert.equal(contentText(events), contentText(plain.events));
    assert.deepEqual(completeOf(events), completeOf(plain.events));
  });

  it('POST /chat/stop/<id> ends a running turn with a cancelled error, then done', async () => {
    const g = gate();
    llm.setHandler(() => ({ steps: gated('working… ', g.promise, 'never') }));
    let stopped: Promise<Response> | undefined;
    let streamId = '';
    const r = await post(
      { session_id: sid(), message: 'q', mode: 'ask' },
      {
        onHeaders: (h) => (streamId = h.get('x-radarm-stream-id')!),
        until: (ev) => {
          if (!stopped && ev.some((e) => e.event.type === 'content'))
            stopped = fetch(`${serve.url}/chat/stop/${streamId}`, { method: 'POST' });
          return false;
        },
      },
    );
    g.open();
    const res = await stopped!;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { stream_id: streamId, stopped: true });
    assertWellFormed(r.events, 'error');
    const err = r.events.at(-2)!.event;
    assert.ok(err.type === 'error' && err.code === 'cancelled' && /Stopped/.test(err.content));
  });

  it('a second question while the session is answering gets 409 naming the running stream', async () => {
    const g = gate();
    llm.setHandler(() => ({ steps: gated('busy ', g.promise, 'done') }));
    const session_id = sid();
    let streamId = '';
    let second: Awaited<ReturnType<typeof post>> | undefined;
    let askedSecond = false; // set at once: `second` is only set when the 409 arrives, after more events
    const first = await post(
      { session_id, message: 'q1', mode: 'ask' },
      {
        onHeaders: (h) => (streamId = h.get('x-radarm-stream-id')!),
        until: (ev) => {
          if (ev.some((e) => e.event.type === 'content') && !askedSecond) {
            askedSecond = true;
            void post({ session_id, message: 'q2', mode: 'ask' }).then((r) => {
              second = r;
              g.open();
            });
          }
          return false;
        },
      },
    );
    assertWellFormed(first.events, 'complete');
    assert.equal(second?.status, 409);
    assert.equal(second?.json.error.code, 'session_busy');
    assert.ok(second?.json.error.message.includes(`GET /chat/stream/${streamId}`));
    // What the name says: no model request carries q2 (a retried q1 request would be legitimate).
    const asked = llm.requests.map((r) => JSON.stringify((r.body as { messages?: unknown[] }).messages?.slice(1)));
    assert.ok(asked.length >= 1 && asked.every((b) => !b.includes('q2')), `the second question started nothing: ${asked.join(' | ').slice(0, 600)}`);
  });

  it('GET /health answers ok with the version', async () => {
    const res = await fetch(`${serve.url}/health`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, 'ok');
    assert.match(body.version, /^\d+\.\d+\.\d+/);
  });

  describe('bad requests get a clear error with a code, and start nothing', () => {
    const cases: [string, string | object, number, string, RegExp][] = [
      ['malformed JSON', '{"session_id": "a", ', 400, 'bad_request', /not valid JSON/],
      ['not an object', '[1,2]', 400, 'bad_request', /must be a JSON object/],
      ['missing message', { session_id: 'a', mode: 'ask' }, 400, 'missing_field', /Missing field "message"/],
      ['missing session_id', { message: 'hi', mode: 'ask' }, 400, 'missing_field', /Missing field "session_id"/],
      ['missing mode', { session_id: 'a', message: 'hi' }, 400, 'missing_field', /Missing field "mode"/],
      ['unknown mode', { session_id: 'a', message: 'hi', mode: 'agent' }, 400, 'unknown_mode', /Unknown mode "agent": use ask, agent_single, agent_multi/],
      ['empty message', { session_id: 'a', message: '  ', mode: 'ask' }, 400, 'bad_request', /non-empty string/],
      ['data file with ..', { session_id: 'a', message: 'hi', mode: 'ask', data_files: ['../x.csv'] }, 403, 'outside_data_root', /outside the data root/],
      ['absolute data file', { session_id: 'a', message: 'hi', mode: 'ask', data_files: ['/etc/passwd'] }, 403, 'outside_data_root', /absolute path/],
      ['symlink out of the root', { session_id: 'a', message: 'hi', mode: 'ask', data_files: ['sub/link.csv'] }, 403, 'outside_data_root', /links to a file outside/],
      ['missing data file', { session_id: 'a', message: 'hi', mode: 'ask', data_files: ['nope.csv'] }, 400, 'data_not_found', /No such data file/],
      ['data_files not a list', { session_id: 'a', message: 'hi', mode: 'ask', data_files: 'sales.csv' }, 400, 'bad_request', /must be an array/],
      ['body too large', { session_id: 'a', message: 'x'.repeat(1_100_000), mode: 'ask' }, 413, 'body_too_large', /larger than 1048576 bytes/],
    ];
    for (const [name, body, status, code, message] of cases)
      it(name, async () => {
        const r = await post(body);
        assert.equal(r.status, status);
        assert.equal(r.json.error.code, code);
        assert.match(r.json.error.message, message);
        assert.equal(llm.requests.length, 0);
      });
    it('unknown stream, unknown path, wrong method', async () => {
      const unknown = await fetch(`${serve.url}/chat/stream/00000000-0000-0000-0000-000000000000`);
      assert.equal(unknown.status, 404);
      assert.equal((await unknown.json()).error.code, 'unknown_stream');
      const path = await fetch(`${serve.url}/nope`);
      assert.equal(path.status, 404);
      assert.match((await path.json()).error.message, /Endpoints: POST \/chat\/stream/);
      const method = await fetch(`${serve.url}/chat/stream`);
      assert.equal(method.status, 405);
      assert.equal(method.headers.get('allow'), 'POST');
    });
  });
});
