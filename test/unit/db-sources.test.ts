// Databases as data sources, against REAL servers started once for the run (test/helpers/db-servers.ts):
// PostgreSQL 15 and MariaDB, plus SQLite files. The real kernel on the test Python; the model is the scripted
// fake LLM server.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLlmService } from '../../src/llm';
import { createKernel } from '../../src/kernel';
import type { DatabaseSource, KernelOptions, PythonKernel } from '../../src/kernel/types';
import { createSession, type Session, type SessionOptions } from '../../src/engine/session';
import type { RadarmEvent } from '../../src/protocol/events';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server';
import { DB_PASSWORD, closedPort, mariadb, postgres, type DbServer } from '../helpers/db-servers';
import { TEST_PYTHON, allMessages, assertContract, assertPngDataUrl, collect, completeOf, providerFor, py, scriptStages, tempDir } from './agent-harness';
import { buildOnce } from '../helpers/build-once';

type Engine = 'sqlite' | 'postgresql' | 'mysql';
const ENGINES: Engine[] = ['sqlite', 'postgresql', 'mysql'];

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

const ANSWER_CODE = [
  "t = sql('SELECT 地区, SUM(金额) AS 总额 FROM 销售 GROUP BY 地区 ORDER BY 总额 DESC')",
  "t['总额'] = t['总额'].astype(float)",
  'print(t.to_string(index=False))',
  'fig, ax = plt.subplots(figsize=(6, 4))',
  "ax.bar(t['地区'], t['总额'])",
  "ax.set_title('各地区销售额')",
  "result = float(t['总额'].sum())",
].join('\n');

describe('database sources (real PostgreSQL, MariaDB and SQLite)', function () {
  this.timeout(60_000);
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
    const [pg, my] = await Promise.all([postgres(), mariadb()]);
    pg.query(`SET ROLE radarm;\n${SEED('postgresql')}`);
    my.query(SEED('mysql'));
    servers.postgresql = pg;
    servers.mysql = my;
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
    await failKernel?.dispose();
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

  for (const engine of ENGINES) {
    it(`agent_single answers a Chinese question through sql() with the right numbers and a chart (${engine})`, async () => {
      scriptStages(server, { code_generation: [py(ANSWER_CODE)], explanation: ['华东最高：130.5。'] });
      const events = await collect(session(source(engine)).run('agent_single', '各地区的销售额是多少？画个柱状图'));
      assertContract(events);
      const data = completeOf(events);
      assert.match(data.execution_result ?? '', /华东\s+130\.5/);
      assert.match(data.execution_result ?? '', /华北\s+49\.5/);
      assert.match(data.execution_result ?? '', /华南\s+20\.0/);
      assert.match(data.execution_result ?? '', /200\.0/);
      assertPngDataUrl(data.image);
      // The code prompt had the schema and was told to use sql().
      const prompt = allMessages(server.requests[0]);
      assert.match(prompt, /sql\("SELECT …"\)/);
      assert.match(prompt, new RegExp(`#### ${engine === 'postgresql' ? 'public\\.' : engine === 'mysql' ? 'shop\\.' : ''}销售 \\(table, 4 rows\\)`));
      assert.match(prompt, /地区 (varchar|character varying|VARCHAR)/);
    });

    it(`read-only by default: DELETE, UPDATE and DROP are refused and the data is unchanged (${engine})`, async () => {
      const k = await sharedKernel(engine);
      for (const stmt of ['DELETE FROM 销售', "UPDATE 销售 SET 金额 = 0", 'DROP TABLE 销售', 'INSERT INTO scratch VALUES (1)']) {
        const r = await k.execute(`sql(${JSON.stringify(stmt)})`);
        assert.equal(r.ok, false, stmt);
        assert.equal(r.error?.name, 'DatabaseError', stmt);
        assert.match(r.error!.message, /opened read-only, so this statement was refused/);
        assert.match(r.error!.message, /radarm\.allowDatabaseWrites.*--allow-db-writes/);
      }
      // Through the engine directly (not sql()) the database refuses too.
      const direct = await k.execute('with db.begin() as c:\n    c.exec_driver_sql("DELETE FROM 销售")');
      assert.equal(direct.ok, false);
      assert.match(direct.error!.message, /read.?only|READ ONLY/i);
      assert.equal(outside(engine, 'SELECT COUNT(*) FROM 销售'), '4');
      assert.equal(outside(engine, 'SELECT SUM(金额) FROM 销售').replace(/\.?0+$/, ''), '200');
    });

    it(`the row cap: at most the configured rows unless the code asks for more, with a note (${engine})`, async () => {
      const k = await sharedKernel(engine);
      const capped = await k.execute("len(sql('SELECT n FROM nums ORDER BY n'))");
      assert.equal(capped.value, '1000');
      assert.match((capped.notes ?? []).join('\n'), /only the first 1,000 rows.*max_rows=N/);
      assert.match(capped.stderr, /only the first 1,000 rows/);
      const more = await k.execute("len(sql('SELECT n FROM nums', max_rows=5000))");
      assert.equal(more.value, '2500');
      assert.equal(more.notes, undefined);
      const after = await k.execute("int(sql('SELECT COUNT(*) AS c FROM nums')['c'][0])");
      assert.equal(after.value, '2500', 'the connection still works after a cut');
    });
  }

  it('code that prints the password (db.url.password) shows *** instead, in the result and the live output', async () => {
    const k = await sharedKernel('postgresql');
    const live: string[] = [];
    const r = await k.execute('print("pw:", db.url.password)\ndb.url.password', { onOutput: (o) => live.push(o.text) });
    assert.equal(r.ok, true, r.text);
    assert.match(r.stdout, /pw: \*\*\*/);
    assert.ok(!JSON.stringify(r).includes(DB_PASSWORD) && !live.join('').includes(DB_PASSWORD));
  });

  it('the timeout cancels the query on the PostgreSQL server: gone from pg_stat_activity', async () => {
    const k = await sharedKernel('postgresql');
    const t0 = Date.now();
    const r = await k.execute("sql('SELECT pg_sleep(30) AS radarm_slow')");
    assert.equal(r.timedOut, true);
    assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
    const running = () => servers.postgresql!.query("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%radarm_slow%' AND state = 'active' AND pid <> pg_backend_pid()");
    assert.equal(running(), '0\n');
    const next = await k.execute("int(sql('SELECT 41 + 1 AS x')['x'][0])");
    assert.equal(next.value, '42');
    assert.notEqual(next.restarted, true, 'the same kernel: only the query was stopped');
  });

  it('the timeout cancels the query on the MariaDB server: gone from the process list (sql() and db)', async () => {
    const k = await sharedKernel('mysql');
    const running = () => servers.mysql!.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%radarm_slow%' AND ID <> CONNECTION_ID()").trim();
    for (const code of ["sql('SELECT SLEEP(30) AS radarm_slow')", "pd.read_sql('SELECT SLEEP(30) AS radarm_slow', db)"]) {
      const t0 = Date.now();
      const r = await k.execute(code);
      assert.equal(r.timedOut, true, code);
      assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
      assert.equal(running(), '0', code);
    }
    const next = await k.execute("int(sql('SELECT 41 + 1 AS x')['x'][0])");
    assert.equal(next.value, '42');
  });

  it('the timeout interrupts a long SQLite query without restarting the kernel', async () => {
    const k = await sharedKernel('sqlite');
    const r = await k.execute('sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c")');
    assert.equal(r.timedOut, true);
    const next = await k.execute("int(sql('SELECT COUNT(*) AS c FROM 销售')['c'][0])");
    assert.equal(next.value, '4');
    assert.notEqual(next.restarted, true);
  });

  it('writes are possible when allowed (allowDbWrites), on every engine', async () => {
    const k = kernel({ allowDbWrites: true });
    const profile = await k.loadData([sqliteFile], {
      databases: [
        { name: 'postgresql', url: servers.postgresql!.url },
        { name: 'mysql', url: servers.mysql!.url },
      ],
    });
    assert.match(profile.text, /read-write/);
    for (const engine of ENGINES) {
      const name = engine === 'sqlite' ? 'shop.sqlite' : engine;
      const r = await k.execute(`sql('INSERT INTO scratch VALUES (7)', source='${name}')`);
      assert.equal(r.ok, true, r.text);
      assert.equal(outside(engine, 'SELECT COUNT(*) FROM scratch WHERE a = 7'), '1', engine);
      await k.execute(`sql('DELETE FROM scratch', source='${name}')`);
      assert.equal(outside(engine, 'SELECT COUNT(*) FROM scratch'), '0', engine);
    }
  });

  it('the profile: schema-qualified tables and views, columns and types, keys, row counts, sample rows', async () => {
    servers.postgresql!.query('SET ROLE radarm; CREATE VIEW 地区汇总 AS SELECT 地区, SUM(金额) AS 总额 FROM 销售 GROUP BY 地区;');
    const { profile } = await loaded('postgresql', {}, '各地区销售额');
    const text = profile.text;
    assert.match(text, /### database shop \(PostgreSQL postgresql:\/\/radarm:\*\*\*@127\.0\.0\.1:\d+\/shop\)/);
    assert.match(text, /4 tables, 1 views; read-only/);
    assert.match(text, /#### public\.销售 \(table, 4 rows\)\ncolumns: 编号 integer PK, 地区 character varying, 金额 numeric, customer_id integer/);
    assert.match(text, /foreign keys: customer_id → public\.customers\(id\)/);
    assert.match(text, /#### public\.地区汇总 \(view\)/);
    assert.match(text, /华东\s+100\.50/, 'sample rows');
    assert.ok(text.indexOf('public.销售') < text.indexOf('public.nums'), 'the table the question is about comes first');
    assert.ok(!text.includes(DB_PASSWORD));
    assert.deepEqual(profile.variables, ['sql()', 'db', 'dbs["shop"]']);
    const info = profile.files[0];
    assert.equal(info.kind, 'database');
    assert.equal(info.engine, 'postgresql');
    assert.equal(info.tables, 4);
  });

  it('hundreds of tables are summarised within the budget, the most relevant to the question first', async () => {
    const many = path.join(dir, 'many.sqlite');
    const ddl = Array.from({ length: 300 }, (_, i) => `CREATE TABLE t${String(i).padStart(3, '0')} (id integer PRIMARY KEY, ${Array.from({ length: 30 }, (_, j) => `col_${j} text`).join(', ')});`).join('\n');
    const made = spawnSync(TEST_PYTHON, ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()', many, `BEGIN;\n${ddl}\nCREATE TABLE inventory_levels (sku text, warehouse text, qty integer);\nCOMMIT;`], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const k = kernel();
    const profile = await k.loadData([many], { question: 'Which warehouse has the lowest inventory?' });
    assert.ok(profile.text.length < 5000, `profile is ${profile.text.length} characters`);
    assert.match(profile.text, /301 tables, 0 views/);
    assert.match(profile.text, /### database many\.sqlite[^\n]*\n[^\n]*\n#### inventory_levels \(table, 0 rows\)/);
    assert.match(profile.text, /… and \d{3} more tables\/views \(names only\): t\d{3}/);
  });

  /** The failing turns share one kernel (a session disposes its kernel: this one outlives them). */
  let failKernel: PythonKernel | undefined;
  async function failingTurn(databases: DatabaseSource[]): Promise<{ events: RadarmEvent[]; error: Extract<RadarmEvent, { type: 'error' }> }> {
    scriptStages(server, { code_generation: [py(ANSWER_CODE)], explanation: ['x'] });
    if (!failKernel) failKernel = createKernel({ pythonPath: TEST_PYTHON, cwd: dir, warmup: false });
    const k = failKernel;
    const shared: PythonKernel = { start: () => k.start(), loadData: (f, o) => k.loadData(f, o), execute: (c, o) => k.execute(c, o), interrupt: () => k.interrupt(), dispose: async () => {}, pythonPath: undefined };
    const events = await collect(session({ dataFiles: [], databases, createKernel: () => shared }).run('agent_single', '各地区的销售额？'));
    assertContract(events);
    const error = events.find((e) => e.type === 'error') as Extract<RadarmEvent, { type: 'error' }>;
    assert.ok(error, 'an error event');
    return { events, error };
  }

  for (const engine of ['postgresql', 'mysql'] as const) {
    it(`a wrong password is a clear database error naming the source, without the password (${engine})`, async () => {
      const wrong = 'Wrong-Secret-9917';
      const { events, error } = await failingTurn([{ name: 'shop', url: servers[engine]!.url.replace(DB_PASSWORD, wrong) }]);
      assert.equal(error.code, 'database');
      assert.match(error.content, /rejected the user name or password for shop \((postgresql|mysql):\/\/radarm:\*\*\*@127\.0\.0\.1:\d+\/shop\)/);
      assert.match(error.content, /RADARM_DB_PASSWORD/);
      assert.ok(!JSON.stringify(events).includes(wrong), 'the password appears nowhere');
      assert.equal(server.requests.filter((r) => r.stage === 'code_generation').length <= 1, true);
    });
  }

  it('a server that is down is a clear database error saying to check it is running', async () => {
    const port = await closedPort();
    const { error } = await failingTurn([{ name: 'down', url: `postgresql://radarm@127.0.0.1:${port}/shop`, password: 'Pw-Hidden-33' }]);
    assert.equal(error.code, 'database');
    assert.match(error.content, new RegExp(`cannot reach the database server of down \\(postgresql://radarm@127\\.0\\.0\\.1:${port}/shop\\).*running`));
    assert.ok(!error.content.includes('Pw-Hidden-33'));
    const unknown = await failingTurn([{ name: 'nope', url: servers.postgresql!.url.replace(/\/shop$/, '/no_such_db') }]);
    assert.equal(unknown.error.code, 'database');
    assert.match(unknown.error.content, /the database named in nope \(postgresql:\/\/radarm:\*\*\*@[^)]+\/no_such_db\) does not exist/);
  });

  it('Ask mode gets the database schema in its prompt (no code runs)', async () => {
    server.setHandler(() => ({ steps: [{ text: '可以用 sql() 按地区汇总。' }] }));
    const events = await collect(session(source('sqlite')).run('ask', '销售表有哪些列？'));
    assertContract(events);
    const prompt = allMessages(server.requests[0]);
    assert.match(prompt, /#### 销售 \(table, 4 rows\)/);
    assert.match(prompt, /sql\("SELECT …"\)/);
  });

  it('a missing driver or SQLAlchemy names the package to install; SQLite still works without SQLAlchemy', async () => {
    const shim = path.join(dir, 'shim');
    fs.mkdirSync(shim, { recursive: true });
    // Makes the named top-level modules unimportable, as on a Python without them.
    fs.writeFileSync(
      path.join(shim, 'sitecustomize.py'),
      'import os, sys\nBLOCK = set(os.environ.get("RADARM_TEST_BLOCK", "").split(","))\n' +
        'class Block(object):\n    def find_spec(self, name, path=None, target=None):\n' +
        '        if name.split(".")[0] in BLOCK:\n            raise ModuleNotFoundError("No module named %r" % name, name=name)\n' +
        'sys.meta_path.insert(0, Block())\n',
    );
    const blocked = (mods: string) => kernel({ env: { PYTHONPATH: shim, RADARM_TEST_BLOCK: mods } });
    const noDriver = await blocked('psycopg2,psycopg').loadData([], { databases: source('postgresql').databases });
    assert.match(noDriver.files[0].error ?? '', /shop \(postgresql:\/\/radarm:\*\*\*@[^)]+\) needs the Python package psycopg2-binary: run `\S+ -m pip install psycopg2-binary`/);
    const noSa = blocked('sqlalchemy');
    const p = await noSa.loadData([sqliteFile], { databases: source('mysql').databases });
    const my = p.files.find((f) => f.engine === 'mysql')!;
    assert.match(my.error ?? '', /needs the Python package SQLAlchemy: run `\S+ -m pip install sqlalchemy`/);
    const lite = await noSa.execute("int(sql('SELECT COUNT(*) AS c FROM 销售', source='shop.sqlite')['c'][0])");
    assert.equal(lite.value, '4', 'SQLite runs on the standard library');
  });

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
