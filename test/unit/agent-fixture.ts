// The shared set-up of the agent tests (agent-modes, agent-session): one scripted fake LLM server and a
// temp folder with the sales CSV per suite, sessions on the real LLM service and the real Python, each
// disposed after its test. Call inside a describe(); use the returned getters in the tests.
// The kernels skip the idle warm-up imports (matplotlib, plotly, scipy, statsmodels, scikit-learn: about a
// second of CPU each, for a kernel per test): what these tests check does not depend on them; the warm-up
// stays on where kernels run as users run them (the CLI, serve, statistics and VS Code tests).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSession, type Session, type SessionOptions } from '../../src/engine/session';
import { createKernel } from '../../src/kernel';
import { createLlmService } from '../../src/llm';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server';
import { SALES_CSV, TEST_PYTHON, providerFor, tempDir } from './agent-harness';

export interface AgentFixture {
  readonly llm: ReturnType<typeof createLlmService>;
  readonly server: FakeLlmServer;
  readonly dir: string;
  readonly csv: string;
  /** A session on the sales CSV with a real kernel (disposed after the test). */
  session(extra?: Partial<SessionOptions>): Session;
}

export function useAgentFixture(opts: { apiKey?: string; execTimeoutMs?: number } = {}): AgentFixture {
  let server: FakeLlmServer;
  let dir: string;
  let csv: string;
  const sessions: Session[] = [];
  const llm = createLlmService({ retry: { maxAttempts: 1 } });

  before(async () => {
    server = await startFakeLlmServer();
    dir = tempDir();
    csv = path.join(dir, 'sales.csv');
    fs.writeFileSync(csv, SALES_CSV);
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
    server.requests.length = 0;
  });

  return {
    llm,
    get server() {
      return server;
    },
    get dir() {
      return dir;
    },
    get csv() {
      return csv;
    },
    session(extra = {}) {
      const s = createSession({
        llm,
        provider: providerFor(server),
        ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
        dataFiles: [csv],
        createKernel: () => createKernel({ pythonPath: TEST_PYTHON, cwd: dir, execTimeoutMs: opts.execTimeoutMs ?? 30_000, warmup: false }),
        ...extra,
      });
      sessions.push(s);
      return s;
    },
  };
}
