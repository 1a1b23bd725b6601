// Databases as data sources, against REAL servers started once for the run (db-sources-suite.ts): the schema
// profile the model sees (also in Ask mode), and clear database errors (wrong password, server down, unknown
// database, missing driver). PostgreSQL 15, MariaDB and SQLite files.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createKernel } from '../../src/kernel';
import type { DatabaseSource, PythonKernel } from '../../src/kernel/types';
import type { RadarmEvent } from '../../src/protocol/events';
import type { FakeLlmServer } from '../helpers/fake-llm-server';
import { DB_PASSWORD, closedPort } from '../helpers/db-servers';
import { TEST_PYTHON, allMessages, assertContract, collect, py, scriptStages } from './agent-harness';
import { ANSWER_CODE, dbSourcesSuite } from './db-sources-suite';

describe('database sources (real PostgreSQL, MariaDB and SQLite)', function () {
  this.timeout(60_000);
  const suite = dbSourcesSuite();
  const { servers, source, kernel, loaded, session } = suite;
  let server: FakeLlmServer;
  let dir: string;
  let sqliteFile: string;
  before(() => ({ server, dir, sqliteFile } = suite)); // set by the suite's before(), which runs first

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
  after(async () => {
    await failKernel?.dispose();
  });

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
});
