// The first event of an answer goes out as soon as it is parsed, even from the middle of a network
// read that carried a burst of events; the bytes still decode exactly as before, whatever the split.
import * as assert from 'node:assert/strict';
import type { EventSourceMessage } from 'eventsource-parser';
import { eventEnd, readSse } from '../../src/llm/sse-reader';
import { adapterFor } from '../../src/llm/providers';

async function* reads(parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
}

const delta = (content: string) => `data: {"choices":[{"delta":{"content":${JSON.stringify(content)}}}]}\n\n`;

/** Reads `parts` as the service does (first event early), noting how many messages each yield came after. */
async function run(parts: (string | Uint8Array)[]) {
  const dec = adapterFor('openai')!.createStreamDecoder();
  const stats = { invalidLines: 0, bytes: 0, head: '' };
  let messages = 0;
  let text = '';
  let pending = '';
  const yieldsAfter: number[] = [];
  const firstEvents: string[] = [];
  const onMessage = (msg: EventSourceMessage) => {
    messages++;
    const u = dec(msg);
    pending += u.content ?? '';
  };
  for await (const _ of readSse(reads(parts), stats, onMessage, () => pending !== '' || text !== '')) {
    yieldsAfter.push(messages);
    if (pending) firstEvents.push(pending);
    text += pending;
    pending = '';
  }
  return { yieldsAfter, events: firstEvents, text };
}

describe('SSE reader: the first event early', () => {
  it('finds where the first event ends with LF, CRLF and CR line ends, and -1 when it does not end', () => {
    assert.equal(eventEnd('data: a\n\ndata: b\n\n', 0), 9);
    assert.equal(eventEnd('data: a\n\ndata: b\n\n', 9), 18);
    assert.equal(eventEnd('data: a\r\n\r\ndata: b', 0), 11);
    assert.equal(eventEnd('data: a\r\rdata: b', 0), 9);
    assert.equal(eventEnd('data: a\ndata: b\n', 0), -1);
  });

  it('yields after the first content event of a burst, then once for the rest of that read', async () => {
    const burst = delta('第一') + delta('二') + delta('三') + 'data: [DONE]\n\n';
    const got = await run([burst]);
    assert.deepEqual(got.yieldsAfter, [1, 4]);
    assert.deepEqual(got.events, ['第一', '二三']);
    assert.equal(got.text, '第一二三');
  });

  it('waits past events with nothing to show (role delta, comments) and lets out the first one that has content', async () => {
    const burst = ': keep-alive\n\n' + 'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n' + delta('Hi') + delta('!');
    const got = await run([burst]);
    assert.deepEqual(got.yieldsAfter, [2, 3]);
    assert.deepEqual(got.events, ['Hi', '!']);
  });

  it('still yields after every read that delivered a message before the first content (an error event is seen at once)', async () => {
    const got = await run(['data: {"error":{"message":"overloaded"}}\n\n', delta('late')]);
    assert.deepEqual(got.yieldsAfter, [1, 2]);
  });

  for (const eol of ['\n', '\r\n']) {
    it(`decodes the same text at every 2-way split of a burst (${eol === '\n' ? 'LF' : 'CRLF'})`, async () => {
      const body = Buffer.from((delta('销售额') + delta('增长 12%。🚀') + delta('完') + 'data: [DONE]\n\n').replace(/\n/g, eol), 'utf8');
      for (let cut = 1; cut < body.length; cut++) {
        const got = await run([body.subarray(0, cut), body.subarray(cut)]);
        assert.equal(got.text, '销售额增长 12%。🚀完', `split at byte ${cut}`);
      }
    });
  }
});
