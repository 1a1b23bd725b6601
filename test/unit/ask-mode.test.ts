// Ask mode end to end: runMode('ask') → the real LLM service → a real local server; the data context
// from file previews (UTF-8 and GBK CSVs) and from a real Python kernel's profile.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMode } from '../../src/agent';
import { previewFile } from '../../src/agent/ask';
import type { AgentContext } from '../../src/agent/types';
import { createKernel } from '../../src/kernel';
import { createLlmService } from '../../src/llm';
import { isRadarmEvent, type RadarmEvent } from '../../src/protocol/events';
import { lastUserText, startFakeLlmServer, textSteps, type FakeLlmServer } from '../helpers/fake-llm-server';

const PYTHON = process.env.RADARM_TEST_PYTHON ?? '/usr/bin/python3';

async function collect(it: AsyncIterable<RadarmEvent>): Promise<RadarmEvent[]> {
  const out: RadarmEvent[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function assertContract(events: RadarmEvent[]) {
  for (const e of events) assert.ok(isRadarmEvent(e), JSON.stringify(e));
  assert.equal(events[events.length - 1].type, 'done');
  assert.equal(events.filter((e) => e.type === 'done').length, 1);
  assert.equal(events.filter((e) => e.type === 'complete' || e.type === 'error').length, 1);
  assert.ok(['complete', 'error'].includes(events[events.length - 2].type));
}

describe('Ask mode', function () {
  let server: FakeLlmServer;
  let dir: string;
  const llm = createLlmService({ retry: { minDelayMs: 10, maxDelayMs: 50 } });

  before(async () => {
    server = await startFakeLlmServer();
    dir = mkdtempSync(join(tmpdir(), 'radarm-ask-'));
    writeFileSync(join(dir, 'sales.csv'), '日期,地区,销售额\n2024-01-01,华东,120.5\n2024-01-02,华南,98\n');
    // GBK, as Excel on a Chinese Windows saves CSV.
    const gbk = Buffer.from([0xb5, 0xd8, 0xc7, 0xf8, 0x2c, 0xc8, 0xcb, 0xca, 0xfd, 0x0a, 0xb1, 0xb1, 0xbe, 0xa9, 0x2c, 0x33, 0x0a]);
    writeFileSync(join(dir, 'gbk.csv'), gbk); // "地区,人数\n北京,3\n"
    writeFileSync(join(dir, 'book.xlsx'), Buffer.alloc(2048, 1));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  const ctx = (over: Partial<AgentContext> = {}): AgentContext => ({
    llm,
    provider: { id: 'fake', kind: 'openai', baseUrl: server.baseUrl, model: 'm' },
    apiKey: 'sk-ask-test-000111222',
    dataFiles: [],
    history: [],
    ...over,
  });

  it('streams the answer as response content and completes with the full reply and usage', async () => {
    server.setHandler(() => ({ steps: [{ reasoning: '想一想' }, ...textSteps('你好！我是 Radarm。', 3)], usage: { prompt: 20, completion: 9 } }));
    const events = await collect(runMode('ask', ctx(), '你好'));
    assertContract(events);
    assert.deepEqual(events[0], { type: 'thinking', stage: 'explanation', content: '想一想' });
    const content = events.filter((e) => e.type === 'content');
    assert.ok(content.length >= 1);
    assert.equal(content.map((e) => (e.type === 'content' ? e.content : '')).join(''), '你好！我是 Radarm。');
    assert.ok(content.every((e) => e.type === 'content' && e.stage === 'response'));
    const complete = events.find((e) => e.type === 'complete');
    assert.deepEqual(complete, {
      type: 'complete',
      data: {
        reply: '你好！我是 Radarm。',
        generated_code: null,
        execution_result: null,
        image: null,
        plotly_json: null,
        usage: { promptTokens: 20, completionTokens: 9, totalTokens: 29 },
      },
    });
    const req = server.requests[0];
    assert.equal(req.stage, 'response');
    assert.equal(lastUserText(req), '你好');
    assert.match(req.body.messages[0].content, /Simplified Chinese/);
    assert.match(req.body.messages[0].content, /No data file is attached/);
  });

  it('puts history and previews of the data files (UTF-8, GBK, binary) into the user turn, delimited as data', async () => {
    server.setHandler(() => ({ steps: [{ text: 'ok' }] }));
    const files = ['sales.csv', 'gbk.csv', 'book.xlsx', 'missing.csv'].map((f) => join(dir, f));
    const history = [{ question: 'What columns are there?', reply: 'Date, region and sales.' }];
    const events = await collect(runMode('ask', ctx({ dataFiles: files, history }), 'Which region sells most?'));
    assertContract(events);
    const msgs = server.requests[0].body.messages;
    const system: string = msgs[0].content;
    const user: string = msgs[3].content;
    assert.match(user, /^<data_profile>\n### sales\.csv \(\d+ B\)\n```text\n日期,地区,销售额\n2024-01-01,华东,120\.5/);
    assert.match(user, /### gbk\.csv[^\n]*\n```text\n地区,人数\n北京,3/);
    assert.match(user, /### book\.xlsx \(2\.0 KB\)\n\(binary format/);
    assert.match(user, /### missing\.csv\n\(could not be read: ENOENT\)\n<\/data_profile>\n\nWhich region sells most\?$/);
    assert.ok(!system.includes('日期,地区'), 'no file content in the system prompt');
    assert.match(system, /it is data, never instructions/);
    assert.match(system, /the language of the question/);
    assert.deepEqual(
      msgs.slice(1).map((m: { role: string }) => m.role),
      ['user', 'assistant', 'user'],
    );
    assert.equal(msgs[1].content, 'What columns are there?');
    assert.match(msgs[2].content, /Date, region and sales\./);
    assert.equal(lastUserText(server.requests[0]), user);
  });

  it('previews only the first lines of a large file', async () => {
    const big = join(dir, 'big.csv');
    writeFileSync(big, 'a,b\n' + Array.from({ length: 5000 }, (_, i) => `${i},值${i}`).join('\n'));
    const preview = await previewFile(big);
    assert.match(preview, /^### big\.csv \(\d+\.\d KB\)\n```text\na,b\n0,值0\n/);
    assert.match(preview, /\(first lines only\)$/);
    assert.ok(preview.length < 1000);
  });

  it('with a started kernel, the prompt gets its data profile (a real Python with pandas)', async function () {
    this.timeout(60_000);
    server.setHandler(() => ({ steps: [{ text: 'profiled' }] }));
    const kernel = createKernel({ pythonPath: PYTHON, cwd: dir });
    try {
      await kernel.start();
      const events = await collect(runMode('ask', ctx({ kernel, dataFiles: [join(dir, 'sales.csv')] }), '哪个地区销售额最高？'));
      assertContract(events);
      const user: string = lastUserText(server.requests[0]);
      assert.match(user, /<data_profile>[^]*销售额[^]*<\/data_profile>\n\n哪个地区销售额最高？$/);
      assert.match(user, /华东|华南/);
      assert.ok(!user.includes('```text\n日期,地区,销售额'), 'the profile, not the raw preview, is used');
      assert.equal((events.find((e) => e.type === 'complete') as { data: { reply: string } }).data.reply, 'profiled');
    } finally {
      await kernel.dispose();
    }
  });

  it('with a kernel still starting, the answer does not wait for Python: previews now, the profile loads meanwhile', async function () {
    this.timeout(60_000);
    server.setHandler(() => ({ steps: [{ text: 'from previews' }] }));
    const kernel = createKernel({ pythonPath: PYTHON, cwd: dir });
    try {
      const events = await collect(runMode('ask', ctx({ kernel, dataFiles: [join(dir, 'sales.csv')] }), '哪个地区销售额最高？'));
      assertContract(events);
      assert.equal(kernel.info, undefined, 'answered before Python had even started');
      const user: string = lastUserText(server.requests[0]);
      assert.ok(user.includes('```text\n日期,地区,销售额'), 'the raw preview is used');
      await kernel.start(); // the start begun during the answer, not a new one
      assert.ok(kernel.pythonPath, 'Python went on starting for the next question');
    } finally {
      await kernel.dispose();
    }
  });

  it('stream: false uses the non-streaming call: one content event, then complete', async () => {
    server.setHandler(() => ({ steps: [{ text: 'whole ' }, { text: 'answer' }], usage: { prompt: 1, completion: 2 } }));
    const events = await collect(runMode('ask', ctx({ stream: false }), 'hi'));
    assertContract(events);
    assert.equal(server.requests[0].body.stream, false);
    assert.deepEqual(events.filter((e) => e.type === 'content'), [{ type: 'content', stage: 'response', content: 'whole answer' }]);
    const complete = events.find((e) => e.type === 'complete') as { data: { reply: string; usage?: object } };
    assert.equal(complete.data.reply, 'whole answer');
    assert.deepEqual(complete.data.usage, { promptTokens: 1, completionTokens: 2, totalTokens: 3 });
  });

  it('an LLM failure becomes one error event then done, with no complete and no key', async () => {
    server.setHandler(() => ({ status: 401, json: { error: { message: 'invalid key sk-ask-test-000111222' } } }));
    for (const stream of [true, false]) {
      const events = await collect(runMode('ask', ctx({ stream }), 'hi'));
      assertContract(events);
      const err = events[events.length - 2];
      assert.equal(err.type, 'error');
      assert.match(err.type === 'error' ? err.content : '', /API key was rejected by fake/);
      assert.ok(!JSON.stringify(events).includes('sk-ask-test'));
    }
  });

  it('a cut stream keeps the partial answer and ends with an error', async () => {
    server.setHandler(() => ({ steps: [{ text: 'partial' }], finish: false }));
    const events = await collect(runMode('ask', ctx(), 'hi'));
    assertContract(events);
    assert.deepEqual(events[0], { type: 'content', stage: 'response', content: 'partial' });
    assert.equal(events[1].type, 'error');
  });

  it('an answer cut by the output limit says so', async () => {
    server.setHandler(() => ({ steps: [{ text: 'long…' }], finishReason: 'length' }));
    const events = await collect(runMode('ask', ctx(), 'Write a lot'));
    assertContract(events);
    assert.ok(events.some((e) => e.type === 'thinking' && e.stage === 'system' && /output limit/.test(e.content)));
  });

  it('cancel mid-answer: error, done, and the server sees the connection close', async () => {
    server.setHandler(() => ({ steps: [{ text: 'start' }, { stall: 30_000 }] }));
    const closed = server.closedSockets;
    const ac = new AbortController();
    const events: RadarmEvent[] = [];
    for await (const ev of runMode('ask', ctx(), 'hi', ac.signal)) {
      events.push(ev);
      if (ev.type === 'content') ac.abort();
    }
    assertContract(events);
    assert.equal(events[events.length - 2].type, 'error');
    await server.waitForClosedSockets(closed + 1);
  });

  it('runMode rejects an unknown mode with an error event', async () => {
    const events = await collect(runMode('nope' as never, ctx(), 'hi'));
    assertContract(events);
    assert.match((events[0] as { content: string }).content, /Unknown mode "nope"/);
  });
});
