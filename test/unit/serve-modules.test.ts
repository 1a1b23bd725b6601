// The pieces of `radarm serve` in isolation: the stream buffer's bounds and replay, the rate limiter,
// the Prometheus text format, the session registry's expiry, and the small request helpers.
import * as assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { RadarmEvent } from '../../src/protocol/events';
import { isLoopback } from '../../src/serve/auth';
import { pickRequestKey } from '../../src/serve/chat-routes';
import { createRegistry } from '../../src/serve/metrics';
import { createRateLimiter } from '../../src/serve/rate-limit';
import { matchRoute } from '../../src/serve/router';
import { createSessionRegistry } from '../../src/serve/sessions';
import { acceptsGzip } from '../../src/serve/sse-writer';
import { createStreamRegistry, type NumberedEvent } from '../../src/serve/streams';

async function* source(n: number, gate?: Promise<void>): AsyncGenerator<RadarmEvent> {
  for (let i = 1; i <= n; i++) {
    if (gate && i === n) await gate;
    yield { type: 'content', stage: 'response', content: `c${i}` };
  }
  yield { type: 'complete', data: { reply: 'r', generated_code: null, execution_result: null, image: null, plotly_json: null } };
  yield { type: 'done' };
}

async function collect(it: AsyncGenerator<NumberedEvent>): Promise<number[]> {
  const ids: number[] = [];
  for await (const n of it) ids.push(n.id);
  return ids;
}

describe('serve modules', () => {
  describe('stream registry', () => {
    it('keeps at most maxEvents: a resume from inside the buffer works, from before it is refused', async () => {
      const streams = createStreamRegistry({ graceMs: 60_000, maxEvents: 5, maxBytes: 1e6 });
      const s = streams.start('a', source(20), new AbortController());
      await s.settled;
      assert.equal(s.lastId, 22);
      const early = s.subscribe(10);
      assert.deepEqual(early, { ok: false, firstBuffered: 18, lastId: 22 });
      const late = s.subscribe(17);
      assert.ok(late.ok);
      assert.deepEqual(await collect(late.events), [18, 19, 20, 21, 22]);
    });

    it('a live subscriber gets buffered then live events, each once, ending at done', async () => {
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const streams = createStreamRegistry({ graceMs: 60_000, maxEvents: 100, maxBytes: 1e6 });
      const s = streams.start('a', source(5, gate), new AbortController());
      const sub = s.subscribe(2);
      assert.ok(sub.ok);
      const ids = collect(sub.events);
      open();
      assert.deepEqual(await ids, [3, 4, 5, 6, 7]);
      assert.equal(streams.runningFor('a'), undefined, 'finished');
    });

    it('stop() ends the stream with the given error and done, and aborts the turn', async () => {
      const streams = createStreamRegistry({ graceMs: 60_000, maxEvents: 100, maxBytes: 1e6 });
      const abort = new AbortController();
      const s = streams.start('a', source(3, new Promise(() => {})), abort);
      const sub = s.subscribe(0);
      assert.ok(sub.ok);
      const events: RadarmEvent[] = [];
      const reading = (async () => {
        for await (const n of sub.events) events.push(n.event);
      })();
      s.stop({ type: 'error', code: 'cancelled', content: 'stopped' });
      await reading;
      assert.ok(abort.signal.aborted);
      assert.deepEqual(events.slice(-2), [{ type: 'error', code: 'cancelled', content: 'stopped' }, { type: 'done' }]);
      assert.equal(streams.running, 0);
    });
  });

  it('rate limiter: burst at once, then one per interval, Retry-After in whole seconds', () => {
    let t = 0;
    const limiter = createRateLimiter({ perMinute: 6, burst: 2, now: () => t });
    assert.ok(limiter.take('a').ok);
    assert.ok(limiter.take('a').ok);
    assert.deepEqual(limiter.take('a'), { ok: false, retryAfterSeconds: 10 });
    assert.ok(limiter.take('b').ok, 'per client');
    t = 4_000;
    assert.deepEqual(limiter.take('a'), { ok: false, retryAfterSeconds: 6 });
    t = 10_000;
    assert.ok(limiter.take('a').ok);
    assert.ok(createRateLimiter({ perMinute: 0, burst: 1 }).take('x').ok, '0 disables it');
  });

  it('metrics: the Prometheus text format with escaped labels and cumulative buckets', () => {
    const r = createRegistry();
    const c = r.counter('x_total', 'Things.');
    c.inc({ kind: 'a"b\\c' });
    c.inc({ kind: 'a"b\\c' }, 2);
    const h = r.histogram('t_seconds', 'Time.', [1, 0.1]);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    assert.equal(
      r.render(),
      [
        '# HELP x_total Things.',
        '# TYPE x_total counter',
        'x_total{kind="a\\"b\\\\c"} 3',
        '# HELP t_seconds Time.',
        '# TYPE t_seconds histogram',
        't_seconds_bucket{le="0.1"} 1',
        't_seconds_bucket{le="1"} 2',
        't_seconds_bucket{le="+Inf"} 3',
        't_seconds_sum 5.55',
        't_seconds_count 3',
        '',
      ].join('\n'),
    );
  });

  it('session registry: idle sessions expire (disposed), busy ones never; full → the oldest idle one goes', async () => {
    let t = 0;
    const disposed: string[] = [];
    const reg = createSessionRegistry<{ id: string; dispose(): Promise<void> }>({
      idleMs: 1000,
      maxSessions: 2,
      now: () => t,
      create: (id) => ({ id, dispose: async () => void disposed.push(id) }),
    });
    const a = reg.acquire('a', undefined).entry;
    reg.begin(a);
    reg.acquire('b', undefined);
    t = 5000;
    assert.equal(reg.acquire('b', undefined).created, true, 'b expired while idle');
    assert.deepEqual(disposed, ['b']);
    assert.equal(reg.acquire('a', undefined).created, false, 'a is busy: kept');
    t = 5200;
    reg.end(a);
    t = 5500;
    reg.acquire('c', undefined);
    assert.deepEqual(disposed, ['b', 'b'], 'full: the least recently used idle session made room');
    reg.begin(reg.acquire('a', undefined).entry);
    reg.begin(reg.acquire('c', undefined).entry);
    assert.throws(() => reg.acquire('d', undefined), /All 2 sessions are answering/);
    await reg.disposeAll();
  });

  it('helpers: Accept-Encoding, loopback addresses, which body key, routes', () => {
    const req = (v: string) => ({ headers: { 'accept-encoding': v } }) as unknown as IncomingMessage;
    assert.equal(acceptsGzip(req('gzip, deflate, br')), true);
    assert.equal(acceptsGzip(req('br;q=1, gzip;q=0')), false);
    assert.equal(acceptsGzip(req('identity')), false);
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.ok(isLoopback(h), h);
    for (const h of ['0.0.0.0', '192.168.1.2', '::', 'example.com']) assert.ok(!isLoopback(h), h);
    const provider = { id: 'api.deepseek.com', kind: 'openai' as const, baseUrl: 'https://api.deepseek.com/v1', model: 'm' };
    assert.equal(pickRequestKey({ 'api.deepseek.com': 'k1', openai: 'k2' }, provider), 'k1');
    assert.equal(pickRequestKey({ qwen: 'k3', openai: 'k2' }, provider), 'k2');
    assert.equal(pickRequestKey({ deepseekA: 'k4' }, provider), 'k4');
    assert.equal(pickRequestKey({ a: 'k5', b: 'k6' }, provider), undefined);
    assert.deepEqual(matchRoute('GET', '/chat/stream/0832254c-0a8c-405e-8bc3-4bb478a3b70e'), {
      name: 'chat_resume',
      id: '0832254c-0a8c-405e-8bc3-4bb478a3b70e',
    });
    assert.deepEqual(matchRoute('PUT', '/chat/stream'), { name: 'not_found', allow: ['POST'] });
  });
});
