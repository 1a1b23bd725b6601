// The set-up shared by the db-sources-*.test.ts files: the fake LLM server, a SQLite file, the REAL PostgreSQL
// and MariaDB servers (test/helpers/db-servers.ts, started once per run) seeded once per run with the same
// tables, and kernels and sessions on them that are disposed after each test.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLlmService } from '../../src/llm';
import { createKernel } from '../../src/kernel';
import type { DatabaseSource, KernelOptions, PythonKernel } from '../../src/kernel/types';
import { createSession, type Session, type SessionOptions } from '../../src/engine/session';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server';
import { mariadb, postgres, type DbServer } from '../helpers/db-servers';
import { TEST_PYTHON, providerFor, tempDir } from './agent-harness';

export type Engine = 'sqlite' | 'postgresql' | 'mysql';
export const ENGINES: Engine[] = ['sqlite', 'postgresql', 'mysql'];

const SEED = (engine: Engine) => `
CREATE TABLE customers (id integer PRIMARY KEY, name varchar(20));
CREATE TABLE 销售 (编号 integer PRIMARY KEY, 地区 varchar(20) NOT NULL, 金额 numeric(10,2),
  customer_id integer REFERENCES customers(id));
INSERT INTO customers VALUES (1, '甲'), (2, '乙');
INSERT INTO 销售 VALUES (1, '华东', 100.5, 1), (2, '华南', 20, 2), (3, '华东', 30, 1), (4, '华北', 49.5, 2);
CREATE TABLE scratch (a integer);
${
  engine === 'postgresql'
    ? 'CREATE TABLE nums AS SELECT g AS n FROM generate_series(1, 2500) g;'
    : engine === 'mysql'
      ? 'CREATE TABLE nums AS SELECT seq AS n FROM seq_1_to_2500;'
      : 'CREATE TABLE nums AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 2500) SELECT n FROM c;'
}`;

export const ANSWER_CODE = [
  "t = sql('SELECT 地区, SUM(金额) AS 总额 FROM 销售 GROUP BY 地区 ORDER BY 总额 DESC')",
  "t['总额'] = t['总额'].astype(float)",
  'print(t.to_string(index=False))',
  'fig, ax = plt.subplots(figsize=(6, 4))',
  "ax.bar(t['地区'], t['总额'])",
  "ax.set_title('各地区销售额')",
  "result = float(t['总额'].sum())",
].join('\n');

/** The database servers with the seed tables: seeded once per run, however many files use them. */
let seeded: Promise<Partial<Record<Engine, DbServer>>> | undefined;
function seededServers(): Promise<Partial<Record<Engine, DbServer>>> {
  seeded ??= (async () => {
    const [pg, my] = await Promise.all([postgres(), mariadb()]);
    pg.query(`SET ROLE radarm;\n${SEED('postgresql')}`);
    my.query(SEED('mysql'));
    return { postgresql: pg, mysql: my };
  })();
  return seeded;
}

/** Call inside the file's describe(): registers the hooks; server, dir and sqliteFile are set once before() ran. */
export function dbSourcesSuite() {
  let server: FakeLlmServer;
  let dir: string;
  let sqliteFile: string;
  const servers: Partial<Record<Engine, DbServer>> = {};
  const kernels: PythonKernel[] = [];
  const sessions: Session[] = [];
  const llm = createLlmService({ retry: { maxAttempts: 1 } });

  before(async function () {
    this.timeout(120_000);
    server = await startFakeLlmServer();
    dir = tempDir();
    sqliteFile = path.join(dir, 'shop.sqlite');
    const made = spawnSync(TEST_PYTHON, ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()', sqliteFile, SEED('sqlite')], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    Object.assign(servers, await seededServers());
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all([...sessions.splice(0).map((s) => s.dispose()), ...kernels.splice(0).map((k) => k.dispose())]);
    server.requests.length = 0;
  });

  const source = (engine: Engine, url?: string): { dataFiles: string[]; databases: DatabaseSource[] } =>
    engine === 'sqlite' ? { dataFiles: [sqliteFile], databases: [] } : { dataFiles: [], databases: [{ name: 'shop', url: url ?? servers[engine]!.url }] };

  function kernel(opts: Partial<KernelOptions> = {}): PythonKernel {
    const k = createKernel({ pythonPath: TEST_PYTHON, cwd: dir, execTimeoutMs: 30_000, warmup: false, ...opts });
    kernels.push(k);
    return k;
  }
  /** One kernel per engine for the tests that need no special options (row cap 1000, timeout 1.5 s). */
  const shared = new Map<Engine, Promise<PythonKernel>>();
  after(async () => {
    await Promise.all([...shared.values()].map((p) => p.then((k) => k.dispose())));
  });
  function sharedKernel(engine: Engine): Promise<PythonKernel> {
    let p = shared.get(engine);
    if (!p) {
      const k = createKernel({ pythonPath: TEST_PYTHON, cwd: dir, execTimeoutMs: 1500, dbRowLimit: 1000, warmup: false });
      const s = source(engine);
      p = k.loadData(s.dataFiles, { databases: s.databases }).then(() => k);
      shared.set(engine, p);
    }
    return p;
  }
  async function loaded(engine: Engine, opts: Partial<KernelOptions> = {}, question = '') {
    const k = kernel(opts);
    const s = source(engine);
    const profile = await k.loadData(s.dataFiles, { databases: s.databases, question });
    return { k, profile };
  }
  function session(extra: Partial<SessionOptions>): Session {
    const s = createSession({
      llm,
      provider: providerFor(server),
      apiKey: 'sk-test-db',
      createKernel: () => kernel(),
      ...extra,
    });
    sessions.push(s);
    return s;
  }
  /** Runs SQL on the engine's data from outside the kernel (server client, or Python's sqlite3). */
  function outside(engine: Engine, sql: string): string {
    if (engine !== 'sqlite') return servers[engine]!.query(sql).trim();
    const r = spawnSync(TEST_PYTHON, ['-c', 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])', sqliteFile, sql], { encoding: 'utf8' });
    return r.stdout.trim();
  }

  return {
    get server() {
      return server;
    },
    get dir() {
      return dir;
    },
    get sqliteFile() {
      return sqliteFile;
    },
    servers,
    llm,
    source,
    kernel,
    sharedKernel,
    loaded,
    session,
    outside,
  };
}
