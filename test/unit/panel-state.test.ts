// The panel's reducer in node, without a browser: state + message → state.
import * as assert from 'node:assert/strict';
import type { RadarmEvent } from '../../src/protocol/events';
import type { PanelState } from '../../src/protocol/messages';
import { initialState, reduce, type PanelMessage, type PanelStore } from '../../webview/panel-state';

const init = (over: Partial<PanelState> = {}): PanelMessage => ({
  type: 'init',
  state: {
    locale: 'en',
    turns: [],
    mode: 'agent_multi',
    providers: [{ id: 'deepseek', label: 'DeepSeek', model: 'deepseek-chat', hasKey: true }],
    providerId: 'deepseek',
    dataFiles: { available: ['a.csv'], selected: ['a.csv'] },
    busyTurnId: null,
    trusted: true,
    plotlyUri: '',
    ...over,
  },
});
const turn = (id: string, question = 'q?') => ({ id, question, mode: 'agent_multi' as const, dataFiles: [], events: [] });
const run = (msgs: PanelMessage[], from: PanelStore = initialState()) => msgs.reduce(reduce, from);
const events = (turnId: string, ...evs: RadarmEvent[]): PanelMessage => ({ type: 'events', turnId, events: evs });

describe('panel state reducer (node, no DOM)', () => {
  it('init replaces the state and finishes turns the host no longer streams', () => {
    const s = run([
      init({
        locale: 'zh-cn',
        busyTurnId: null,
        turns: [{ ...turn('t1'), events: [{ type: 'content', stage: 'response', content: 'half' }] }],
      }),
    ]);
    assert.equal(s.locale, 'zh-cn');
    assert.equal(s.strings.send, '发送');
    assert.equal(s.initialized, true);
    assert.equal(s.turns.length, 1);
    assert.equal(s.turns[0].done, true, 'a turn cut short in history is over');
  });

  it('does not mutate the previous state object and returns it unchanged for a no-op', () => {
    const a = run([init()]);
    const frozen = { ...a };
    const b = reduce(a, { type: 'local/mode', mode: 'ask' });
    assert.notEqual(b, a);
    assert.deepEqual({ ...a }, frozen, 'the old state keeps its fields');
    assert.equal(b.mode, 'ask');
    assert.equal(b.version, a.version + 1);
    assert.equal(reduce(b, events('unknown-turn', { type: 'done' })), b, 'events of an unknown turn change nothing');
  });

  it('a turn streams: text growth keeps the state object, structure and the end make a new one', () => {
    let s = run([init(), { type: 'turnStart', turn: turn('t1') }]);
    assert.equal(s.busyTurnId, 't1');
    s = reduce(s, events('t1', { type: 'content', stage: 'response', content: 'Hello' }));
    const afterFirst = s;
    s = reduce(s, events('t1', { type: 'content', stage: 'response', content: ', world' }));
    assert.equal(s, afterFirst, 'more text of the same answer is not a structural change');
    assert.equal(s.turns[0].answer?.text(), 'Hello, world');
    s = reduce(s, events('t1', { type: 'complete', data: { reply: 'Hello, world', generated_code: null, execution_result: null, image: null, plotly_json: null } }, { type: 'done' }));
    assert.notEqual(s, afterFirst);
    assert.equal(s.busyTurnId, null);
    assert.equal(s.turns[0].done, true);
  });

  it('keeps an announcement apart from the reasoning that follows it, with a codicon instead of the emoji', () => {
    const s = run([
      init(),
      { type: 'turnStart', turn: turn('t1') },
      events(
        't1',
        { type: 'thinking', stage: 'system', content: '📂 正在加载 1 个数据文件...' },
        { type: 'thinking', stage: 'planner', content: '🧠 架构师正在规划...' },
        { type: 'thinking', stage: 'planner', content: '先看数据的结构。' },
      ),
    ]);
    const [note, planner] = s.turns[0].segments;
    assert.equal(note.kind, 'note');
    assert.equal(note.icon, 'folder-opened');
    assert.equal(note.note, '正在加载 1 个数据文件...');
    assert.equal(planner.announcement?.text, '架构师正在规划...');
    assert.equal(planner.announcement?.icon, 'lightbulb');
    assert.equal(planner.thinking.text(), '先看数据的结构。', 'the reasoning is not glued onto the announcement');
  });

  it('retry status is a line in the turn; running status sets a start time until the execution output arrives', () => {
    let s = run([
      init(),
      { type: 'turnStart', turn: turn('t1') },
      events('t1', { type: 'status', stage: 'code_generation', kind: 'retry', content: 'Retrying in 2 s, attempt 2 of 4', attempt: 2, attempts: 4, delayMs: 2000 }),
    ]);
    const retry = s.turns[0].segments.find((x) => x.kind === 'note');
    assert.equal(retry?.icon, 'refresh');
    assert.equal(retry?.note, 'Retrying in 2 s, attempt 2 of 4');
    s = reduce(s, events('t1', { type: 'status', stage: 'execution', kind: 'running', content: 'Running', startedAt: 1234 }));
    assert.deepEqual(s.turns[0].running, { startedAt: 1234 });
    s = reduce(s, events('t1', { type: 'content', stage: 'execution', content: 'out\n' }));
    assert.equal(s.turns[0].running, null);
  });

  it('a status line or a loading note inside a stage does not split it: content(A), status, content(A) is one section', () => {
    const s = run([
      init(),
      { type: 'turnStart', turn: turn('t1') },
      events(
        't1',
        { type: 'content', stage: 'code_generation', content: '```python\nimport pandas as pd\n' },
        { type: 'status', stage: 'code_generation', kind: 'note', content: 'Still loading the data' },
        { type: 'thinking', stage: 'system', content: '📂 Loading 1 data file…' },
        { type: 'content', stage: 'code_generation', content: 'result = df.mean()\n```' },
      ),
    ]);
    const segs = s.turns[0].segments;
    const sections = segs.filter((x) => x.kind === 'stage');
    assert.equal(sections.length, 1, `one Code generation section, got: ${segs.map((x) => `${x.kind}:${x.stage}`).join(', ')}`);
    assert.equal(sections[0].content.text(), '```python\nimport pandas as pd\nresult = df.mean()\n```', 'the text after the status line continues the same section');
    assert.deepEqual(segs.filter((x) => x.kind === 'note').map((x) => x.note), ['Still loading the data', 'Loading 1 data file…'], 'the status lines stay visible');
  });

  it('a warning note (a retry after a missing code block) and a new stage announcement still start a new section', () => {
    const s = run([
      init(),
      { type: 'turnStart', turn: turn('t1') },
      events(
        't1',
        { type: 'content', stage: 'code_generation', content: 'no code here' },
        { type: 'thinking', stage: 'system', content: '⚠️ The answer had no Python code block; asking once more…' },
        { type: 'content', stage: 'code_generation', content: '```python\nx = 1\n```' },
        { type: 'status', stage: 'code_generation', kind: 'note', content: 'Still loading the data' },
        { type: 'thinking', stage: 'code_generation', content: '👨‍💻 Fixing the code (round 2)…' },
        { type: 'content', stage: 'code_generation', content: '```python\nx = 2\n```' },
      ),
    ]);
    const sections = s.turns[0].segments.filter((x) => x.kind === 'stage');
    assert.deepEqual(
      sections.map((x) => x.content.text()),
      ['no code here', '```python\nx = 1\n```', '```python\nx = 2\n```'],
    );
  });

  it('an error keeps its code; Stop keeps the partial stage open', () => {
    const s = run([
      init(),
      { type: 'turnStart', turn: turn('t1') },
      events(
        't1',
        { type: 'content', stage: 'planner', content: '1. Group by region' },
        { type: 'error', content: 'Stopped.', code: 'cancelled' },
        { type: 'done' },
      ),
    ]);
    const t = s.turns[0];
    assert.equal(t.errorCode, 'cancelled');
    assert.equal(t.stopped, true);
    assert.equal(t.segments[0].keepOpen, true);
    const noCode = run([init(), { type: 'turnStart', turn: turn('t2') }, events('t2', { type: 'error', content: 'old host' }, { type: 'done' })]);
    assert.equal(noCode.turns[0].errorCode, 'internal', 'an error without a code is treated as internal');
  });

  it('local actions: sent clears the draft and notice; prefill bumps the draft version and may ask to run', () => {
    let s = run([init(), { type: 'notice', level: 'warning', text: 'busy' }, { type: 'local/typed', text: 'abc' }]);
    assert.equal(s.draft, 'abc');
    assert.equal(s.notice?.text, 'busy');
    s = reduce(s, { type: 'local/sent' });
    assert.equal(s.draft, '');
    assert.equal(s.notice, null);
    const v = s.draftVersion;
    s = reduce(s, { type: 'prefill', question: 'Plot it', run: true, mode: 'ask' });
    assert.equal(s.draftVersion, v + 1);
    assert.equal(s.pendingRun, true);
    assert.equal(s.mode, 'ask');
    assert.equal(reduce(s, { type: 'clear' }).turns.length, 0);
  });

  it('importing the store does no DOM work and adds no listeners (node has no document)', () => {
    assert.equal(typeof (globalThis as { document?: unknown }).document, 'undefined');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../../webview/store') as typeof import('../../webview/store');
    assert.equal(mod.store.turns.length, 0);
    assert.equal(typeof mod.startStore, 'function');
  });
});
