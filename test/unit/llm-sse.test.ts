// SSE bytes → provider updates, exhaustively: the same bytes split at every byte boundary (including
// inside UTF-8 Chinese characters and between \r and \n) must decode to the same text. Redaction has its own file (llm-redact.test.ts).
import * as assert from 'node:assert/strict';
import { readSse } from '../../src/llm/sse-reader';
import { adapterFor } from '../../src/llm/providers';
import { serverMessage } from '../../src/llm/errors';
import { retryAfterMs } from '../../src/llm/send';
import { createThinkSplitter } from '../../src/llm/think-tags';

async function* chunks(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

async function decode(kind: 'openai' | 'anthropic', parts: Uint8Array[]) {
  const stats = { invalidLines: 0, bytes: 0, head: '' };
  const dec = adapterFor(kind)!.createStreamDecoder();
  let text = '';
  let reasoning = '';
  let done = false;
  let malformed = 0;
  const onMessage = (msg: Parameters<typeof dec>[0]) => {
    const u = dec(msg);
    text += u.content ?? '';
    reasoning += u.reasoning ?? '';
    if (u.malformed) malformed++;
    if (u.done) done = true;
  };
  for await (const _ of readSse(chunks(parts), stats, onMessage));
  return { text, reasoning, done, malformed: malformed + stats.invalidLines };
}

const openAiBody = [
  ': keep-alive',
  '',
  'data: {"choices":[{"delta":{"reasoning_content":"思考：用户要"}}]}',
  '',
  'data: {"choices":[{"delta":{"content":"销售额增长了"}}]}',
  '',
  'data: {broken json',
  '',
  'data: {"choices":[{"delta":{"content":" 12%。🚀"},"finish_reason":"stop"}]}',
  '',
  'data: [DONE]',
  '',
  '',
];

const anthropicBody = [
  'event: message_start',
  'data: {"type":"message_start","message":{"usage":{"input_tokens":5}}}',
  '',
  'event: content_block_start',
  'data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"先想一想"}}',
  '',
  'event: ping',
  'data: {"type":"ping"}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"中文回答"}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
];

describe('SSE decoding at every byte boundary', () => {
  for (const eol of ['\n', '\r\n']) {
    const label = eol === '\n' ? 'LF' : 'CRLF';

    it(`OpenAI format, ${label}: every 2-way split and 1-byte chunks decode identically`, async () => {
      const bytes = Buffer.from(openAiBody.join(eol), 'utf8');
      const expected = { text: '销售额增长了 12%。🚀', reasoning: '思考：用户要', done: true, malformed: 1 };
      for (let cut = 1; cut < bytes.length; cut++) {
        const got = await decode('openai', [bytes.subarray(0, cut), bytes.subarray(cut)]);
        assert.deepEqual(got, expected, `split at byte ${cut}`);
      }
      const single = [...bytes].map((b) => Uint8Array.of(b));
      assert.deepEqual(await decode('openai', single), expected);
    });

    it(`Anthropic format, ${label}: every 2-way split decodes identically`, async () => {
      const bytes = Buffer.from(anthropicBody.join(eol), 'utf8');
      const expected = { text: '中文回答', reasoning: '先想一想', done: true, malformed: 0 };
      for (let cut = 1; cut < bytes.length; cut++) {
        const got = await decode('anthropic', [bytes.subarray(0, cut), bytes.subarray(cut)]);
        assert.deepEqual(got, expected, `split at byte ${cut}`);
      }
    });
  }

  it('a last event without its blank line still counts', async () => {
    const got = await decode('openai', [Buffer.from('data: {"choices":[{"delta":{"content":"x"}}]}\n\ndata: [DONE]')]);
    assert.deepEqual(got, { text: 'x', reasoning: '', done: true, malformed: 0 });
  });
});

describe('error text helpers', () => {
  it('extracts the server message from the usual error shapes', () => {
    assert.equal(serverMessage('{"error":{"message":"bad model","type":"x"}}'), 'bad model');
    assert.equal(serverMessage('{"error":"plain"}'), 'plain');
    assert.equal(serverMessage('{"object":"error","message":"vllm says"}'), 'vllm says');
    assert.equal(serverMessage('{"detail":[{"msg":"field required"}]}'), 'field required');
    assert.equal(serverMessage('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'), 'Overloaded');
    assert.equal(serverMessage('<html><body><h1>Bad Gateway</h1></body></html>'), 'Bad Gateway');
    assert.equal(serverMessage('   '), undefined);
  });

  it('reads Retry-After as seconds, as an HTTP date, and retry-after-ms', () => {
    assert.equal(retryAfterMs({ 'retry-after': '3' }), 3000);
    assert.equal(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '3' }), 250);
    const inTwo = new Date(Date.now() + 2000).toUTCString();
    const ms = retryAfterMs({ 'retry-after': inTwo })!;
    assert.ok(ms > 0 && ms <= 2000, String(ms));
    assert.equal(retryAfterMs({ 'retry-after': 'soon' }), undefined);
    assert.equal(retryAfterMs({}), undefined);
  });
});

describe('inline <think> tags', () => {
  function run(parts: string[]) {
    const s = createThinkSplitter();
    let content = '';
    let reasoning = '';
    for (const p of [...parts.map((x) => s.push(x)), s.flush()]) {
      content += p.content;
      reasoning += p.reasoning;
    }
    return { content, reasoning };
  }

  it('moves a leading <think>…</think> to reasoning, whatever the split', () => {
    const whole = '\n<think>\n用户问销售额。</think>\n\n答案是 42。';
    for (let i = 1; i < whole.length; i++)
      for (let j = i; j < whole.length; j += 3) {
        const got = run([whole.slice(0, i), whole.slice(i, j), whole.slice(j)]);
        assert.deepEqual(got, { content: '答案是 42。', reasoning: '\n用户问销售额。' }, `${i}/${j}`);
      }
  });

  it('leaves answers without a leading <think> alone (also a later one)', () => {
    assert.deepEqual(run(['Hello ', '<think>x</think>']), { content: 'Hello <think>x</think>', reasoning: '' });
    assert.deepEqual(run(['<thi', 's is not a tag']), { content: '<this is not a tag', reasoning: '' });
    assert.deepEqual(run(['  ', '']), { content: '  ', reasoning: '' });
  });

  it('an unterminated <think> stays reasoning; a held-back partial tag is flushed', () => {
    assert.deepEqual(run(['<think>still thinking</thi']), { content: '', reasoning: 'still thinking</thi' });
  });
});
