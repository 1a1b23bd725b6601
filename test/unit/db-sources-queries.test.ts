// Databases as data sources, against REAL servers started once for the run (db-sources-suite.ts): answering
// through sql(), read-only by default, the row cap, the password kept out of output, query timeouts that
// cancel on the server, and writes when allowed. PostgreSQL 15, MariaDB and SQLite files.
import * as assert from 'node:assert/strict';
import type { FakeLlmServer } from '../helpers/fake-llm-server';
import { DB_PASSWORD } from '../helpers/db-servers';
import { allMessages, assertContract, assertPngDataUrl, collect, completeOf, py, scriptStages } from './agent-harness';
import { ANSWER_CODE, ENGINES, dbSourcesSuite } from './db-sources-suite';

describe('database sources (real PostgreSQL, MariaDB and SQLite)', function () {
  this.timeout(60_000);
  const suite = dbSourcesSuite();
  const { servers, source, kernel, sharedKernel, session, outside } = suite;
  let server: FakeLlmServer;
  let dir: string;
  let sqliteFile: string;
  before(() => ({ server, dir, sqliteFile } = suite)); // set by the suite's before(), which runs first

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
});
