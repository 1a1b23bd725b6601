// `radarm serve` safety and operations, each on its own real server process: non-loopback binds need a
// token, Bearer auth, CORS only for --cors-origin, 429 + Retry-After under a burst, /metrics counting what
// happened, API keys never leaving the process, and SIGTERM ending running turns with an error event.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeLlmServer, textSteps, type FakeLlmServer, type Step } from '../helpers/fake-llm-server';
import { assertWellFormed, gate, gated, readStream, ROOT, runServe, startServe, type ServeProcess } from '../helpers/serve-process';
import { py, scriptStages, TEST_PYTHON } from './agent-harness';
import { buildOnce } from '../helpers/build-once';

const SERVER_KEY = 'sk-server-side-7a6b5c4d3e2f1a0b';
const BODY_KEY = 'sk-from-the-body-9f8e7d6c5b4a';
const TOKEN = 'tok-radarm-test-4242';

/** The value of one series in Prometheus text, summed over the series whose labels include `labels`. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

function kernelPid(events: { event: { type: string } }[]): number {
  const c = events.find((e) => e.event.type === 'complete')?.event as { data?: { execution_result?: string } } | undefined;
  const pid = Number(/pid (\d+)/.exec(c?.data?.execution_result ?? '')?.[1]);
  assert.ok(pid > 0, `no pid in ${JSON.stringify(events)}`);
  return pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls a condition that has no event to await (another process ending). */
async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('radarm serve: safety and operations (real server processes)', function () {
  this.timeout(60_000);
  let llm: FakeLlmServer;
  let dataRoot: string;
  const running: ServeProcess[] = [];
  const start = async (args: string[], env: Record<string, string> = {}) => {
    const s = await startServe(['--base-url', llm.baseUrl, '--model', 'fake-model', '--data-root', dataRoot, '--python', TEST_PYTHON, ...args], env);
    running.push(s);
    return s;
  };

  before(async function () {
    this.timeout(180_000);
    buildOnce();
    llm = await startFakeLlmServer();
    dataRoot = mkdtempSync(join(tmpdir(), 'radarm-serve-safety-'));
    writeFileSync(join(dataRoot, 'sales.csv'), 'region,sales\nNorth,100\nSouth,250\n');
  });
  after(async () => {
    for (const s of running) await s.stop('SIGTERM');
    await llm?.close();
    rmSync(dataRoot, { recursive: true, force: true });
  });
  beforeEach(() => {
    llm.requests.length = 0;
    llm.setHandler(() => ({ steps: textSteps('ok then.', 3) }));
  });

  it('refuses a non-loopback address without a token: exit 2 and a clear message', async () => {
    const r = await runServe(['--host', '0.0.0.0', '--port', '0', '--model', 'm']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without a token/);
    assert.match(r.stderr, /Pass --token T \(or set RADARM_SERVE_TOKEN\), or listen on 127\.0\.0\.1/);
    assert.equal(r.stdout, '');
  });

  it('bad arguments exit 2; --help documents the options', async () => {
    for (const [args, message] of [
      [['--port', 'x', '--model', 'm'], /--port needs a whole number/],
      [['--cors-origin', 'http://a.test/path', '--model', 'm'], /--cors-origin must be an origin/],
      [['--model', 'm', '--bogus'], /Unknown option '--bogus'/],
      [['--data-root', '/nonexistent-radarm', '--model', 'm'], /--data-root: not a folder/],
    ] as [string[], RegExp][]) {
      const r = await runServe(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
    const help = await runServe(['--help']);
    assert.equal(help.code, 0);
    for (const opt of ['--host', '--port', '--token', '--data-root', '--cors-origin', '--session-idle', '--grace', '--rate-limit', '--max-body'])
      assert.ok(help.stdout.includes(opt), opt);
  });

  it('with --token on 0.0.0.0: 401 without or with a wrong Bearer token, 200 with it; /health is open', async () => {
    const s = await start(['--host', '0.0.0.0', '--token', TOKEN]);
    assert.match(s.url, /^http:\/\/0\.0\.0\.0:\d+$/);
    const base = s.url.replace('0.0.0.0', '127.0.0.1');
    const body = { session_id: 'tok', message: 'hi', mode: 'ask' };
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: TOKEN }] as Record<string, string>[]) {
      const r = await readStream(`${base}/chat/stream`, { body, headers });
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(r.json.error.code, 'unauthorized');
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="radarm"');
    }
    assert.equal((await fetch(`${base}/metrics`)).status, 401);
    assert.equal(llm.requests.length, 0);
    const ok = await readStream(`${base}/chat/stream`, { body, headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assertWellFormed(ok.events, 'complete');
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.ok(!s.stderr.includes(TOKEN) && !s.stdout.includes(TOKEN), 'the token is never logged');
  });

  it('CORS headers only for origins given with --cors-origin', async () => {
    const s = await start(['--cors-origin', 'http://app.test:3000']);
    const preflight = (origin: string) =>
      fetch(`${s.url}/chat/stream`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight('http://app.test:3000');
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://app.test:3000');
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Last-Event-ID/);
    const other = await preflight('http://evil.test');
    assert.equal(other.status, 403);
    assert.equal(other.headers.get('access-control-allow-origin'), null);

    const post = (origin: string) => readStream(`${s.url}/chat/stream`, { body: { session_id: origin, message: 'hi', mode: 'ask' }, headers: { origin } });
    const ok = await post('http://app.test:3000');
    assert.equal(ok.headers.get('access-control-allow-origin'), 'http://app.test:3000');
    assert.match(ok.headers.get('access-control-expose-headers') ?? '', /X-Radarm-Stream-Id/);
    const evil = await post('http://evil.test');
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });

  it('a burst over the rate limit gets 429 with Retry-After; /health is not limited', async () => {
    // One request a minute after the burst of 3: no token comes back while the 6 requests arrive, however slow the machine.
    const s = await start(['--rate-limit', '1', '--rate-burst', '3']);
    const unknown = `${s.url}/chat/stream/00000000-0000-0000-0000-000000000000`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => fetch(unknown)));
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [404, 404, 404, 429, 429, 429]);
    for (const r of answers.filter((a) => a.status === 429)) {
      const wait = Number(r.headers.get('retry-after'));
      assert.ok(wait >= 59 && wait <= 60, `Retry-After ${wait}`);
      assert.match((await r.json()).error.message, new RegExp(`Too many requests; try again in ${wait} s`));
    }
    assert.equal((await fetch(`${s.url}/health`)).status, 200);
    assert.equal(metric(await (await fetch(`${s.url}/metrics`)).text(), 'radarm_rate_limited_total'), 3);
  });

  it('/metrics counts requests, turns, time to first event, model calls and errors, kernel runs', async () => {
    const s = await start(['--rate-limit', '0']);
    const post = (body: object) => readStream(`${s.url}/chat/stream`, { body });
    assertWellFormed((await post({ session_id: 'm1', message: 'hi', mode: 'ask' })).events, 'complete');
    scriptStages(llm, { code_generation: [py('print(df["sales"].sum())')], explanation: ['350.'] });
    assertWellFormed((await post({ session_id: 'm2', message: 'sum?', mode: 'agent_single', data_files: ['sales.csv'] })).events, 'complete');
    llm.setHandler(() => ({ status: 401, json: { error: { message: 'bad key' } } }));
    assertWellFormed((await post({ session_id: 'm3', message: 'hi', mode: 'ask' })).events, 'error');
    assert.equal((await post({ session_id: 'm4', message: 'hi', mode: 'nope' })).status, 400);

    const text = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(text, /# TYPE radarm_time_to_first_event_seconds histogram/);
    assert.equal(metric(text, 'radarm_http_requests_total', { route: 'chat_stream', status: '200' }), 3);
    assert.equal(metric(text, 'radarm_http_requests_total', { route: 'chat_stream', status: '400' }), 1);
    assert.equal(metric(text, 'radarm_turns_total', { mode: 'ask', outcome: 'complete' }), 1);
    assert.equal(metric(text, 'radarm_turns_total', { mode: 'agent_single', outcome: 'complete' }), 1);
    assert.equal(metric(text, 'radarm_turns_total', { mode: 'ask', outcome: 'error' }), 1);
    assert.equal(metric(text, 'radarm_time_to_first_event_seconds_count'), 3);
    assert.equal(metric(text, 'radarm_time_to_first_event_seconds_bucket', { mode: 'ask', le: '+Inf' }), 2);
    assert.equal(metric(text, 'radarm_model_call_duration_seconds_count'), llm.requests.length);
    assert.equal(metric(text, 'radarm_model_call_duration_seconds_count', { outcome: 'error' }), 1);
    assert.equal(metric(text, 'radarm_model_call_errors_total'), 1);
    assert.equal(metric(text, 'radarm_kernel_executions_total', { outcome: 'ok' }), 1);
    assert.equal(metric(text, 'radarm_active_streams'), 0);
    assert.equal(metric(text, 'radarm_sessions'), 3);
  });

  describe('API keys never appear in a response, stdout or stderr', () => {
    /** A model that echoes the key it was sent, in its answer or in a 401. */
    const echo = (status: number) => (req: { headers: Record<string, any> }) => {
      const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      return status === 200
        ? { steps: textSteps(`Your key is ${key}, right?`, 5) }
        : { status, json: { error: { message: `Incorrect API key provided: ${key}` } } };
    };
    const assertNoKey = (where: string, text: string) => {
      for (const key of [SERVER_KEY, BODY_KEY]) assert.ok(!text.includes(key.slice(3, 15)), `${where} contains a key: ${text.slice(0, 300)}`);
    };

    it('a server-side key takes precedence over the body key; neither is echoed', async () => {
      const s = await start([], { RADARM_API_KEY: SERVER_KEY });
      for (const status of [200, 401]) {
        llm.setHandler(echo(status) as never);
        const r = await readStream(`${s.url}/chat/stream`, { body: { session_id: `k${status}`, message: 'hi', mode: 'ask', apiKeys: { openai: BODY_KEY } } });
        assert.equal(llm.requests.at(-1)?.headers.authorization, `Bearer ${SERVER_KEY}`);
        assertWellFormed(r.events, status === 200 ? 'complete' : 'error');
        assertNoKey('events', JSON.stringify(r.events) + JSON.stringify([...r.headers]));
      }
      assertNoKey('stdout', s.stdout);
      assertNoKey('stderr', s.stderr);
    });

    it('without one, the body key is used for that request only; it is never echoed', async () => {
      const s = await start([]);
      llm.setHandler(echo(200) as never);
      const r = await readStream(`${s.url}/chat/stream`, { body: { session_id: 'b', message: 'hi', mode: 'ask', apiKeys: { deepseekA: BODY_KEY } } });
      assert.equal(llm.requests.at(-1)?.headers.authorization, `Bearer ${BODY_KEY}`);
      assertWellFormed(r.events, 'complete');
      assert.match(JSON.stringify(r.events), /Your key is \*\*\*, right\?/);
      llm.setHandler(echo(401) as never);
      const e = await readStream(`${s.url}/chat/stream`, { body: { session_id: 'b', message: 'again', mode: 'ask', apiKeys: { openai: BODY_KEY } } });
      assertWellFormed(e.events, 'error');
      // The next request of the same session without a key sends none: the key served one request only.
      llm.setHandler(() => ({ steps: textSteps('fine', 2) }));
      await readStream(`${s.url}/chat/stream`, { body: { session_id: 'b', message: 'no key now', mode: 'ask' } });
      assert.equal(llm.requests.at(-1)?.headers.authorization, undefined);
      const bad = await readStream(`${s.url}/chat/stream`, { body: { session_id: 'b', message: 'x', mode: 'ask', apiKeys: { openai: [BODY_KEY] } } });
      assert.equal(bad.status, 400);
      for (const text of [JSON.stringify(r.events), JSON.stringify(e.events), JSON.stringify(bad.json), s.stdout, s.stderr]) assertNoKey('output', text);
    });
  });

  it('a turn nobody reconnects to is stopped after the grace period, and says so on resume', async () => {
    const g = gate();
    llm.setHandler(() => ({ steps: gated('partial ', g.promise, 'never sent') }));
    const closed = llm.closedSockets;
    const s = await start(['--grace', '1']);
    const dropped = await readStream(`${s.url}/chat/stream`, {
      body: { session_id: 'grace', message: 'q', mode: 'ask' },
      until: (ev) => ev.some((e) => e.event.type === 'content'),
    });
    // The stopped turn cancels its model call: the fake server sees the socket close.
    await llm.waitForClosedSockets(closed + 1, 15_000);
    g.open();
    const resumed = await readStream(`${s.url}/chat/stream/${dropped.headers.get('x-radarm-stream-id')}`, {
      headers: { 'last-event-id': String(dropped.events.at(-1)!.id) },
    });
    const joined = [...dropped.events, ...resumed.events];
    assertWellFormed(joined, 'error');
    const err = joined.at(-2)!.event;
    assert.ok(err.type === 'error');
    assert.equal(err.code, 'cancelled');
    assert.match(err.content, /No client was connected for 1 s, so the turn was stopped/);
  });

  it('an idle session ends after --session-idle: its Python process is closed, the id starts afresh', async () => {
    // Unsandboxed: the pid the code prints must be a host pid (inside bwrap's PID namespace it would be 2).
    const s = await start(['--session-idle', '1', '--sandbox', 'off']);
    scriptStages(llm, { code_generation: [py('import os\nprint("pid", os.getpid())')], explanation: ['ok.'] });
    const first = await readStream(`${s.url}/chat/stream`, { body: { session_id: 'idle', message: 'pid?', mode: 'agent_single' } });
    assert.equal(first.headers.get('x-radarm-session'), 'new');
    const pid = kernelPid(first.events);
    await until(() => !alive(pid), 15_000, 'the idle session\'s kernel ends');
    await s.waitForLog(/session idle ended after 1 s idle/);
    const again = await readStream(`${s.url}/chat/stream`, { body: { session_id: 'idle', message: 'pid?', mode: 'agent_single' } });
    assert.equal(again.headers.get('x-radarm-session'), 'new');
    assert.notEqual(kernelPid(again.events), pid);
  });

  it('SIGTERM: the running turn ends with an error event, the kernel process ends, exit 0', async () => {
    const s = await start(['--sandbox', 'off']); // the pid the code prints must be a host pid
    scriptStages(llm, { code_generation: [py('import os\nprint("pid", os.getpid())')], explanation: ['done.'] });
    const first = await readStream(`${s.url}/chat/stream`, { body: { session_id: 't', message: 'pid?', mode: 'agent_single', data_files: ['sales.csv'] } });
    const complete = first.events.find((e) => e.event.type === 'complete')!.event;
    const pid = Number(/pid (\d+)/.exec(complete.type === 'complete' ? (complete.data.execution_result ?? '') : '')?.[1]);
    assert.ok(pid > 0, 'the kernel reported its pid');
    assert.doesNotThrow(() => process.kill(pid, 0), 'the kernel runs between turns');

    async function* forever(): AsyncGenerator<Step> {
      yield { text: 'thinking about it… ' };
      yield { stall: 60_000 };
    }
    llm.setHandler(() => ({ steps: forever() }));
    let signalled = false;
    const r = await readStream(`${s.url}/chat/stream`, {
      body: { session_id: 't', message: 'slow', mode: 'ask' },
      until: (ev) => {
        if (!signalled && ev.some((e) => e.event.type === 'content')) {
          signalled = true;
          s.child.kill('SIGTERM');
        }
        return false;
      },
    });
    assertWellFormed(r.events, 'error');
    const err = r.events.at(-2)!.event;
    assert.ok(err.type === 'error');
    assert.equal(err.code, 'cancelled');
    assert.match(err.content, /shutting down \(SIGTERM\)/);
    assert.equal(await s.exited, 0, s.stderr);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the kernel process was closed');
    assert.equal(s.stdout.trim().split('\n').length, 1, 'stdout holds only the {"url"} line');
  });
});
