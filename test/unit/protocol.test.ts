import * as assert from 'node:assert/strict';
import { isRadarmEvent, terminated, type RadarmEvent } from '../../src/protocol/events';
import { decodeSse, encodeSse } from '../../src/protocol/sse';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

describe('protocol', () => {
  const events: RadarmEvent[] = [
    { type: 'thinking', stage: 'planner', content: '🧠 架构师正在规划...' },
    { type: 'content', stage: 'response', content: '你好，世界\n' },
    {
      type: 'complete',
      data: { reply: '你好', generated_code: null, execution_result: null, image: null, plotly_json: null },
    },
    { type: 'done' },
  ];

  it('validates events structurally', () => {
    for (const e of events) assert.ok(isRadarmEvent(e), JSON.stringify(e));
    assert.equal(isRadarmEvent({ type: 'thinking', stage: 'response', content: 'x' }), false);
    assert.equal(isRadarmEvent({ type: 'content', stage: 'nope', content: 'x' }), false);
    assert.equal(isRadarmEvent({ type: 'complete', data: { reply: 1 } }), false);
    assert.equal(isRadarmEvent({ type: 'error' }), false);
    assert.equal(isRadarmEvent(null), false);
    assert.equal(isRadarmEvent('done'), false);
  });

  it('accepts error codes and status events it knows, and refuses unknown codes, kinds and non-http links', () => {
    assert.ok(isRadarmEvent({ type: 'error', content: 'x', code: 'auth' }));
    assert.ok(!isRadarmEvent({ type: 'error', content: 'x', code: 'whatever' }));
    assert.ok(isRadarmEvent({ type: 'status', stage: 'execution', kind: 'running', content: 'Running…', startedAt: 1 }));
    assert.ok(isRadarmEvent({ type: 'status', stage: 'execution', kind: 'progress', content: '3/9', url: 'http://127.0.0.1:8787/status' }));
    assert.ok(!isRadarmEvent({ type: 'status', stage: 'execution', kind: 'progress', content: '3/9', url: 'javascript:alert(1)' }));
    assert.ok(!isRadarmEvent({ type: 'status', stage: 'execution', kind: 'dance', content: 'x' }));
    assert.ok(!isRadarmEvent({ type: 'status', stage: 'nowhere', kind: 'note', content: 'x' }));
  });

  it('round-trips SSE split at every byte boundary, including inside Chinese characters', async () => {
    const bytes = Buffer.from(events.map(encodeSse).join(''), 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
      const decoded = await collect(decodeSse(from(chunks)));
      assert.deepEqual(decoded, events, `cut at ${cut}`);
    }
  });

  it('skips and reports invalid SSE payloads', async () => {
    const invalid: string[] = [];
    const text = 'data: {not json}\n\ndata: {"type":"bogus"}\n\n' + encodeSse({ type: 'done' });
    const decoded = await collect(decodeSse(from([text]), (raw) => invalid.push(raw)));
    assert.deepEqual(decoded, [{ type: 'done' }]);
    assert.equal(invalid.length, 2);
  });

  it('terminated() ends every stream with exactly one terminal event and one done', async () => {
    const cut = await collect(terminated(from<RadarmEvent>([{ type: 'content', stage: 'response', content: 'a' }])));
    assert.deepEqual(
      cut.map((e) => e.type),
      ['content', 'error', 'done'],
    );
    const extra = await collect(
      terminated(from<RadarmEvent>([{ type: 'error', content: 'x' }, { type: 'content', stage: 'response', content: 'late' }])),
    );
    assert.deepEqual(
      extra.map((e) => e.type),
      ['error', 'done'],
    );
    async function* throws(): AsyncGenerator<RadarmEvent> {
      yield { type: 'content', stage: 'response', content: 'a' };
      throw new Error('boom');
    }
    const thrown = await collect(terminated(throws()));
    assert.equal(thrown[1].type, 'error');
    assert.match((thrown[1] as { content: string }).content, /boom/);
    assert.equal(thrown.length, 3);
  });
});
