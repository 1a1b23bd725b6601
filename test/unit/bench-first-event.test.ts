// The first_event_ms benchmark's own honesty: every measured request counts toward its percentiles,
// the attribution of slow requests (core waits, GC) is reported beside the figure and never removes a
// request from it, and the Radarm it times is the shipped bundle, streaming real SSE bytes.
import * as assert from 'node:assert/strict';
import { runQueueMs, summarise, type Sample } from '../../bench/first-event';
import { loadShippedLlm } from '../../bench/shipped-llm';
import { radarmStream, startBenchServer } from '../../bench/sse';

const sample = (total: number, extra: Partial<Sample> = {}): Sample => ({
  stack: 'radarm',
  total,
  toKernel: 0.02,
  toRead: total / 2,
  toEvent: total / 2 - 0.02,
  clientWait: 0,
  serverWait: 0,
  gcMs: 0,
  ...extra,
});

describe('bench first_event_ms', () => {
  it('counts requests that waited for a core or met a GC in p99 and lists them beside it', () => {
    const samples = [
      ...Array.from({ length: 970 }, () => sample(0.3)),
      ...Array.from({ length: 20 }, () => sample(5, { clientWait: 4.6 })),
      ...Array.from({ length: 10 }, () => sample(3, { gcMs: 2.5 })),
    ];
    const s = summarise(samples);
    assert.equal(s.p99, 5, 'the 30 slow requests are 3% of 1,000: p99 must be one of them');
    assert.equal(s.max, 5);
    assert.equal(s.requests_waiting_for_core, 20);
    assert.equal(s.requests_with_gc, 10);
    assert.deepEqual(s.without_core_wait_or_gc, { requests: 970, p50: 0.3, p90: 0.3, p99: 0.3, max: 0.3 });
    assert.equal(s.slowest_1_percent.waited_for_core, s.slowest_1_percent.requests);
  });

  it('leaves a slow request with no core wait and no GC unexplained in the slowest 1%', () => {
    const samples = [...Array.from({ length: 995 }, () => sample(0.3)), ...Array.from({ length: 5 }, () => sample(4))];
    const s = summarise(samples);
    assert.equal(s.slowest_1_percent.waited_for_core, 0);
    assert.equal(s.slowest_1_percent.met_gc, 0);
    assert.equal(s.without_core_wait_or_gc?.max, 4, 'an unexplained slow request stays in the calm figures too');
  });

  it("reads this process's run-queue wait on Linux, and nothing for a process that does not exist", () => {
    const own = runQueueMs(process.pid);
    if (process.platform === 'linux') assert.ok(typeof own === 'number' && own >= 0, `got ${own}`);
    assert.equal(runQueueMs(2 ** 22 + 12345), undefined);
  });

  it('times the shipped LLM bundle on real SSE bytes, with the first chunk handed to the kernel after its time was taken', async function () {
    this.timeout(60_000);
    const shipped = loadShippedLlm();
    const server = await startBenchServer();
    try {
      const provider = { id: 'bench', kind: 'openai' as const, baseUrl: server.baseUrl, model: 'bench' };
      const llm = shipped.createLlmService();
      await server.reset();
      for (let i = 0; i < 3; i++) assert.equal(await radarmStream(llm, provider, 5), 5); // checks the text too
      const st = await server.stats();
      assert.equal(st.firstByteTimes.length, 3);
      assert.equal(st.flushedTimes.length, 3);
      st.firstByteTimes.forEach((t, i) => assert.ok(BigInt(st.flushedTimes[i]) >= BigInt(t)));
    } finally {
      server.close();
      await shipped.closeLlmNetwork();
    }
  });
});
