// `radarm serve` with data sources of the server's choosing, as a real process: --db sources (real PostgreSQL and
// MariaDB from test/helpers/db-servers.ts, passwords from RADARM_DB_PASSWORD_<NAME> / RADARM_DB_PASSWORD) that a
// request may name but never replace with a URL of its own, and --engine / --dask-scheduler as in radarm chat.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server';
import { DB_PASSWORD, closedPort, mariadb, postgres, type DbServer } from '../helpers/db-servers';
import { assertWellFormed, readStream, ROOT, runServe, startServe, type NumberedEvent, type ServeProcess } from '../helpers/serve-process';
import { py, scriptStages, TEST_PYTHON } from './agent-harness';

const SEED = `CREATE TABLE 订单 (地区 varchar(20), 金额 numeric(10,2));
INSERT INTO 订单 VALUES ('华东', 100.5), ('华南', 20), ('华东', 30), ('华北', 49.5);`;
const SUM_CODE = (source: string) => `t = sql('SELECT SUM(金额) AS s FROM 订单', source=${JSON.stringify(source)})\nprint('SUM', float(t['s'][0]))`;

const completeOf = (events: NumberedEvent[]) => {
  const c = events.find((n) => n.event.type === 'complete')?.event;
  assert.ok(c?.type === 'complete', `no complete: ${JSON.stringify(events.filter((n) => n.event.type === 'error'))}`);
  return c.data;
};

describe('radarm serve with --db, --engine and --dask-scheduler (a real server process)', function () {
  this.timeout(90_000);
  let llm: FakeLlmServer;
  let serve: ServeProcess;
  let dataRoot: string;
  let outside: string;
  let pg: DbServer;
  let my: DbServer;
  /** A TCP listener standing in for "somewhere a client would like the server to connect": counts connections. */
  let trap: Server;
  let trapped = 0;
  let n = 0;
  const sid = () => `db${++n}-${Date.now()}`;
  const post = (body: unknown) => readStream(`${serve.url}/chat/stream`, { body });

  before(async function () {
    this.timeout(180_000);
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    llm = await startFakeLlmServer();
    [pg, my] = await Promise.all([postgres(), mariadb()]);
    pg.query(`SET ROLE radarm;\nDROP TABLE IF EXISTS 订单 CASCADE;\n${SEED}`);
    my.query(`DROP TABLE IF EXISTS 订单 CASCADE;\n${SEED.replace('100.5', '1000.5')}`);
    trap = createServer((s) => {
      trapped++;
      s.destroy();
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    dataRoot = mkdtempSync(join(tmpdir(), 'radarm-serve-db-'));
    writeFileSync(join(dataRoot, 'sales.csv'), '地区,订单额\n华东,120.5\n华南,98\n华北,150\n');
    // A folder of part files (one in a sub-folder), and one holding a link that leaves the root.
    mkdirSync(join(dataRoot, 'monthly', 'year=2025'), { recursive: true });
    writeFileSync(join(dataRoot, 'monthly', '01.csv'), '地区,订单额\n华东,1\n华南,2\n');
    writeFileSync(join(dataRoot, 'monthly', 'year=2025', '02.csv'), '地区,订单额\n华东,10\n华南,20\n');
    outside = mkdtempSync(join(tmpdir(), 'radarm-serve-outside-'));
    writeFileSync(join(outside, 'secret.csv'), '地区,订单额\n机密,999\n');
    mkdirSync(join(dataRoot, 'leaky'));
    writeFileSync(join(dataRoot, 'leaky', 'ok.csv'), '地区,订单额\n华东,1\n');
    symlinkSync(join(outside, 'secret.csv'), join(dataRoot, 'leaky', 'more.csv'));
    // No password on the command line: shop's from its own variable, wh's from RADARM_DB_PASSWORD.
    serve = await startServe(
      ['--base-url', llm.baseUrl, '--model', 'fake-model', '--data-root', dataRoot, '--python', TEST_PYTHON, '--rate-limit', '0',
        '--db', `shop=${pg.urlWithoutPassword}`, '--db', `wh=${my.urlWithoutPassword}`, '--engine', 'dask'],
      { RADARM_DB_PASSWORD_SHOP: DB_PASSWORD, RADARM_DB_PASSWORD: DB_PASSWORD },
    );
  });
  after(async () => {
    // Everything is closed even when a check fails (an open server would keep mocha from exiting).
    const code = await serve?.stop('SIGTERM');
    await llm?.close();
    await new Promise((r) => (trap ? trap.close(r) : r(null)));
    if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
    if (outside) rmSync(outside, { recursive: true, force: true });
    if (serve) {
      assert.equal(code, 0, serve.stderr);
      assert.ok(!serve.stderr.includes(DB_PASSWORD), 'no password in the log');
    }
  });
  beforeEach(() => {
    llm.requests.length = 0;
  });

  it('a request naming "shop" answers from PostgreSQL through sql(), with the URL but no password in data_files', async () => {
    scriptStages(llm, { code_generation: [py(SUM_CODE('shop'))], explanation: ['合计 200。'] });
    const r = await post({ session_id: sid(), message: '订单额合计？', mode: 'agent_single', databases: ['shop'] });
    assertWellFormed(r.events, 'complete');
    const data = completeOf(r.events);
    assert.match(data.execution_result ?? '', /SUM 200\.0/);
    const shop = data.data_files?.find((f) => f.key === 'shop');
    assert.ok(shop, JSON.stringify(data.data_files));
    assert.equal(shop.read.func, 'sql');
    assert.match(shop.path, /^postgresql:\/\/radarm@127\.0\.0\.1:\d+\/shop$/, 'a URL stays a URL (not made relative to the root)');
    assert.ok(!JSON.stringify(r.events).includes(DB_PASSWORD), 'no password in any event');
    assert.equal(data.data_files?.length, 1, 'only the named source');
  });

  it('a request that names none uses every --db source: sql(source="wh") reaches MariaDB', async () => {
    scriptStages(llm, { code_generation: [py(SUM_CODE('wh'))], explanation: ['合计 1100。'] });
    const r = await post({ session_id: sid(), message: '合计？', mode: 'agent_single' });
    assertWellFormed(r.events, 'complete');
    assert.match(completeOf(r.events).execution_result ?? '', /SUM 1100\.0/);
    assert.deepEqual(completeOf(r.events).data_files?.map((f) => f.key).sort(), ['shop', 'wh']);
  });

  it('a request may not give a database URL: 403 database_url_refused, and the server connects nowhere', async () => {
    const port = (trap.address() as { port: number }).port;
    for (const url of [`postgresql://radarm:x@127.0.0.1:${port}/shop`, `mysql://127.0.0.1:${port}/db`, `evil=postgresql://127.0.0.1:${port}/x`]) {
      const r = await post({ session_id: sid(), message: '合计？', mode: 'agent_single', databases: [url] });
      assert.equal(r.status, 403, JSON.stringify(r.json));
      assert.equal(r.json.error.code, 'database_url_refused');
      assert.match(r.json.error.message, /this server's databases are: shop, wh/);
    }
    const bad = await post({ session_id: sid(), message: '合计？', mode: 'agent_single', databases: [{ url: `postgresql://127.0.0.1:${port}/x` }] });
    assert.equal(bad.status, 400);
    const unknown = await post({ session_id: sid(), message: '合计？', mode: 'agent_single', databases: ['sales'] });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.error.code, 'unknown_database');
    assert.match(unknown.json.error.message, /No database named "sales": this server's databases are: shop, wh/);
    assert.equal(trapped, 0, 'nothing connected to the address the client named');
    assert.equal(llm.requests.length, 0, 'no turn ran');
  });

  it('--engine dask: a CSV from the data root is read with Dask and answered with the right sum', async () => {
    scriptStages(llm, { code_generation: [py('print("TOTAL", float(df["订单额"].sum().compute()), type(df).__module__)')], explanation: ['368.5'] });
    const r = await post({ session_id: sid(), message: '合计？', mode: 'agent_single', data_files: ['sales.csv'], databases: [] });
    assertWellFormed(r.events, 'complete');
    const data = completeOf(r.events);
    assert.match(data.execution_result ?? '', /TOTAL 368\.5 dask\.dataframe/);
    assert.deepEqual(data.data_files?.map((f) => [f.path, f.read.func]), [['sales.csv', 'dask.dataframe.read_csv']]);
  });

  it('a folder under the data root is one dataset of its parts; a folder linking outside the root is refused (403)', async () => {
    scriptStages(llm, { code_generation: [py('print("TOTAL", float(df["订单额"].sum().compute()), len(df))')], explanation: ['33'] });
    const r = await post({ session_id: sid(), message: '合计？', mode: 'agent_single', data_files: ['monthly'], databases: [] });
    assertWellFormed(r.events, 'complete');
    const data = completeOf(r.events);
    assert.match(data.execution_result ?? '', /TOTAL 33\.0 4/);
    assert.equal(data.data_files?.[0].path, 'monthly');
    const before = llm.requests.length;
    const leak = await post({ session_id: sid(), message: '合计？', mode: 'agent_single', data_files: ['leaky'] });
    assert.equal(leak.status, 403);
    assert.equal(leak.json.error.code, 'outside_data_root');
    assert.match(leak.json.error.message, /"leaky" holds a link to something outside the data root/);
    assert.equal(llm.requests.length, before);
  });

  it('--engine dask --dask-scheduler: an unreachable scheduler ends the turn with error code dask naming the address', async function () {
    const port = await closedPort();
    const other = await startServe(
      ['--base-url', llm.baseUrl, '--model', 'fake-model', '--data-root', dataRoot, '--python', TEST_PYTHON, '--engine', 'dask', '--dask-scheduler', `tcp://127.0.0.1:${port}`],
    );
    try {
      scriptStages(llm, { code_generation: [py('print(len(df))')], explanation: ['x'] });
      const r = await readStream(`${other.url}/chat/stream`, { body: { session_id: sid(), message: 'rows?', mode: 'agent_single', data_files: ['sales.csv'] } });
      assertWellFormed(r.events, 'error');
      const err = r.events.at(-2)!.event;
      assert.ok(err.type === 'error');
      assert.equal(err.code, 'dask', err.content);
      assert.match(err.content, new RegExp(`127\\.0\\.0\\.1:${port}`));
    } finally {
      assert.equal(await other.stop('SIGTERM'), 0);
    }
  });

  it('bad --db, --engine and --dask-scheduler values are usage errors (exit 2) that never echo a password', async () => {
    const base = ['--base-url', llm.baseUrl, '--model', 'fake-model'];
    const badDb = await runServe([...base, '--db', `ftp://radarm:${DB_PASSWORD}@host/x`]);
    assert.equal(badDb.code, 2);
    assert.match(badDb.stderr, /--db: not a database URL/);
    assert.ok(!badDb.stderr.includes(DB_PASSWORD));
    const badEngine = await runServe([...base, '--engine', 'spark']);
    assert.equal(badEngine.code, 2);
    assert.match(badEngine.stderr, /--engine must be one of auto, pandas, dask; got "spark"/);
    const badScheduler = await runServe([...base, '--dask-scheduler', 'not an address']);
    assert.equal(badScheduler.code, 2);
    assert.match(badScheduler.stderr, /--dask-scheduler: /);
  });
});
