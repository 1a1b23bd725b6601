// Sessions across turns and under cancellation, and Chinese end to end: the real LLM service against
// the scripted local server and the real Python kernel.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { textSteps, type FakeLlmServer } from '../helpers/fake-llm-server';
import { useAgentFixture } from './agent-fixture';
import {
  TEST_PYTHON,
  allMessages,
  assertContract,
  assertPngDataUrl,
  collect,
  completeOf,
  contentOf,
  errorOf,
  py,
  scriptStages,
  thinking,
} from './agent-harness';

describe('agent sessions (fake LLM server + real Python kernel)', function () {
  this.timeout(60_000);
  const fx = useAgentFixture({ execTimeoutMs: 45_000 });
  const { session } = fx;
  let server: FakeLlmServer;
  let dir: string;
  beforeEach(() => {
    ({ server, dir } = fx);
  });

  it('a follow-up builds on the previous turn: its code is in the prompt and its variables still exist', async () => {
    const s = session();
    const code1 = "totals = df.groupby('region')['sales'].sum()\nprint(totals)";
    const code2 = [
      'print(type(totals).__name__, int(totals.sum()))',
      "t25 = df[df['month'].str.startswith('2025')].groupby('region')['sales'].sum()",
      'print(t25)',
    ].join('\n');
    scriptStages(server, {
      code_generation: [py(code1), py(code2)],
      explanation: ['North 250, South 450.', 'In 2025: North 150, South 250.'],
    });
    const first = await collect(s.run('agent_single', 'Total sales by region?'));
    assertContract(first);
    assert.match(completeOf(first).execution_result ?? '', /South\s+450/);

    const second = await collect(s.run('agent_single', 'Now only for 2025'));
    assertContract(second);
    const data = completeOf(second);
    assert.match(data.execution_result ?? '', /Series 700/, 'turn 1 variable `totals` is still defined');
    assert.match(data.execution_result ?? '', /North\s+150/);
    assert.match(data.execution_result ?? '', /South\s+250/);
    const prompt = allMessages(server.requests[2]);
    assert.equal(server.requests[2].stage, 'code_generation');
    for (const s1 of [code1, 'Total sales by region?', 'North 250, South 450.', 'Now only for 2025'])
      assert.ok(prompt.includes(s1), `turn 2 prompt contains ${s1}`);
    assert.deepEqual(
      s.history.map((t) => [t.question, t.code]),
      [
        ['Total sales by region?', code1],
        ['Now only for 2025', code2],
      ],
    );
  });

  it('a failed turn stays in the history with its last code, so "fix it" can follow', async () => {
    const s = session({ maxRounds: 1 });
    scriptStages(server, { code_generation: [py("print(df['revenue'].sum())")] });
    const events = await collect(s.run('agent_single', 'Total revenue?'));
    assertContract(events);
    assert.match(errorOf(events), /KeyError/);
    assert.equal(s.history.length, 1);
    assert.equal(s.history[0].code, "print(df['revenue'].sum())");
    assert.match(s.history[0].reply, /failed/);
    assert.match(s.history[0].output ?? '', /KeyError/);
  });

  it('cancel during execution interrupts the code; the stream ends at once and the kernel answers the next run', async () => {
    const s = session();
    scriptStages(server, {
      code_generation: [py('import time\nprint("sleeping", flush=True)\ntime.sleep(30)\nprint("not reached")')],
      explanation: ['should not be asked'],
    });
    const ac = new AbortController();
    let abortedAt = 0;
    const events = await collect(s.run('agent_single', 'Sleep a while', ac.signal), (e) => {
      if (e.type === 'thinking' && e.stage === 'execution')
        setTimeout(() => {
          abortedAt = Date.now();
          ac.abort();
        }, 500);
    });
    const endedAt = Date.now();
    assertContract(events);
    assert.match(errorOf(events), /Cancelled/);
    // The sleep would run ~30 s more: ending well before that proves the interrupt (bounds generous for loaded CI).
    assert.ok(abortedAt > 0 && endedAt - abortedAt < 20_000, `ended ${endedAt - abortedAt} ms after the cancel`);
    assert.ok(!contentOf(events, 'execution').includes('not reached'));
    assert.deepEqual(server.requests.map((r) => r.stage), ['code_generation'], 'no explanation after a cancel');
    assert.equal(s.history.length, 0, 'a cancelled turn is not recorded');
    const t0 = Date.now();
    const next = await s.kernel!.execute('print(41 + 1)');
    assert.ok(next.ok, next.text);
    assert.match(next.stdout, /42/);
    assert.ok(Date.now() - t0 < 20_000, 'the interrupted sleep is not still running');
  });

  it('cancel while the model streams closes the HTTP request and ends with error then done', async () => {
    const s = session();
    scriptStages(server, {
      planner: [{ steps: [{ text: '1. Group ' }, { stall: 30_000 }, { text: 'never' }] }],
    });
    const closedBefore = server.closedSockets;
    const ac = new AbortController();
    const t0 = Date.now();
    const events = await collect(s.run('agent_multi', 'Sales by region?', ac.signal), (e) => {
      if (e.type === 'content' && e.stage === 'planner') ac.abort();
    });
    assertContract(events);
    assert.match(errorOf(events), /Cancelled/);
    assert.ok(Date.now() - t0 < 15_000);
    assert.ok(!contentOf(events, 'planner').includes('never'));
    await server.waitForClosedSockets(closedBefore + 1, 10_000);
  });

  it('dispose during a turn stops it (error then done), ends the kernel, and refuses later turns', async () => {
    const s = session();
    scriptStages(server, { code_generation: [py('import time\ntime.sleep(30)')] });
    let disposing: Promise<void> | undefined;
    const t0 = Date.now();
    const events = await collect(s.run('agent_single', 'Sleep'), (e) => {
      if (e.type === 'thinking' && e.stage === 'execution') setTimeout(() => (disposing = s.dispose()), 300);
    });
    assertContract(events);
    assert.match(errorOf(events), /Cancelled/);
    await disposing;
    assert.ok(Date.now() - t0 < 25_000, 'the sleep did not run to its end');
    assert.equal(s.kernel, undefined);
    const after = await collect(s.run('agent_single', 'Again?'));
    assertContract(after);
    assert.match(errorOf(after), /session has ended/);
  });

  it('a new question waits for a stopped turn to wind down, then runs normally', async () => {
    const s = session();
    scriptStages(server, {
      code_generation: [py('import time\ntime.sleep(20)'), py("print(df['sales'].sum())")],
      explanation: ['700.'],
    });
    const ac = new AbortController();
    const first = collect(s.run('agent_single', 'Slow one', ac.signal), (e) => {
      if (e.type === 'thinking' && e.stage === 'execution') setTimeout(() => ac.abort(), 300);
    });
    const second = collect(s.run('agent_single', 'Total?'));
    const [a, b] = await Promise.all([first, second]);
    assertContract(a);
    assertContract(b);
    assert.match(errorOf(a), /Cancelled/);
    assert.match(completeOf(b).execution_result ?? '', /700/);
  });

  it('Ask turns go through the same session: recorded in the history, prompt with the kernel profile', async () => {
    const s = session();
    scriptStages(server, {
      response: ['The columns are region, month and sales.'],
      code_generation: [py("print(df.columns.tolist())")],
      explanation: ['Three columns.'],
    });
    await s.prepare(); // data chosen: the kernel warms up before the question
    const ask = await collect(s.run('ask', 'Which columns are there?'));
    assertContract(ask);
    assert.equal(completeOf(ask).reply, 'The columns are region, month and sales.');
    assert.match(allMessages(server.requests[0]), /sales \(int64\)|sales.*int64/, 'the real profile, from the kernel');
    const agent = await collect(s.run('agent_single', 'List them with code'));
    assertContract(agent);
    assert.ok(allMessages(server.requests[1]).includes('The columns are region, month and sales.'), 'the Ask reply is history');
    assert.deepEqual(s.history.map((t) => t.question), ['Which columns are there?', 'List them with code']);
  });

  it('Chinese question and a GBK CSV with Chinese headers: Chinese announcements, numbers and chart', async () => {
    const gbk = path.join(dir, '销售.csv');
    execFileSync(TEST_PYTHON, [
      '-c',
      'import sys; open(sys.argv[1], "w", encoding="gbk").write("地区,销售额\\n北京,100\\n上海,200\\n北京,50\\n")',
      gbk,
    ]);
    assert.equal(fs.readFileSync(gbk)[0], 0xb5, 'the file really is GBK');
    const code = [
      "合计 = df.groupby('地区')['销售额'].sum()",
      'print(合计)',
      'fig, ax = plt.subplots(figsize=(6, 4))',
      "合计.plot.bar(ax=ax, title='各地区销售额')",
      "ax.set_xlabel('地区')",
    ].join('\n');
    const reply = '北京合计 150，上海合计 200，上海更高。';
    scriptStages(server, {
      planner: ['1. 按「地区」分组，对「销售额」求和。\n2. 画柱状图。'],
      executor: [py(code, '好的，代码如下：', '以上代码按地区汇总销售额。')],
      verifier: ['审核结果：{"verdict": "pass", "feedback": "北京 150，上海 200，结果正确。"}'],
      // Every byte its own write: UTF-8 characters arrive split across chunks.
      explanation: [{ steps: textSteps(reply, 2), writeBytes: 1 }],
    });
    const s = session({ dataFiles: [gbk] });
    const events = await collect(s.run('agent_multi', '各地区的销售额合计是多少？画个图。'));
    assertContract(events);
    const data = completeOf(events);
    assert.match(data.execution_result ?? '', /北京\s+150/);
    assert.match(data.execution_result ?? '', /上海\s+200/);
    assertPngDataUrl(data.image);
    assert.equal(data.reply, reply);
    assert.equal(contentOf(events, 'explanation'), reply);
    assert.equal(thinking(events, 'planner')[0], '🧠 架构师正在规划...');
    assert.equal(thinking(events, 'execution')[0], '⚙️ 正在运行代码...');
    assert.match(thinking(events, 'verifier')[0], /审核员/);
    const executorPrompt = allMessages(server.requests.find((r) => r.stage === 'executor')!);
    assert.ok(executorPrompt.includes('销售额') && executorPrompt.includes('地区'), 'the GBK profile reached the prompt');
    assert.match(executorPrompt, /Simplified Chinese/);
  });

  it('an English UI locale keeps English announcements for a Chinese question', async () => {
    scriptStages(server, {
      code_generation: [py("print(df['sales'].sum())")],
      explanation: ['合计 700。'],
    });
    const events = await collect(session({ locale: 'en' }).run('agent_single', '销售额合计？'));
    assertContract(events);
    assert.match(thinking(events, 'code_generation')[0], /Writing the code/);
    assert.match(allMessages(server.requests[0]), /Simplified Chinese/, 'the answer still follows the question');
  });
});
