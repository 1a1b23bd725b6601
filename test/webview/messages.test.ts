// The host ↔ webview message validators: what fits is copied through, everything else is refused.
import * as assert from 'node:assert/strict';
import type { RadarmEvent } from '../../src/protocol/events';
import { coalesceEvents, type PanelState } from '../../src/protocol/messages';
import { LIMITS, parseHostMessage, parseWebviewMessage } from '../../src/protocol/message-parse';

const state = (): PanelState => ({
  locale: 'zh-cn',
  mode: 'agent_multi',
  providers: [{ id: 'deepseek', label: 'DeepSeek', model: 'deepseek-chat', hasKey: true }],
  providerId: 'deepseek',
  trusted: true,
  plotlyUri: 'https://file+.vscode-resource.vscode-cdn.net/x/dist/webview/plotly.min.js',
  dataFiles: { available: ['data/销售.csv', 'b.xlsx'], selected: ['data/销售.csv'] },
  busyTurnId: null,
  turns: [
    {
      id: 't1',
      question: '哪个地区销售额最高？',
      mode: 'agent_multi',
      dataFiles: ['data/销售.csv'],
      events: [
        { type: 'thinking', stage: 'planner', content: '🧠 规划中' },
        { type: 'content', stage: 'response', content: '华东' },
        { type: 'done' },
      ],
    },
  ],
});

describe('protocol messages: webview → host', () => {
  it('accepts every well-formed message and returns a copy with only known fields', () => {
    const ok: unknown[] = [
      { type: 'ready' },
      { type: 'send', text: '你好', mode: 'ask', dataFiles: ['a.csv'] },
      { type: 'cancel' },
      { type: 'cancel', turnId: 't1' },
      { type: 'retry', turnId: 't1' },
      { type: 'insertCode', code: 'df.head()' },
      { type: 'copy', text: 'x' },
      { type: 'pickDataFiles' },
      { type: 'setDataFiles', files: [] },
      { type: 'setMode', mode: 'agent_single' },
      { type: 'setProvider', id: 'qwen' },
      { type: 'newChat' },
      { type: 'setApiKey' },
      { type: 'setApiKey', providerId: 'qwen' },
      { type: 'openSettings' },
      { type: 'openFile', path: 'a.csv' },
      { type: 'exportNotebook' },
      { type: 'clearHistory' },
    ];
    for (const m of ok) assert.deepEqual(parseWebviewMessage(m), m, JSON.stringify(m));
    const withExtra = { type: 'copy', text: 'x', evil: '<script>' };
    assert.deepEqual(parseWebviewMessage(withExtra), { type: 'copy', text: 'x' });
    const files = ['a.csv'];
    const parsed = parseWebviewMessage({ type: 'setDataFiles', files });
    assert.notEqual((parsed as { files: string[] }).files, files, 'arrays are copied');
  });

  it('refuses wrong types, unknown enums, blank text and over-long strings', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 'nope' },
      { type: 'send', text: '   ', mode: 'ask', dataFiles: [] },
      { type: 'send', text: 'hi', mode: 'agent', dataFiles: [] },
      { type: 'send', text: 'hi', mode: 'ask' },
      { type: 'send', text: 'hi', mode: 'ask', dataFiles: [1] },
      { type: 'send', text: 'x'.repeat(LIMITS.question + 1), mode: 'ask', dataFiles: [] },
      { type: 'send', text: 'hi', mode: 'ask', dataFiles: Array(LIMITS.files + 1).fill('a.csv') },
      { type: 'cancel', turnId: 5 },
      { type: 'retry' },
      { type: 'retry', turnId: 'x'.repeat(LIMITS.id + 1) },
      { type: 'insertCode', code: '' },
      { type: 'insertCode', code: { toString: () => 'x' } },
      { type: 'setMode', mode: 'ASK' },
      { type: 'setProvider', id: '' },
      { type: 'openFile', path: '' },
    ];
    for (const m of bad) assert.equal(parseWebviewMessage(m), undefined, JSON.stringify(m));
  });
});

describe('protocol messages: host → webview', () => {
  it('accepts a full init state', () => {
    const m = { type: 'init', state: state() };
    assert.deepEqual(parseHostMessage(m), m);
  });

  it('refuses an init with a missing or wrong field', () => {
    for (const key of ['locale', 'mode', 'providers', 'providerId', 'trusted', 'plotlyUri', 'dataFiles', 'turns']) {
      const s = state() as unknown as Record<string, unknown>;
      delete s[key];
      assert.equal(parseHostMessage({ type: 'init', state: s }), undefined, `without ${key}`);
    }
    assert.equal(parseHostMessage({ type: 'init', state: { ...state(), locale: 'fr' } }), undefined);
    assert.equal(parseHostMessage({ type: 'init', state: { ...state(), busyTurnId: 3 } }), undefined);
    const s = state();
    (s.turns[0] as unknown as Record<string, unknown>).mode = 'x';
    assert.equal(parseHostMessage({ type: 'init', state: s }), undefined);
  });

  it('keeps the valid events of a batch and drops the invalid ones', () => {
    const m = parseHostMessage({
      type: 'events',
      turnId: 't1',
      events: [
        { type: 'content', stage: 'response', content: 'a' },
        { type: 'content', stage: 'bogus', content: 'b' },
        { type: 'complete' },
        { type: 'done' },
      ],
    });
    assert.deepEqual(m, {
      type: 'events',
      turnId: 't1',
      events: [{ type: 'content', stage: 'response', content: 'a' }, { type: 'done' }],
    });
    assert.equal(parseHostMessage({ type: 'events', events: [] }), undefined);
    assert.equal(parseHostMessage({ type: 'events', turnId: 't', events: 'x' }), undefined);
  });

  it('validates the small messages', () => {
    assert.deepEqual(parseHostMessage({ type: 'clear' }), { type: 'clear' });
    assert.deepEqual(parseHostMessage({ type: 'turnEnd', turnId: 'a' }), { type: 'turnEnd', turnId: 'a', stopped: false });
    assert.deepEqual(parseHostMessage({ type: 'prefill', question: 'q', dataFiles: ['a.csv'], run: true }), {
      type: 'prefill',
      question: 'q',
      dataFiles: ['a.csv'],
      run: true,
    });
    assert.equal(parseHostMessage({ type: 'prefill', question: 'q', mode: 'x' }), undefined);
    assert.deepEqual(parseHostMessage({ type: 'config', config: { mode: 'ask', trusted: false } }), {
      type: 'config',
      config: { mode: 'ask', trusted: false },
    });
    assert.equal(parseHostMessage({ type: 'config', config: { providers: [{ id: 'x' }] } }), undefined);
    assert.deepEqual(parseHostMessage({ type: 'notice', level: 'error', text: 'no key', action: 'setApiKey' }), {
      type: 'notice',
      level: 'error',
      text: 'no key',
      action: 'setApiKey',
    });
    assert.equal(parseHostMessage({ type: 'notice', level: 'fatal', text: 'x' }), undefined);
    assert.equal(parseHostMessage({ type: 'dataFiles', available: ['a'], selected: [null] }), undefined);
  });
});

describe('coalesceEvents', () => {
  it('merges adjacent deltas of the same type and stage, keeping order and text', () => {
    const events: RadarmEvent[] = [
      { type: 'thinking', stage: 'planner', content: '规' },
      { type: 'thinking', stage: 'planner', content: '划' },
      { type: 'content', stage: 'planner', content: 'a' },
      { type: 'content', stage: 'planner', content: 'b' },
      { type: 'content', stage: 'executor', content: 'c' },
      { type: 'error', content: 'x' },
      { type: 'content', stage: 'executor', content: 'd' },
      { type: 'done' },
    ];
    const original = JSON.stringify(events);
    assert.deepEqual(coalesceEvents(events), [
      { type: 'thinking', stage: 'planner', content: '规划' },
      { type: 'content', stage: 'planner', content: 'ab' },
      { type: 'content', stage: 'executor', content: 'c' },
      { type: 'error', content: 'x' },
      { type: 'content', stage: 'executor', content: 'd' },
      { type: 'done' },
    ]);
    assert.equal(JSON.stringify(events), original, 'input untouched');
  });

  it('merges one-character deltas in linear time: 10x the deltas grow its time like a one-pass baseline, not 10x more', () => {
    const deltas = (n: number): RadarmEvent[] =>
      Array.from({ length: n }, () => ({ type: 'content' as const, stage: 'response' as const, content: '字' }));
    // The reference: one pass that collects the texts and joins them once (plainly linear). Allocation
    // and GC make both grow faster than 10x for 10x the input on a busy machine; comparing the two
    // growths cancels that out. A quadratic merge (re-copying the text per delta) grows ~10x more.
    const linear = (events: RadarmEvent[]) => {
      const parts: string[] = [];
      for (const e of events) parts.push((e as { content: string }).content);
      return [{ ...events[0], content: parts.join('') }];
    };
    const time = (f: () => unknown) => {
      let best = Infinity; // best of seven: the run least disturbed by GC or other processes
      for (let i = 0; i < 7; i++) {
        const t0 = process.hrtime.bigint();
        f();
        best = Math.min(best, Number(process.hrtime.bigint() - t0));
      }
      return best;
    };
    const small = deltas(20_000);
    const big = deltas(200_000);
    time(() => coalesceEvents(small)); // warm up the JIT
    time(() => linear(small));
    const growth = time(() => coalesceEvents(big)) / time(() => coalesceEvents(small));
    const reference = time(() => linear(big)) / time(() => linear(small));
    assert.ok(growth / reference < 3, `10x the deltas: ${growth.toFixed(1)}x the time, the one-pass reference ${reference.toFixed(1)}x`);
    const out = coalesceEvents(deltas(100_000));
    assert.equal(out.length, 1);
    assert.equal((out[0] as { content: string }).content.length, 100_000);
  });
});
