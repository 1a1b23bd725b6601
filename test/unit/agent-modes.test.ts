// agent_single and agent_multi end to end: the real LLM service against the scripted local server,
// and the real Python kernel on a small CSV.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createKernel } from '../../src/kernel';
import { runAgentSingle } from '../../src/agent/single';
import type { FakeLlmServer } from '../helpers/fake-llm-server';
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
  providerFor,
  py,
  scriptStages,
  thinking,
} from './agent-harness';

describe('agent modes (fake LLM server + real Python kernel)', function () {
  this.timeout(60_000);
  const fx = useAgentFixture({ apiKey: 'sk-test-agent' });
  const { llm, session } = fx;
  let server: FakeLlmServer;
  let dir: string;
  let csv: string;
  beforeEach(() => {
    ({ server, dir, csv } = fx);
  });

  const TOTALS_WITH_CHART = [
    "totals = df.groupby('region')['sales'].sum()",
    'print(totals)',
    'fig, ax = plt.subplots(figsize=(6, 4))',
    "totals.plot.bar(ax=ax, title='Sales by region')",
    'result = int(totals.sum())',
  ].join('\n');

  describe('agent_single', () => {
    it('happy path: code → execution → explanation, with the numbers, the chart and usage', async () => {
      scriptStages(server, {
        code_generation: [py(TOTALS_WITH_CHART)],
        explanation: ['North sold 250 and South 450; 700 in total.'],
      });
      const events = await collect(session().run('agent_single', 'Total sales by region, as a bar chart?'));
      assertContract(events);
      const data = completeOf(events);
      assert.match(data.execution_result ?? '', /North\s+250/);
      assert.match(data.execution_result ?? '', /South\s+450/);
      assert.match(data.execution_result ?? '', /700/);
      assertPngDataUrl(data.image);
      assert.equal(data.plotly_json, null);
      assert.equal(data.generated_code, TOTALS_WITH_CHART);
      assert.equal(data.reply, 'North sold 250 and South 450; 700 in total.');
      assert.equal(contentOf(events, 'explanation'), data.reply);
      assert.ok(contentOf(events, 'code_generation').includes("groupby('region')"), 'model text streamed');
      assert.ok(contentOf(events, 'execution').includes('450'));
      // Stage order as announced.
      const stages = events.filter((e) => e.type === 'thinking').map((e) => (e as { stage: string }).stage);
      assert.deepEqual(stages.filter((s) => s !== 'system'), ['code_generation', 'execution', 'explanation']);
      assert.match(thinking(events, 'code_generation')[0], /Writing the code/);
      // Each request names its stage; the code prompt has the data profile; all share one pooled connection.
      assert.deepEqual(server.requests.map((r) => r.stage), ['code_generation', 'explanation']);
      assert.match(allMessages(server.requests[0]), /region/);
      assert.match(allMessages(server.requests[0]), /sales/);
      assert.ok(allMessages(server.requests[1]).includes('450'), 'the explanation sees the actual output');
      assert.equal(new Set(server.requests.map((r) => r.connectionId)).size, 1, 'one pooled connection');
      assert.ok(data.usage?.totalTokens && data.usage.totalTokens >= 240, JSON.stringify(data.usage));
    });

    it('an exception goes back to the model with its traceback, and the fixed code wins', async () => {
      const bad = "result = df['sale'].sum()";
      const good = "result = df['sales'].sum()\nprint('total', result)";
      scriptStages(server, {
        code_generation: [py(bad), py(good, 'Fixed: the column is `sales`.')],
        explanation: ['The total is 700.'],
      });
      const events = await collect(session().run('agent_single', 'Total sales?'));
      assertContract(events);
      const data = completeOf(events);
      assert.equal(data.generated_code, good);
      assert.match(data.execution_result ?? '', /total 700/);
      assert.equal(events.filter((e) => e.type === 'content' && e.stage === 'execution').length, 2);
      assert.ok(thinking(events, 'system').some((t) => /KeyError/.test(t) && /round 2 of 3/.test(t)), thinking(events, 'system').join('|'));
      assert.deepEqual(server.requests.map((r) => r.stage), ['code_generation', 'code_generation', 'explanation']);
      const retry = allMessages(server.requests[1]);
      assert.ok(retry.includes(bad) && retry.includes('KeyError'), 'the retry prompt carries the failed code and its error');
    });

    it('max rounds reached: an error naming the last problem, after a summary of the last attempt', async () => {
      scriptStages(server, { code_generation: [py('x = 1 / 0')] });
      const events = await collect(session({ maxRounds: 2 }).run('agent_single', 'Divide?'));
      assertContract(events);
      const err = errorOf(events);
      assert.match(err, /2 rounds/);
      assert.match(err, /ZeroDivisionError/);
      assert.ok(contentOf(events, 'explanation').includes('x = 1 / 0'), 'the last code stays visible');
      assert.match(contentOf(events, 'explanation'), /ZeroDivisionError/);
      assert.deepEqual(server.requests.map((r) => r.stage), ['code_generation', 'code_generation']);
    });

    it('no code block: one reminder, then a clear error', async () => {
      scriptStages(server, { code_generation: ['I would group by region and sum.'] });
      const events = await collect(session().run('agent_single', 'Total sales by region?'));
      assertContract(events);
      assert.match(errorOf(events), /without a Python code block/);
      assert.equal(server.requests.length, 2);
      assert.match(allMessages(server.requests[1]), /did not contain a ```python code block/);
      assert.equal(thinking(events, 'execution').length, 0, 'nothing ran');
    });

    it('no code block, then code after the reminder: the turn goes on', async () => {
      scriptStages(server, {
        code_generation: ['Sum the sales.', py("result = df['sales'].sum()\nprint(result)")],
        explanation: ['700.'],
      });
      const events = await collect(session().run('agent_single', 'Total sales?'));
      assertContract(events);
      assert.match(completeOf(events).execution_result ?? '', /700/);
      assert.ok(thinking(events, 'system').some((t) => /no Python code block/.test(t)));
    });

    it('without a kernel (execution not allowed) it says why no code runs', async () => {
      scriptStages(server, {});
      const events = await collect(session({ createKernel: undefined }).run('agent_single', 'Total?'));
      assertContract(events);
      assert.match(errorOf(events), /Workspace Trust/);
      assert.match(errorOf(events), /Ask mode/);
      assert.equal(server.requests.length, 0);
    });

    it('confirmRun declined: the code is not run and the turn says so', async () => {
      const asked: string[] = [];
      scriptStages(server, { code_generation: [py("open('x.txt', 'w').write('hi')")] });
      const events = await collect(
        session({ confirmRun: async (code) => (asked.push(code), false) }).run('agent_single', 'Write a file'),
      );
      assertContract(events);
      const data = completeOf(events);
      assert.deepEqual(asked, ["open('x.txt', 'w').write('hi')"]);
      assert.equal(data.execution_result, null);
      assert.equal(data.generated_code, asked[0]);
      assert.match(data.reply, /not run/);
      assert.equal(fs.existsSync(path.join(dir, 'x.txt')), false);
    });

    it('an explanation that fails still completes with the output and the chart', async () => {
      scriptStages(server, {
        code_generation: [py(TOTALS_WITH_CHART)],
        explanation: [{ status: 400, json: { error: { message: 'context length exceeded' } } }],
      });
      const events = await collect(session().run('agent_single', 'Totals?'));
      assertContract(events);
      const data = completeOf(events);
      assertPngDataUrl(data.image);
      assert.match(data.reply, /explanation could not be written/);
      assert.match(data.execution_result ?? '', /450/);
    });

    it('runs as a plain ModeRunner too, and a kernel that cannot start ends the turn with its reason', async () => {
      scriptStages(server, { code_generation: [py('print(1)')] });
      const kernel = createKernel({ pythonPath: path.join(dir, 'no-such-python'), cwd: dir });
      try {
        const events = await collect(
          runAgentSingle(
            { llm, provider: providerFor(server), kernel, dataFiles: [csv], history: [] },
            'Total?',
          ),
        );
        assertContract(events);
        assert.match(errorOf(events), /Python kernel could not start/);
        assert.ok(errorOf(events).includes('no-such-python'), errorOf(events));
      } finally {
        await kernel.dispose();
      }
    });
  });

  describe('both', () => {
    it('a slow data load does not hold up the first model call: it gets a preview, execution waits for the data', async () => {
      let loadedAt = 0;
      let codeRequestedAt = 0;
      scriptStages(server, {
        code_generation: [
          () => {
            codeRequestedAt = Date.now();
            return { steps: [{ text: py("print('total', df['sales'].sum())") }] };
          },
        ],
        explanation: ['700.'],
      });
      const s = session({
        createKernel: () => {
          const k = createKernel({ pythonPath: TEST_PYTHON, cwd: dir });
          return {
            start: () => k.start(),
            loadData: async (files) => {
              await new Promise((r) => setTimeout(r, 3000));
              const p = await k.loadData(files);
              loadedAt = Date.now();
              return p;
            },
            execute: (code, opts) => k.execute(code, opts),
            interrupt: () => k.interrupt(),
            dispose: () => k.dispose(),
            get pythonPath() {
              return k.pythonPath;
            },
          };
        },
      });
      const events = await collect(s.run('agent_single', 'Total sales?'));
      assertContract(events);
      assert.match(completeOf(events).execution_result ?? '', /total 700/);
      assert.ok(codeRequestedAt > 0 && loadedAt > codeRequestedAt, 'the code was requested while the data was still loading');
      const first = allMessages(server.requests[0]);
      assert.ok(first.includes('region,month,sales'), 'the preview shows the header line');
      assert.match(first, /still loading/);
      assert.ok(thinking(events, 'system').some((t) => /Loading 1 data file/.test(t)));
      assert.match(allMessages(server.requests[1]), /sales \(int64\)/, 'the explanation gets the full profile');
    });

    it('non-streaming (stream: false) emits each stage once and completes the same way', async () => {
      scriptStages(server, {
        planner: ['1. Sum sales.'],
        executor: [py("print('total', df['sales'].sum())")],
        verifier: ['{"verdict":"pass","feedback":"700"}'],
        explanation: ['The total is 700.'],
      });
      const events = await collect(session({ stream: false }).run('agent_multi', 'Total?'));
      assertContract(events);
      assert.equal(completeOf(events).reply, 'The total is 700.');
      assert.ok(server.requests.every((r) => r.stream === false));
      for (const stage of ['planner', 'executor', 'verifier', 'explanation'])
        assert.equal(events.filter((e) => e.type === 'content' && e.stage === stage).length, 1, stage);
    });

    it('reasoning deltas (DeepSeek-R1 style) stream as thinking of their stage; the code still comes from the content', async () => {
      scriptStages(server, {
        code_generation: [
          { steps: [{ reasoning: 'The user wants the total. ' }, { reasoning: 'I will sum sales.' }, { text: py("print(df['sales'].sum())") }] },
        ],
        explanation: ['700.'],
      });
      const events = await collect(session().run('agent_single', 'Total?'));
      assertContract(events);
      assert.ok(thinking(events, 'code_generation').join('').includes('The user wants the total. I will sum sales.'));
      assert.match(completeOf(events).execution_result ?? '', /700/);
    });
  });

  describe('agent_multi', () => {
    const PLOTLY_CODE = [
      "totals = df.groupby('region', as_index=False)['sales'].sum()",
      'print(totals.to_string(index=False))',
      "fig = px.bar(totals, x='region', y='sales')",
      'fig.show()',
    ].join('\n');

    it('happy path: planner → executor → execution → verifier → explanation, with a plotly chart', async () => {
      scriptStages(server, {
        planner: ['1. Group by region.\n2. Sum sales.\n3. Bar chart.'],
        executor: [py(PLOTLY_CODE)],
        verifier: ['{"verdict": "pass", "feedback": "North 250, South 450."}'],
        explanation: ['South leads with 450; North has 250.'],
      });
      const events = await collect(session().run('agent_multi', 'Sales by region as a chart'));
      assertContract(events);
      const data = completeOf(events);
      assert.match(data.execution_result ?? '', /North\s+250/);
      assert.match(data.execution_result ?? '', /South\s+450/);
      assert.equal(data.generated_code, PLOTLY_CODE);
      const fig = JSON.parse(data.plotly_json ?? 'null');
      assert.ok(Array.isArray(fig?.data) && fig.data[0].type === 'bar', 'a plotly bar figure');
      assert.equal(data.reply, 'South leads with 450; North has 250.');
      assert.deepEqual(server.requests.map((r) => r.stage), ['planner', 'executor', 'verifier', 'explanation']);
      assert.equal(thinking(events, 'planner')[0], '🧠 Planner is planning…');
      assert.ok(contentOf(events, 'planner').includes('2. Sum sales.'));
      assert.ok(contentOf(events, 'executor').includes('px.bar'));
      assert.ok(contentOf(events, 'verifier').includes('"pass"'));
      assert.ok(allMessages(server.requests[1]).includes('3. Bar chart.'), 'the executor sees the plan');
      assert.ok(allMessages(server.requests[2]).includes('450'), 'the verifier sees the actual output');
      assert.equal(new Set(server.requests.map((r) => r.connectionId)).size, 1, 'one pooled connection');
    });

    it('a failing verdict sends its feedback into a second round', async () => {
      const first = "result = df['sales'].sum()\nprint(result)";
      const second = "result = df[df['month'].str.startswith('2025')]['sales'].sum()\nprint('2025:', result)";
      scriptStages(server, {
        planner: ['1. Sum sales.'],
        executor: [py(first), py(second)],
        verifier: [
          'Checking…\n```json\n{"verdict": "fail", "feedback": "Only 2025 was asked for: filter month by 2025."}\n```',
          '{"verdict": "pass", "feedback": "ok"}',
        ],
        explanation: ['In 2025 sales were 400.'],
      });
      const events = await collect(session().run('agent_multi', 'Total sales in 2025?'));
      assertContract(events);
      const data = completeOf(events);
      assert.equal(data.generated_code, second);
      assert.match(data.execution_result ?? '', /2025: 400/);
      assert.deepEqual(server.requests.map((r) => r.stage), ['planner', 'executor', 'verifier', 'executor', 'verifier', 'explanation']);
      assert.ok(allMessages(server.requests[3]).includes('Only 2025 was asked for'), 'feedback reaches the executor');
      assert.ok(allMessages(server.requests[3]).includes(first), 'with the rejected code');
      assert.ok(thinking(events, 'system').some((t) => /Only 2025/.test(t) && /round 2 of 3/.test(t)));
      assert.match(thinking(events, 'executor')[1], /round 2/);
    });

    it('an exception in the executor code retries without asking the verifier', async () => {
      scriptStages(server, {
        planner: ['1. Sum.'],
        executor: [py('print(undefined_name)'), py("print(df['sales'].max())")],
        verifier: ['{"verdict":"pass","feedback":"max is 250"}'],
        explanation: ['The largest sale is 250.'],
      });
      const events = await collect(session().run('agent_multi', 'Largest sale?'));
      assertContract(events);
      assert.match(completeOf(events).execution_result ?? '', /250/);
      assert.deepEqual(server.requests.map((r) => r.stage), ['planner', 'executor', 'executor', 'verifier', 'explanation']);
      assert.match(allMessages(server.requests[2]), /NameError/);
    });

    it('an unreadable verdict counts as fail; out of rounds ends with an error', async () => {
      scriptStages(server, {
        planner: ['1. Sum.'],
        executor: [py("print(df['sales'].sum())")],
        verifier: ['Looks fine to me!'],
      });
      const events = await collect(session({ maxRounds: 2 }).run('agent_multi', 'Total?'));
      assertContract(events);
      assert.match(errorOf(events), /2 rounds/);
      assert.match(errorOf(events), /readable verdict/);
      assert.deepEqual(server.requests.map((r) => r.stage), ['planner', 'executor', 'verifier', 'executor', 'verifier']);
      assert.ok(contentOf(events, 'explanation').includes('700'), 'the last output stays visible');
    });
  });
});
