// The VS Code host's pure parts: event batching, the turn runner (Stop, the stream contract),
// notebook export, history compaction, settings parsing, and the completeness of the translations.
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RadarmEvent } from '../../src/protocol/events';
import type { TurnRecord } from '../../src/protocol/messages';
import { createEventBatcher } from '../../src/vscode/event-batcher';
import { closeUnfinished, compactTurns, titleOf } from '../../src/vscode/history-compact';
import { conversationToNotebook, toSource } from '../../src/vscode/notebook';
import { isLocalUrl, parseProviders, readSettings } from '../../src/vscode/settings';
import { runToEnd } from '../../src/vscode/turn-runner';

const root = join(__dirname, '..', '..');
/** Collects a batcher's posts; `next()` resolves with the next post (an event to await instead of a sleep). */
function postSink() {
  const posts: RadarmEvent[][] = [];
  let waiting: ((p: RadarmEvent[]) => void) | undefined;
  return {
    posts,
    post: (events: RadarmEvent[]) => {
      posts.push(events);
      waiting?.(events);
      waiting = undefined;
    },
    next: () => new Promise<RadarmEvent[]>((r) => (waiting = r)),
  };
}
const collect = async (it: AsyncIterable<RadarmEvent>) => {
  const out: RadarmEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
};
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function turn(id: string, events: RadarmEvent[], question = `question ${id}`): TurnRecord {
  return { id, question, mode: 'agent_single', dataFiles: ['sales.csv'], events };
}
const complete = (extra: Partial<Extract<RadarmEvent, { type: 'complete' }>['data']> = {}): RadarmEvent => ({
  type: 'complete',
  data: { reply: 'The answer.', generated_code: 'print(1)', execution_result: '1', image: PNG, plotly_json: '{"data":[]}', ...extra },
});

describe('vscode host: event batcher', () => {
  it('token deltas within one window become one coalesced post', async () => {
    const { posts, post, next } = postSink();
    const b = createEventBatcher(post, 30);
    const posted = next();
    for (let i = 0; i < 1000; i++) b.push({ type: 'content', stage: 'response', content: 'é' });
    assert.equal(posts.length, 0, 'nothing is posted before the window ends');
    await posted;
    assert.equal(posts.length, 1);
    assert.deepEqual(posts[0], [{ type: 'content', stage: 'response', content: 'é'.repeat(1000) }]);
    b.dispose();
  });

  it('terminal events flush at once, in order', () => {
    const posts: RadarmEvent[][] = [];
    const b = createEventBatcher((e) => posts.push(e), 10_000);
    b.push({ type: 'thinking', stage: 'planner', content: 'a' });
    b.push({ type: 'content', stage: 'planner', content: 'b' });
    b.push({ type: 'error', content: 'boom' });
    assert.equal(posts.length, 1);
    assert.deepEqual(
      posts[0].map((e) => e.type),
      ['thinking', 'content', 'error'],
    );
    b.push({ type: 'done' });
    assert.equal(posts.length, 2);
    b.dispose();
  });

  it('discard drops pending events (they were sent in a snapshot)', async () => {
    const { posts, post, next } = postSink();
    const b = createEventBatcher(post, 20);
    b.push({ type: 'content', stage: 'response', content: 'x' });
    b.discard();
    assert.equal(posts.length, 0);
    // The next post carries only what came after the discard: 'x' went neither alone nor with it.
    const posted = next();
    b.push({ type: 'content', stage: 'response', content: 'y' });
    await posted;
    assert.deepEqual(posts, [[{ type: 'content', stage: 'response', content: 'y' }]]);
    b.dispose();
  });
});

describe('vscode host: turn runner', () => {
  const opts = (signal: AbortSignal) => ({ signal, stoppedText: 'Stopped.', noResultText: 'No result.' });

  it('Stop ends a source stuck in an await at once, and its finally runs once released', async () => {
    let release!: () => void;
    let cleanedUp = false;
    let cleaned!: () => void;
    const cleanup = new Promise<void>((r) => (cleaned = r));
    let stuckAt!: () => void;
    const reachedAwait = new Promise<void>((r) => (stuckAt = r));
    async function* stuck(): AsyncGenerator<RadarmEvent> {
      try {
        yield { type: 'content', stage: 'code_generation', content: 'writing…' };
        await new Promise<void>((r) => {
          release = r;
          stuckAt();
        });
        yield { type: 'content', stage: 'code_generation', content: 'never seen' };
      } finally {
        cleanedUp = true;
        cleaned();
      }
    }
    const ac = new AbortController();
    const out: RadarmEvent[] = [];
    const run = (async () => {
      for await (const e of runToEnd(stuck(), opts(ac.signal))) out.push(e);
    })();
    await reachedAwait;
    const t0 = Date.now();
    ac.abort();
    await run;
    assert.ok(Date.now() - t0 < 200, 'Stop must not wait for the source');
    assert.deepEqual(out, [
      { type: 'content', stage: 'code_generation', content: 'writing…' },
      { type: 'error', content: 'Stopped.', code: 'cancelled' },
      { type: 'done' },
    ]);
    assert.equal(cleanedUp, false, 'the source is still stuck');
    release();
    await cleanup;
    assert.equal(cleanedUp, true);
  });

  it('a source that ends without a terminal event gets an error and done', async () => {
    async function* partial(): AsyncGenerator<RadarmEvent> {
      yield { type: 'content', stage: 'response', content: 'half' };
    }
    const out = await collect(runToEnd(partial(), opts(new AbortController().signal)));
    assert.deepEqual(out.slice(1), [{ type: 'error', content: 'No result.', code: 'internal' }, { type: 'done' }]);
  });

  it('a throwing source becomes one error; events after the terminal one are dropped', async () => {
    async function* throws(): AsyncGenerator<RadarmEvent> {
      yield { type: 'thinking', stage: 'system', content: 'x' };
      throw new Error('socket hang up');
    }
    const out = await collect(runToEnd(throws(), opts(new AbortController().signal)));
    assert.deepEqual(out.slice(1), [{ type: 'error', content: 'No result. socket hang up', code: 'internal' }, { type: 'done' }]);

    async function* chatty(): AsyncGenerator<RadarmEvent> {
      yield complete();
      yield { type: 'error', content: 'late' };
      yield { type: 'done' };
      yield { type: 'done' };
    }
    const out2 = await collect(runToEnd(chatty(), opts(new AbortController().signal)));
    assert.deepEqual(
      out2.map((e) => e.type),
      ['complete', 'done'],
    );
  });
});

describe('vscode host: notebook export', () => {
  it('questions are markdown, code cells carry text, PNG and Plotly outputs', () => {
    const nb = conversationToNotebook(
      [
        turn('1', [complete({ reply: '上海最多。', generated_code: 'a = 1\nprint(a)\n' })], '哪个城市最多？'),
        turn('2', [{ type: 'error', content: 'LLM failed\nline 2' }, { type: 'done' }], 'second'),
        turn('3', [complete({ generated_code: 'x', plotly_json: 'not json', image: null })], 'third'),
      ],
      { title: 'Sales' },
    ) as any;
    assert.equal(nb.nbformat, 4);
    const kinds = nb.cells.map((c: any) => c.cell_type);
    assert.deepEqual(kinds, ['markdown', 'markdown', 'markdown', 'code', 'markdown', 'markdown', 'markdown', 'markdown', 'code', 'markdown']);
    assert.equal(nb.cells[2].source.join(''), '**Q:** 哪个城市最多？');
    const code = nb.cells[3];
    assert.deepEqual(code.source, ['a = 1\n', 'print(a)\n']);
    assert.deepEqual(code.outputs[0], { output_type: 'stream', name: 'stdout', text: ['1'] });
    assert.equal(code.outputs[1].data['image/png'], PNG.split(',')[1]);
    assert.deepEqual(code.outputs[2].data['application/vnd.plotly.v1+json'], { data: [] });
    assert.equal(nb.cells[6].source.join(''), '> LLM failed\n> line 2');
    // Invalid Plotly JSON and a missing image leave just the text output.
    assert.deepEqual(
      nb.cells[8].outputs.map((o: any) => o.output_type),
      ['stream'],
    );
    assert.equal(new Set(nb.cells.map((c: any) => c.id)).size, nb.cells.length, 'cell ids are unique');
  });

  it('toSource keeps newlines on all lines but the last', () => {
    assert.deepEqual(toSource('a\nb'), ['a\n', 'b']);
    assert.deepEqual(toSource('a\n'), ['a\n']);
    assert.deepEqual(toSource(''), []);
  });
});

describe('vscode host: history compaction', () => {
  it('keeps the last maxTurns and strips figures from turns older than keepMediaTurns', () => {
    const turns = Array.from({ length: 30 }, (_, i) =>
      turn(String(i), [
        { type: 'content', stage: 'explanation', content: 'a' },
        { type: 'content', stage: 'explanation', content: 'b' },
        complete(),
        { type: 'done' },
      ]),
    );
    const kept = compactTurns(turns, { maxTurns: 20, keepMediaTurns: 5 });
    assert.equal(kept.length, 20);
    assert.equal(kept[0].id, '10');
    const data = (t: TurnRecord) => (t.events.find((e) => e.type === 'complete') as any).data;
    assert.equal(data(kept[14]).image, null);
    assert.equal(data(kept[14]).plotly_json, null);
    assert.equal(data(kept[15]).image, PNG);
    // Deltas are coalesced.
    assert.deepEqual(kept[19].events[0], { type: 'content', stage: 'explanation', content: 'ab' });
    // The input is not mutated.
    assert.equal(data(turns[10]).image, PNG);
  });

  it('past the size cap the oldest turns go, the last one always stays', () => {
    const big = 'x'.repeat(50_000);
    const turns = Array.from({ length: 10 }, (_, i) => turn(String(i), [complete({ image: `data:image/png;base64,${big}` })]));
    // First the figures of every turn but the last go…
    const kept = compactTurns(turns, { maxTurns: 100, keepMediaTurns: 100, maxChars: 60_000 });
    assert.equal(kept.length, 10);
    assert.ok(JSON.stringify(kept).length <= 60_000);
    const image = (t: TurnRecord) => (t.events[0] as any).data.image;
    assert.deepEqual(kept.slice(0, 9).map(image), Array(9).fill(null));
    assert.equal(image(kept[9]).length, big.length + 22);
    // …then, still too big, the oldest turns.
    const fewer = compactTurns(turns, { maxTurns: 100, keepMediaTurns: 100, maxChars: 51_000 });
    assert.ok(fewer.length < 10 && fewer.length >= 1, `kept ${fewer.length}`);
    assert.ok(JSON.stringify(fewer).length <= 51_000);
    assert.equal(fewer.at(-1)!.id, '9');
    const one = compactTurns([turns[0]], { maxTurns: 10, maxChars: 10 });
    assert.equal(one.length, 1, 'a single huge turn is kept');
  });

  it('an unfinished turn is closed with the reason', () => {
    const t = closeUnfinished(turn('1', [{ type: 'content', stage: 'response', content: 'par' }]), 'Interrupted.');
    assert.deepEqual(t.events.slice(1), [{ type: 'error', content: 'Interrupted.' }, { type: 'done' }]);
    const finished = turn('2', [complete(), { type: 'done' }]);
    assert.equal(closeUnfinished(finished, 'x'), finished);
    assert.equal(titleOf([turn('1', [], '  a\n  question  ')]), 'a question');
  });
});

describe('vscode host: settings', () => {
  it('providers are validated one by one; bad entries are reported, not fatal', () => {
    const { providers, problems } = parseProviders([
      { id: 'deepseek', kind: 'openai', baseUrl: 'https://api.deepseek.com/v1', model: 'deepseek-chat' },
      { id: 'local', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5' },
      { id: 'bad id!', baseUrl: 'https://x', model: 'm' },
      { id: 'deepseek', baseUrl: 'https://y', model: 'm' },
      { id: 'nourl', baseUrl: 'ftp://x', model: 'm' },
      { id: 'nomodel', baseUrl: 'https://x' },
      { id: 'kind', kind: 'gemini', baseUrl: 'https://x', model: 'm' },
    ]);
    assert.deepEqual(
      providers.map((p) => [p.id, p.kind, p.requiresKey, p.label]),
      [
        ['deepseek', 'openai', true, 'deepseek'],
        ['local', 'openai', false, 'local'],
      ],
    );
    assert.equal(problems.length, 5);
    assert.match(problems.join('\n'), /used twice/);
  });

  it('isLocalUrl', () => {
    for (const u of ['http://localhost:1/v1', 'http://127.0.0.1:11434', 'http://[::1]:8000/v1', 'http://ollama.localhost/'])
      assert.equal(isLocalUrl(u), true, u);
    for (const u of ['https://api.deepseek.com', 'http://10.0.0.1', 'not a url']) assert.equal(isLocalUrl(u), false, u);
  });

  it('limits outside their range are refused and reported (never clamped to 0), seconds become ms, unknown modes fall back', () => {
    const values: Record<string, unknown> = {
      requestTimeout: 1,
      stallTimeout: 30,
      poolSize: 0,
      defaultMode: 'nope',
      enableStream: false,
      executionTimeout: 'x',
      maxResponseMB: 0.0001,
    };
    const s = readSettings((k) => values[k]);
    assert.equal(s.requestTimeoutMs, 180_000, 'a 1 s request timeout is below the minimum of 5 s: the default is used');
    assert.equal(s.stallTimeoutMs, 30_000);
    assert.equal(s.poolSize, 20);
    assert.equal(s.defaultMode, 'agent_single');
    assert.equal(s.enableStream, false);
    assert.equal(s.executionTimeoutMs, 60_000);
    assert.equal(s.maxResponseBytes, 8 * 1024 * 1024);
    assert.deepEqual(
      s.settingProblems.map((p) => [p.setting, p.value, p.min, p.used]),
      [
        ['radarm.requestTimeout', 1, 5, 180],
        ['radarm.poolSize', 0, 1, 20],
        ['radarm.executionTimeout', 'x', 1, 60],
        ['radarm.maxResponseMB', 0.0001, 1, 8],
      ],
    );
    assert.deepEqual(readSettings((k) => ({ stallTimeout: 10, maxResponseMB: 2 })[k as 'stallTimeout']).settingProblems, []);
    assert.deepEqual(
      s.providers.map((p) => p.id),
      ['deepseek', 'qwen', 'openai', 'ollama'],
    );
  });
});

describe('vscode host: translations', () => {
  const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

  it('every vscode.l10n string of the host has a Simplified Chinese translation with the same placeholders', () => {
    const bundle = JSON.parse(readFileSync(join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
    const dir = join(root, 'src', 'vscode');
    const strings = new Set<string>();
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8');
      for (const m of src.matchAll(/\b(?:vscode\.l10n\.t|(?<![\w.])t)\(\s*'((?:[^'\\]|\\.)*)'/g))
        strings.add(m[1].replace(/\\(.)/g, '$1'));
    }
    assert.ok(strings.size > 30, `found only ${strings.size} strings`);
    const missing = [...strings].filter((s) => !(s in bundle));
    assert.deepEqual(missing, []);
    for (const s of strings) assert.deepEqual(placeholders(bundle[s]), placeholders(s), s);
  });

  it('every %key% of package.json is in package.nls.json and package.nls.zh-cn.json', () => {
    const manifest = readFileSync(join(root, 'package.json'), 'utf8');
    const keys = new Set([...manifest.matchAll(/"%([\w.-]+)%"/g)].map((m) => m[1]));
    assert.ok(keys.size > 20);
    for (const file of ['package.nls.json', 'package.nls.zh-cn.json']) {
      const nls = JSON.parse(readFileSync(join(root, file), 'utf8'));
      assert.deepEqual(
        [...keys].filter((k) => !(k in nls)),
        [],
        file,
      );
    }
  });
});
