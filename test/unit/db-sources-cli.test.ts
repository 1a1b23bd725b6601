// Databases as data sources from the CLI (dist/cli.js): --db name=URL with the password from the environment,
// a SQLite file as --data, and a bad --db URL. REAL servers started once for the run (db-sources-suite.ts).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { RadarmEvent } from '../../src/protocol/events';
import type { FakeLlmServer } from '../helpers/fake-llm-server';
import { DB_PASSWORD } from '../helpers/db-servers';
import { TEST_PYTHON, assertPngDataUrl, completeOf, py, scriptStages } from './agent-harness';
import { ANSWER_CODE, dbSourcesSuite } from './db-sources-suite';
import { buildOnce } from '../helpers/build-once';

describe('database sources (real PostgreSQL, MariaDB and SQLite)', function () {
  this.timeout(60_000);
  const suite = dbSourcesSuite();
  const { servers } = suite;
  let server: FakeLlmServer;
  let dir: string;
  let sqliteFile: string;
  before(() => ({ server, dir, sqliteFile } = suite)); // set by the suite's before(), which runs first

  describe('CLI (dist/cli.js) with --db and --data file.sqlite', () => {
    const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
    before(function () {
      this.timeout(120_000);
      buildOnce();
    });

    // Asynchronous: the fake LLM server runs in this process.
    async function cli(args: string[], env: Record<string, string> = {}) {
      scriptStages(server, { code_generation: [py(ANSWER_CODE)], explanation: ['华东最高。'] });
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(RADARM_|https?_proxy$|no_proxy$)/i.test(k)));
      const child = spawn(
        process.execPath,
        [CLI, 'chat', '--base-url', server.baseUrl, '--model', 'm', '--mode', 'agent_single', '--format', 'ndjson', '--python', TEST_PYTHON, ...args, '各地区的销售额？'],
        { cwd: dir, env: { ...clean, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      const r = { status, stdout, stderr };
      const events = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as RadarmEvent);
      return { ...r, events };
    }

    it('answers from PostgreSQL given --db name=URL, with the password from RADARM_DB_PASSWORD, never printed', async () => {
      const r = await cli(['--db', `shop=${servers.postgresql!.urlWithoutPassword}`], { RADARM_DB_PASSWORD: DB_PASSWORD });
      assert.equal(r.status, 0, r.stderr);
      const data = completeOf(r.events);
      assert.match(data.execution_result ?? '', /华东\s+130\.5/);
      assertPngDataUrl(data.image);
      assert.ok(!r.stdout.includes(DB_PASSWORD) && !r.stderr.includes(DB_PASSWORD), 'the password is not printed');
    });

    it('answers from a SQLite file given as --data, like a CSV', async () => {
      const r = await cli(['--data', sqliteFile]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(completeOf(r.events).execution_result ?? '', /华南\s+20\.0/);
    });

    it('a bad --db URL is a usage error (exit 2) that does not echo the password', async () => {
      const r = await cli(['--db', 'oracle://u:Sup3r-Secret@h/x']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /--db: not a database URL: "oracle:\/\/u@h\/x"/);
      assert.ok(!r.stderr.includes('Sup3r-Secret'));
    });
  });
});