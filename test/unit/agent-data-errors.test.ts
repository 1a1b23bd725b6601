// Turns whose data files do not load: when none loads, the turn ends before any model call (the fake LLM server
// records zero requests) with each file's error and code `data`; when some load, the model is told which are
// missing and the user sees it. Real Python kernel, real files, the real LLM service against the local server.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLlmService } from '../../src/llm';
import { createKernel } from '../../src/kernel';
import { createSession, type Session } from '../../src/engine/session';
import type { Mode } from '../../src/agent/types';
import type { RadarmEvent } from '../../src/protocol/events';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server';
import { SALES_CSV, TEST_PYTHON, assertContract, collect, completeOf, providerFor, py, scriptStages, tempDir, thinking } from './agent-harness';

describe('agent: data files that do not load', function () {
  this.timeout(60_000);
  let server: FakeLlmServer;
  let dir: string;
  const sessions: Session[] = [];
  const llm = createLlmService({ retry: { maxAttempts: 1 } });
  const file = (name: string) => path.join(dir, name);

  before(async () => {
    server = await startFakeLlmServer();
    dir = tempDir();
    fs.writeFileSync(file('sales.csv'), SALES_CSV);
    fs.writeFileSync(file('noise.csv'), Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 256)));
    fs.writeFileSync(file('picture.json'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    fs.writeFileSync(file('empty.csv'), '');
    // Only the kernel can tell: it is text, but not JSON.
    fs.writeFileSync(file('broken.json'), '{"rows": [1, 2,, oops');
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
    server.requests.length = 0;
  });

  function session(dataFiles: string[], withKernel = true): Session {
    const s = createSession({
      llm,
      provider: providerFor(server),
      apiKey: 'sk-test-data',
      dataFiles,
      createKernel: withKernel ? () => createKernel({ pythonPath: TEST_PYTHON, cwd: dir, execTimeoutMs: 30_000, warmup: false }) : undefined,
    });
    sessions.push(s);
    return s;
  }

  const errorEvent = (events: RadarmEvent[]) => events.find((e) => e.type === 'error') as Extract<RadarmEvent, { type: 'error' }>;

  for (const mode of ['agent_single', 'agent_multi', 'ask'] as Mode[]) {
    it(`${mode}: binary, empty and missing files only → error code data naming each file, zero model requests`, async () => {
      scriptStages(server, { code_generation: [py('print(1)')], planner: ['plan'], response: ['answer'] });
      const s = session(['noise.csv', 'picture.json', 'empty.csv', 'gone.csv'].map(file));
      const events = await collect(s.run(mode, 'What is the total?'));
      assertContract(events);
      const err = errorEvent(events);
      assert.equal(err.code, 'data');
      assert.match(err.content, /None of the chosen data files could be loaded/);
      assert.match(err.content, /noise\.csv: noise\.csv is not a text data file: it looks like binary data/);
      assert.match(err.content, /picture\.json: .*a PNG image \(its first bytes are 89 50 4E 47/);
      assert.match(err.content, /empty\.csv: .*empty \(0 bytes\)/);
      assert.match(err.content, /gone\.csv: (file not found|cannot read .*No such file)/);
      assert.match(err.content, /Fix or replace these files/);
      assert.equal(server.requests.length, 0, 'no model call');
    });
  }

  it('a file only the kernel can reject (not valid JSON) also ends the turn before any model call', async () => {
    scriptStages(server, { code_generation: [py('print(1)')] });
    const s = session([file('broken.json')]);
    await s.prepare(); // a warm kernel, as after choosing the file in the panel
    const events = await collect(s.run('agent_single', 'How many rows?'));
    assertContract(events);
    const err = errorEvent(events);
    assert.equal(err.code, 'data');
    assert.match(err.content, /broken\.json: broken\.json is not valid JSON or JSON Lines/);
    assert.equal(server.requests.length, 0);
  });

  it('the Ask preview (no kernel, untrusted workspace) ends the same way when no file is usable', async () => {
    scriptStages(server, { response: ['answer'] });
    const events = await collect(session([file('noise.csv')], false).run('ask', 'What is in it?'));
    assert.equal(errorEvent(events).code, 'data');
    assert.equal(server.requests.length, 0);
  });

  it('some files load, others not: the model is told which are missing, the user sees it, the turn completes', async () => {
    scriptStages(server, { code_generation: [py('result = int(df["sales"].sum())\nprint(result)')], explanation: ['The total is 700.'] });
    const s = session([file('sales.csv'), file('broken.json'), file('picture.json')]);
    await s.prepare(); // the first call then waits for the kernel's profile rather than previews
    const events = await collect(s.run('agent_single', 'Total sales?'));
    assertContract(events);
    assert.equal(completeOf(events).reply, 'The total is 700.');
    const notes = thinking(events, 'system').join('\n');
    assert.match(notes, /broken\.json could not be loaded: broken\.json is not valid JSON/);
    assert.match(notes, /picture\.json could not be loaded: .*PNG image/);
    const first = server.requests[0].body.messages as { role: string; content: string }[];
    assert.match(first[0].content, /could NOT be loaded and are not in `dfs`: broken\.json, picture\.json/);
    const user = first[first.length - 1].content;
    assert.match(user, /<data_profile>[^]*### sales\.csv → df[^]*### broken\.json: not loaded: [^]*<\/data_profile>\n\nTotal sales\?$/);
  });

  it('a file with bad bytes loads with a warning that reaches the user and the model', async () => {
    const chinese = Buffer.from('城市,销售额\n北京,100\n上海,200\n', 'utf8');
    fs.writeFileSync(file('bad_byte.csv'), Buffer.concat([chinese, Buffer.from([0xe5, 0x2c, 0x33, 0x0a])]));
    scriptStages(server, { code_generation: [py('print(len(df))')], explanation: ['3 rows.'] });
    const s = session([file('bad_byte.csv')]);
    await s.prepare();
    const events = await collect(s.run('agent_single', 'How many rows?'));
    assertContract(events);
    assert.match(thinking(events, 'system').join('\n'), /bad_byte\.csv was loaded, but: 1 line had bytes that are not valid UTF-8/);
    assert.match(JSON.stringify(server.requests[0].body), /1 line had bytes that are not valid UTF-8/);
  });
});
