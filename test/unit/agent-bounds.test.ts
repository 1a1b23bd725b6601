// Everything the kernel returns is bounded end to end: a huge exception, value or output makes a bounded number
// of event bytes and a bounded prompt, with the real kernel (sandboxed when bwrap is there) and the fake LLM.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSession, type Session } from '../../src/engine/session';
import { createKernel } from '../../src/kernel';
import { createLlmService } from '../../src/llm';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server';
import { assertContract, collect, providerFor, py, SALES_CSV, scriptStages, tempDir, TEST_PYTHON } from './agent-harness';

describe('agent: bounded kernel output (fake LLM server + real Python kernel)', function () {
  this.timeout(90_000);
  let server: FakeLlmServer;
  let dir: string;
  let session: Session | undefined;

  before(async () => {
    server = await startFakeLlmServer();
    dir = tempDir();
    fs.writeFileSync(path.join(dir, 'sales.csv'), SALES_CSV);
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await session?.dispose();
    server.requests.length = 0;
  });

  const cases: [string, string][] = [
    ['a 10 MB exception message', 'raise ValueError("x" * 10_000_000)'],
    ['a 10 MB value', '"v" * 10_000_000'],
    ['10 MB of output in one print', 'print("p" * 10_000_000)\nresult = 1'],
  ];
  for (const [what, code] of cases) {
    it(`${what} makes under 1 MB of events and of prompts over two rounds`, async () => {
      scriptStages(server, { code_generation: [py(code)], explanation: ['Done.'], verification: ['PASS'] });
      session = createSession({
        llm: createLlmService({ retry: { maxAttempts: 1 } }),
        provider: providerFor(server),
        apiKey: 'sk-test-bounds',
        dataFiles: [path.join(dir, 'sales.csv')],
        createKernel: () => createKernel({ pythonPath: TEST_PYTHON, cwd: dir, execTimeoutMs: 30_000, warmup: false }),
        maxRounds: 2,
      });
      const events = await collect(session.run('agent_single', 'Go'));
      assertContract(events);
      const eventBytes = events.reduce((n, e) => n + JSON.stringify(e).length, 0);
      assert.ok(eventBytes < 1_000_000, `events: ${eventBytes} bytes`);
      const promptBytes = server.requests.reduce((n, r) => n + r.rawBody.length, 0);
      assert.ok(promptBytes < 1_000_000, `prompts: ${promptBytes} bytes`);
      assert.match(JSON.stringify(events), /characters cut/);
    });
  }
});
