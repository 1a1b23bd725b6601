// The key never leaves in an event of runMode, the one entry of the panel, @radarm and the CLI: not
// when the model streams it back split across chunks, not in the code it writes, not in what that
// code prints (a real kernel runs it), not in an error. A placeholder key leaves everything intact.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMode } from '../../src/agent';
import type { AgentContext } from '../../src/agent/types';
import { createKernel } from '../../src/kernel';
import type { PythonKernel } from '../../src/kernel/types';
import { createLlmService } from '../../src/llm';
import { encodeNdjson } from '../../src/protocol/sse';
import { isRadarmEvent } from '../../src/protocol/events';
import { startFakeLlmServer, textSteps, type FakeLlmServer } from '../helpers/fake-llm-server';
import { assertContract, collect, providerFor, py, scriptStages, TEST_PYTHON } from './agent-harness';

const KEY = 'sk-agent-7Hq2Lm9Xv4Rt8Kp3Wz6Ny1';

describe('runMode never emits the API key (panel, @radarm and CLI share it)', function () {
  this.timeout(60_000);
  let server: FakeLlmServer;
  let kernel: PythonKernel;
  let dir: string;
  const llm = createLlmService({ retry: { minDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } });

  before(async () => {
    server = await startFakeLlmServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarm-redact-'));
    fs.writeFileSync(path.join(dir, 'sales.csv'), 'region,sales\nnorth,1\nsouth,2\n');
    kernel = createKernel({ pythonPath: TEST_PYTHON, cwd: dir, execTimeoutMs: 30_000 });
  });
  after(async () => {
    await kernel.dispose();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ctx = (apiKey: string, over: Partial<AgentContext> = {}): AgentContext => ({
    llm,
    provider: providerFor(server),
    apiKey,
    kernel,
    dataFiles: [path.join(dir, 'sales.csv')],
    history: [],
    ...over,
  });

  it('agent_single: the key in streamed thinking, in the code and in its output never reaches an event', async () => {
    scriptStages(server, {
      code_generation: [{ steps: [{ reasoning: `using ${KEY.slice(0, 14)}` }, ...textSteps(py(`token = "${KEY}"\nprint("key:", token)`), 2)] }],
      explanation: [{ steps: textSteps(`The key ${KEY} was printed.`, 1) }],
    });
    const events = await collect(runMode('agent_single', ctx(KEY), 'print the key'));
    assertContract(events);
    const lines = events.map(encodeNdjson).join('');
    assert.ok(!lines.includes(KEY), lines);
    for (let i = 0; i + 10 <= KEY.length; i++) assert.ok(!lines.includes(KEY.slice(i, i + 10)), `piece ${i}`);
    for (const line of lines.trim().split('\n')) assert.ok(isRadarmEvent(JSON.parse(line)));
    const complete = events.find((e) => e.type === 'complete');
    assert.ok(complete && complete.type === 'complete');
    assert.match(complete.data.execution_result ?? '', /key: \*\*\*/);
    assert.match(complete.data.generated_code ?? '', /token = "\*\*\*"/);
    assert.equal(complete.data.reply, 'The key *** was printed.');
  });

  it('ask: an error body that echoes the key is redacted and keeps its code', async () => {
    server.setHandler(() => ({ status: 401, json: { error: { message: `Incorrect API key provided: ${KEY}` } } }));
    const events = await collect(runMode('ask', ctx(KEY, { kernel: undefined, dataFiles: [] }), 'hi'));
    assertContract(events);
    const err = events.find((e) => e.type === 'error');
    assert.ok(err && err.type === 'error');
    assert.equal(err.code, 'auth');
    assert.ok(!JSON.stringify(events).includes(KEY));
  });

  it('a placeholder key (lm-studio, EMPTY, my-content-key) changes nothing in the events', async () => {
    const answer = 'The content column, type EMPTY, lm-studio and my-content key: 123456.';
    for (const key of ['lm-studio', 'EMPTY', 'sk-no-key-required', 'my-content-key']) {
      server.setHandler(() => ({ steps: textSteps(answer, 2) }));
      const events = await collect(runMode('ask', ctx(key, { kernel: undefined, dataFiles: [] }), 'hi'));
      assertContract(events);
      const complete = events.find((e) => e.type === 'complete');
      assert.equal(complete?.type === 'complete' && complete.data.reply, answer, key);
      assert.equal(events.flatMap((e) => (e.type === 'content' ? [e.content] : [])).join(''), answer);
    }
  });
});
