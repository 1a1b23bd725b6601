import * as assert from 'node:assert/strict';
import {
  INSERT_CODE_COMMAND,
  PARTICIPANT_ID,
  chooseDataFiles,
  fence,
  historyFromChat,
  isDataFile,
  modeForCommand,
  renderEvents,
  truncateLines,
  type ChatStreamLike,
  type ChatHistoryItem,
} from '../../src/vscode/chat-response';
import type { CompleteData, RadarmEvent } from '../../src/protocol/events';

type Part =
  | { kind: 'markdown'; value: string }
  | { kind: 'progress'; value: string }
  | { kind: 'button'; command: string; title: string; arguments?: unknown[] };

/** Records what a chat response stream receives, like VS Code's ChatResponseStream would show it. */
class RecordingStream implements ChatStreamLike {
  parts: Part[] = [];
  markdown(value: string) {
    this.parts.push({ kind: 'markdown', value });
  }
  progress(value: string) {
    this.parts.push({ kind: 'progress', value });
  }
  button(c: { command: string; title: string; arguments?: unknown[] }) {
    this.parts.push({ kind: 'button', command: c.command, title: c.title, arguments: c.arguments });
  }
  get text() {
    return this.parts.map((p) => (p.kind === 'markdown' ? p.value : '')).join('');
  }
  get progress_() {
    return this.parts.filter((p) => p.kind === 'progress').map((p) => p.value);
  }
}

async function* from(events: RadarmEvent[]): AsyncGenerator<RadarmEvent> {
  for (const e of events) yield e;
}

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const complete = (over: Partial<CompleteData> = {}): RadarmEvent => ({
  type: 'complete',
  data: { reply: '', generated_code: null, execution_result: null, image: null, plotly_json: null, ...over },
});

describe('@radarm: requests', () => {
  it('maps slash commands to modes, and no command to the default', () => {
    assert.equal(modeForCommand('ask', 'agent_single'), 'ask');
    assert.equal(modeForCommand('analyze', 'ask'), 'agent_single');
    assert.equal(modeForCommand('expert', 'ask'), 'agent_multi');
    assert.equal(modeForCommand(undefined, 'agent_single'), 'agent_single');
  });

  it('recognises data files by extension, case-insensitively', () => {
    assert.ok(isDataFile('/w/销售.CSV'));
    assert.ok(isDataFile('C:\\data\\a.parquet'));
    assert.ok(!isDataFile('/w/main.py'));
    assert.ok(!isDataFile('/w/csv'));
  });

  it('chooses referenced files first, then the active editor, visible editors, then the only workspace file', () => {
    assert.deepEqual(chooseDataFiles({ referenced: ['/w/a.csv', '/w/notes.md', '/w/a.csv', '/w/b.xlsx'], active: '/w/c.csv' }), [
      '/w/a.csv',
      '/w/b.xlsx',
    ]);
    assert.deepEqual(chooseDataFiles({ referenced: ['/w/notes.md'], active: '/w/c.csv' }), ['/w/c.csv']);
    assert.deepEqual(chooseDataFiles({ referenced: [], active: '/w/x.py', visible: ['/w/x.py', '/w/d.json'] }), ['/w/d.json']);
    assert.deepEqual(chooseDataFiles({ referenced: [], workspace: ['/w/only.tsv'] }), ['/w/only.tsv']);
    assert.deepEqual(chooseDataFiles({ referenced: [], workspace: ['/w/1.csv', '/w/2.csv'] }), []);
  });
});

describe('@radarm: history', () => {
  it('rebuilds turns from our metadata, skipping other participants, newest last', () => {
    const history: ChatHistoryItem[] = [
      { prompt: 'hello copilot', participant: 'github.copilot.default' },
      { participant: 'github.copilot.default', response: [{ value: { value: 'hi' } }], result: {} },
      { prompt: '哪个地区最好？', participant: PARTICIPANT_ID, command: 'analyze' },
      {
        participant: PARTICIPANT_ID,
        response: [{ value: { value: 'ignored when metadata exists' } }],
        result: { metadata: { radarm: { question: '哪个地区最好？', reply: '华东', code: 'df.groupby("r").sum()', output: 'r\n华东 12' } } },
      },
      { prompt: 'and the worst?', participant: PARTICIPANT_ID },
      {
        participant: PARTICIPANT_ID,
        response: [{ value: { value: 'West. ' } }, { value: { value: `![chart](${PNG})` } }, { value: { command: 'x' } }],
        result: {},
      },
    ];
    assert.deepEqual(historyFromChat(history), [
      { question: '哪个地区最好？', reply: '华东', code: 'df.groupby("r").sum()', output: 'r\n华东 12' },
      { question: 'and the worst?', reply: 'West. [chart]' },
    ]);
  });

  it('keeps at most the last 10 turns', () => {
    const history: ChatHistoryItem[] = [];
    for (let i = 0; i < 14; i++) {
      history.push({ prompt: `q${i}`, participant: PARTICIPANT_ID });
      history.push({ participant: PARTICIPANT_ID, response: [{ value: { value: `a${i}` } }], result: {} });
    }
    const turns = historyFromChat(history);
    assert.equal(turns.length, 10);
    assert.equal(turns[0].question, 'q4');
    assert.equal(turns[9].reply, 'a13');
  });
});

describe('@radarm: rendering agent events', () => {
  it('shows announcements as progress, streams the answer live, then chart, code with Insert, and output', async () => {
    const code = 'import pandas as pd\nprint(df.groupby("地区")["销售额"].sum())';
    const stream = new RecordingStream();
    const events: RadarmEvent[] = [
      { type: 'thinking', stage: 'system', content: '📂 正在加载 1 个数据文件...' },
      { type: 'thinking', stage: 'code_generation', content: '👨‍💻 正在编写代码...' },
      { type: 'content', stage: 'code_generation', content: '```python\n' + code + '\n```' },
      { type: 'thinking', stage: 'execution', content: '⚙️ 正在运行代码...' },
      { type: 'content', stage: 'execution', content: '地区\n华东 12\n华南 9' },
      { type: 'thinking', stage: 'explanation', content: '📝 正在解释结果...' },
      { type: 'content', stage: 'explanation', content: '华东地区' },
      { type: 'content', stage: 'explanation', content: '销售额最高。' },
      complete({ reply: '华东地区销售额最高。', generated_code: code, execution_result: '地区\n华东 12\n华南 9', image: PNG }),
      { type: 'done' },
    ];
    const r = await renderEvents(from(events), stream, { locale: 'zh-cn' });
    assert.deepEqual(stream.progress_, ['📂 正在加载 1 个数据文件...', '👨‍💻 正在编写代码...', '⚙️ 正在运行代码...', '📝 正在解释结果...']);
    // the answer arrives in the pieces the model sent, before anything of the complete event
    const mdParts = stream.parts.filter((p) => p.kind === 'markdown').map((p) => p.value);
    assert.deepEqual(mdParts.slice(0, 2), ['华东地区', '销售额最高。']);
    const text = stream.text;
    assert.ok(text.includes(`![图表](${PNG})`), 'chart inline as a data: image');
    assert.ok(text.includes('```python\n' + code + '\n```'), 'code in a python fence');
    assert.ok(text.includes('```text\n地区\n华东 12\n华南 9\n```'), 'output in a text fence');
    assert.equal(text.split('华东地区销售额最高').length, 2, 'the reply is not repeated');
    // code generation streamed only as progress, not as markdown
    assert.equal(text.split(code).length, 2);
    const buttons = stream.parts.filter((p) => p.kind === 'button');
    assert.deepEqual(buttons, [{ kind: 'button', command: INSERT_CODE_COMMAND, title: '$(insert) 插入代码', arguments: [code] }]);
    assert.equal(r.streamedReply, '华东地区销售额最高。');
    assert.equal(r.complete?.generated_code, code);
    assert.equal(r.error, undefined);
  });

  it('streams the planner plan under a heading and shows a model reasoning stream as one progress line', async () => {
    const stream = new RecordingStream();
    await renderEvents(
      from([
        { type: 'thinking', stage: 'planner', content: '🧠 Planner is planning…' },
        { type: 'thinking', stage: 'planner', content: 'The user' },
        { type: 'thinking', stage: 'planner', content: ' wants totals' },
        { type: 'content', stage: 'planner', content: '1. group by region' },
        { type: 'content', stage: 'verifier', content: 'PASS' },
        { type: 'content', stage: 'explanation', content: 'East leads.' },
        complete({ reply: 'East leads.' }),
      ]),
      stream,
    );
    assert.deepEqual(stream.progress_, ['🧠 Planner is planning…', '💭 Thinking…']);
    assert.equal(stream.text, '**Plan**\n\n1. group by region\n\nEast leads.\n');
    assert.ok(!stream.text.includes('PASS'));
    assert.ok(!stream.text.includes('wants totals'), 'reasoning is not dumped into the answer');
  });

  it('renders the reply from the complete event when nothing streamed (non-streaming mode)', async () => {
    const stream = new RecordingStream();
    const r = await renderEvents(from([complete({ reply: 'Answer **42**.' })]), stream);
    assert.equal(stream.text, 'Answer **42**.\n');
    assert.equal(r.streamedReply, 'Answer **42**.');
    assert.equal(stream.parts.filter((p) => p.kind === 'button').length, 0);
  });

  it('reports the error event and keeps what streamed before it', async () => {
    const stream = new RecordingStream();
    const r = await renderEvents(
      from([
        { type: 'content', stage: 'response', content: 'partial' },
        { type: 'error', content: 'The model call failed at stage response: quota' },
        { type: 'done' },
      ]),
      stream,
    );
    assert.equal(r.error, 'The model call failed at stage response: quota');
    assert.equal(stream.text, 'partial');
  });

  it('saves a chart too large to inline and links it; mentions an interactive-only chart', async () => {
    const big = 'data:image/png;base64,' + 'A'.repeat(5000);
    const saved: string[] = [];
    const stream = new RecordingStream();
    await renderEvents(from([complete({ reply: 'r', image: big })]), stream, {
      maxInlineImageBytes: 1000,
      saveImage: async (d) => (saved.push(d), 'file:///storage/chart-1.png'),
    });
    assert.deepEqual(saved, [big]);
    assert.ok(stream.text.includes('[Open the chart](file:///storage/chart-1.png)'));
    assert.ok(!stream.text.includes('base64'));

    const s2 = new RecordingStream();
    await renderEvents(from([complete({ reply: 'r', plotly_json: '{"data":[]}' })]), s2);
    assert.match(s2.text, /interactive Plotly chart/);
  });

  it('code that contains fences cannot break out of its own fence', () => {
    const code = 'doc = """\n```python\nx\n```\n"""';
    const f = fence(code, 'python');
    assert.ok(f.startsWith('````python\n'));
    assert.ok(f.endsWith('\n````\n'));
  });

  it('folds long output to its first lines with a note', () => {
    const long = Array.from({ length: 100 }, (_, i) => `row ${i}`).join('\n');
    const out = truncateLines(long, 40, 4000, (n) => `… ${n} more`);
    assert.equal(out.split('\n').length, 41);
    assert.ok(out.endsWith('… 60 more'));
    assert.equal(truncateLines('a\nb', 40, 4000, () => 'x'), 'a\nb');
  });
});
