// Redaction that cannot corrupt: over many keys (real-looking and placeholders) and many event shapes,
// the output is always a valid protocol event, equal to the input when the key does not occur, and a
// real key never survives — whole, in identifying pieces, or split across streamed deltas.
import * as assert from 'node:assert/strict';
import { isMaskableSecret, REDACTED, redactEvent, redactEvents, redactSecret } from '../../src/llm/redact';
import { isRadarmEvent, type RadarmEvent } from '../../src/protocol/events';
import { encodeNdjson } from '../../src/protocol/sse';

const decodeNdjsonLine = (line: string): unknown => {
  assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'), 'one line');
  return JSON.parse(line);
};

/** A small deterministic PRNG, so every run checks the same cases and a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261129);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
const randomString = (alphabet: string, n: number) => Array.from({ length: n }, () => pick([...alphabet])).join('');

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
function realKeys(): string[] {
  const keys: string[] = [];
  for (let i = 0; i < 12; i++) {
    keys.push(`sk-${randomString(B62, 48)}`); // OpenAI classic
    keys.push(`sk-proj-${randomString(B62 + '_-', 64)}`); // OpenAI project
    keys.push(`sk-${randomString(HEX, 32)}`); // DeepSeek
    keys.push(`sk-ant-api03-${randomString(B62 + '_-', 80)}`); // Anthropic
    keys.push(randomString(HEX, 32)); // Azure
    keys.push(`${randomString(B62, 10)}.${randomString(B62, 16)}`); // short-ish vendor keys
  }
  return keys;
}
const PLACEHOLDERS = ['EMPTY', 'ollama', 'lm-studio', 'sk-no-key-required', 'none', 'dummy', 'sk-xxx', 'abc', 'not-needed', 'x'];

// Text that data and answers are made of: words that occur in placeholder keys, numbers, JSON, Chinese.
const WORDS = ['content', 'type', 'thinking', 'key', 'my', 'studio', 'required', 'EMPTY', 'none', 'ollama', 'lm', '1234567890',
  '3.14159', '销售额', '地区', '"quoted"', '{"a":1}', '\\n', 'sk-', 'no', '-', ' ', '\n', 'complete', 'stage', 'data'];
const sentence = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(pick([' ', '', '-']));

function eventShapes(text: () => string): RadarmEvent[] {
  return [
    { type: 'thinking', stage: 'planner', content: text() },
    { type: 'content', stage: 'response', content: text() },
    { type: 'error', content: text(), code: 'auth' },
    { type: 'status', stage: 'executor', kind: 'retry', content: text(), attempt: 2, attempts: 4, delayMs: 2000 },
    {
      type: 'complete',
      data: {
        reply: text(),
        generated_code: `print(${JSON.stringify(text())})`,
        execution_result: text(),
        image: null,
        plotly_json: JSON.stringify({ data: [{ type: 'bar', x: [text(), text()], y: [1, 2] }], layout: { title: { text: text() } } }),
        usage: { promptTokens: 12, completionTokens: 34 },
      },
    },
    { type: 'done' },
  ];
}

/** Every identifying (>= 10 characters) piece of the key. */
function assertNoPieceOf(key: string, out: string) {
  assert.ok(!out.includes(key), `the whole key survived: ${out}`);
  for (let i = 0; i + 10 <= key.length; i++) assert.ok(!out.includes(key.slice(i, i + 10)), `a piece of the key survived: ${out}`);
}

describe('redaction that cannot corrupt', () => {
  it('placeholder and short keys are never masked, even where they occur', () => {
    for (const key of PLACEHOLDERS) {
      assert.equal(isMaskableSecret(key), false, key);
      const text = `Using ${key} as the key; type content ${key}`;
      assert.equal(redactSecret(text, key), text);
      for (const ev of eventShapes(() => `${sentence(8)} ${key} ${sentence(4)}`)) assert.deepEqual(redactEvent(ev, key), ev);
    }
  });

  it('for any key, an event without the key is returned unchanged and stays a valid NDJSON line', () => {
    const keys = [...realKeys(), ...PLACEHOLDERS, 'my-content-key', 'content-type-key', 'typecontent'];
    for (const key of keys)
      for (let round = 0; round < 5; round++)
        for (const ev of eventShapes(() => sentence(12))) {
          const out = redactEvent(ev, key);
          const line = encodeNdjson(out);
          const back = decodeNdjsonLine(line);
          assert.ok(isRadarmEvent(back), line);
          // The random words may happen to spell a word-like key ("typecontent"): then it is masked.
          if (!JSON.stringify(ev).includes(key)) assert.deepEqual(back, ev, `key ${key} changed an event it does not occur in`);
        }
  });

  it('a key made of ordinary words (my-content-key) masks only itself, never "content" or the JSON structure', () => {
    const key = 'my-content-key';
    const ev: RadarmEvent = { type: 'content', stage: 'response', content: 'The content-key column and my-content-key.' };
    const out = redactEvent(ev, key);
    assert.deepEqual(out, { type: 'content', stage: 'response', content: `The content-key column and ${REDACTED}.` });
    assert.ok(isRadarmEvent(decodeNdjsonLine(encodeNdjson(out))));
  });

  it('a real key never survives in any text field of any event, and the event stays valid', () => {
    for (const key of realKeys())
      for (const ev of eventShapes(() => `${sentence(3)} ${pick([key, key.slice(0, 20), key.slice(-16), `"${key}"`])} ${sentence(3)}`)) {
        const out = redactEvent(ev, key);
        const line = encodeNdjson(out);
        assertNoPieceOf(key, line);
        const back = decodeNdjsonLine(line) as RadarmEvent;
        assert.ok(isRadarmEvent(back), line);
        assert.equal(back.type, ev.type);
        if (back.type === 'complete') JSON.parse(back.data.plotly_json!); // still a JSON document
      }
  });

  it('what servers echo ("provided: sk-abc12345…wxyz") is masked; the last 4 characters alone are not a secret', () => {
    const key = 'sk-live-ABCDEF0123456789abcdef';
    assert.equal(redactSecret(`Incorrect API key provided: ${key.slice(0, 12)}***${key.slice(-4)}.`, key), `Incorrect API key provided: ${REDACTED}***cdef.`);
    assert.equal(redactSecret(`bad key ${key}!`, key), `bad key ${REDACTED}!`);
    assert.equal(redactSecret('nothing secret here', key), 'nothing secret here');
    assert.equal(redactSecret('text', undefined), 'text');
  });

  it('a key split across streamed deltas at any point never survives, and text without it streams unchanged', async () => {
    const stream = async (deltas: string[], key: string) => {
      const events: RadarmEvent[] = deltas.map((content) => ({ type: 'content', stage: 'response', content }));
      events.push({ type: 'complete', data: { reply: '', generated_code: null, execution_result: null, image: null, plotly_json: null } });
      const out: RadarmEvent[] = [];
      for await (const ev of redactEvents(
        (async function* () {
          yield* events;
        })(),
        key,
      ))
        out.push(ev);
      assert.equal(out[out.length - 1].type, 'complete', 'streamed text is flushed before the terminal event');
      return out
        .filter((e) => e.type === 'content')
        .map((e) => (e as { content: string }).content)
        .join('');
    };
    for (const key of realKeys().slice(0, 12)) {
      const text = `Your key is ${key}, keep it safe. 数据 123`;
      for (let i = 1; i < text.length; i += 3)
        for (let j = i + 1; j < text.length; j += 7) {
          const got = await stream([text.slice(0, i), text.slice(i, j), text.slice(j)], key);
          assertNoPieceOf(key, got);
          assert.equal(got, `Your key is ${REDACTED}, keep it safe. 数据 123`);
        }
      // One character per delta, as a slow model would stream it.
      const slow = await stream([...text], key);
      assert.equal(slow, `Your key is ${REDACTED}, keep it safe. 数据 123`);
      const plain = sentence(40);
      assert.equal(await stream([...plain], key), plain);
    }
  });

  it('streamed thinking and content of different stages keep their order and types', async () => {
    const key = realKeys()[0];
    const src: RadarmEvent[] = [
      { type: 'thinking', stage: 'planner', content: 'plan ' },
      { type: 'thinking', stage: 'planner', content: key.slice(0, 5) },
      { type: 'content', stage: 'planner', content: 'step 1' },
      { type: 'status', stage: 'executor', kind: 'retry', content: 'retrying in 2 s, attempt 2 of 4' },
      { type: 'content', stage: 'executor', content: 'x' },
    ];
    const out: RadarmEvent[] = [];
    for await (const ev of redactEvents(
      (async function* () {
        yield* src;
      })(),
      key,
    ))
      out.push(ev);
    const runs = out.map((e) => `${e.type}/${'stage' in e ? e.stage : ''}`);
    assert.deepEqual([...new Set(runs)], ['thinking/planner', 'content/planner', 'status/executor', 'content/executor']);
    assert.equal(
      out.filter((e) => e.type === 'thinking').map((e) => (e as { content: string }).content).join(''),
      `plan ${key.slice(0, 5)}`,
    );
  });

  it('a held-back tail is shown when the stream goes quiet (e.g. while code runs), without waiting for the next event', async () => {
    const key = realKeys()[1]; // sk-proj-…: a text ending in "s" may be the start of the key
    let sawTail!: () => void;
    const tailShown = new Promise<void>((resolve) => (sawTail = resolve));
    async function* source(): AsyncGenerator<RadarmEvent> {
      yield { type: 'content', stage: 'code_generation', content: 'print(1)\n```\nSee the results' };
      await tailShown; // the kernel runs; nothing arrives until the consumer has the whole text
      yield { type: 'thinking', stage: 'system', content: 'done' };
    }
    let text = '';
    for await (const ev of redactEvents(source(), key)) {
      if (ev.type === 'content') text += ev.content;
      if (text.endsWith('See the results')) sawTail();
    }
    assert.equal(text, 'print(1)\n```\nSee the results');
  });

  it('a consumer that stops after a held tail was shown is not held up by a source stuck in an await', async () => {
    const key = realKeys()[1];
    let finished = false;
    async function* source(): AsyncGenerator<RadarmEvent> {
      try {
        yield { type: 'content', stage: 'response', content: 'abc s' };
        await new Promise(() => {}); // stuck (a kernel that never answers)
      } finally {
        finished = true;
      }
    }
    for await (const ev of redactEvents(source(), key)) {
      if (ev.type === 'content' && ev.content.endsWith('s')) break;
    }
    assert.equal(finished, false, 'a stuck source cannot finish, but the consumer was not held up by it');
  });
});
