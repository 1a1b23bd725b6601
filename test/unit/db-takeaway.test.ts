// Taken-away code for database sources runs on its own: a turn answered through sql() by the real engine and
// kernel on a real PostgreSQL, MariaDB and SQLite (test/helpers/db-servers.ts), then its code as Insert gives it,
// as an exported notebook and as a report's code block, run in a FRESH /usr/bin/python3 with the password only in
// an environment variable — the same numbers as in the kernel, and no password anywhere in the generated text.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withPrelude } from '../../src/agent/prelude';
import { conversationToNotebook } from '../../src/agent/notebook';
import { createSession, type Session } from '../../src/engine/session';
import { createKernel } from '../../src/kernel';
import type { DatabaseSource, PythonKernel } from '../../src/kernel/types';
import { createLlmService } from '../../src/llm';
import type { DataFileRead, RadarmEvent } from '../../src/protocol/events';
import type { TurnRecord } from '../../src/protocol/messages';
import { exportTurn } from '../../src/report/turns';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server';
import { DB_PASSWORD, mariadb, postgres, type DbServer } from '../helpers/db-servers';
import { runNotebook } from '../helpers/run-notebook';
import { TEST_PYTHON, collect, completeOf, providerFor, py, scriptStages, tempDir } from './agent-harness';

const SEED = `CREATE TABLE 订单 (地区 varchar(20), 金额 numeric(10,2), 备注 varchar(20));
INSERT INTO 订单 VALUES ('华东', 100.5, '100%'), ('华南', 20, NULL), ('华东', 30, NULL), ('华北', 49.5, NULL);`;

/** The turn's code: sql() with a "%" in the query text, then pandas; prints a line the test compares. */
const CODE = [
  "t = sql(\"SELECT 地区, SUM(金额) AS 总额, COUNT(*) AS n FROM 订单 WHERE 备注 LIKE '100%' OR 备注 IS NULL GROUP BY 地区 ORDER BY 总额 DESC\")",
  "t['总额'] = t['总额'].astype(float)",
  "print('RESULT', t.to_dict('records'))",
].join('\n');

type Engine = 'sqlite' | 'postgresql' | 'mysql';

describe('taken-away code for databases runs in a fresh Python (real PostgreSQL, MariaDB, SQLite)', function () {
  this.timeout(90_000);
  let server: FakeLlmServer;
  let dir: string;
  let sqliteFile: string;
  let pg: DbServer;
  let my: DbServer;
  const sessions: Session[] = [];
  const kernels: PythonKernel[] = [];
  const llm = createLlmService({ retry: { maxAttempts: 1 } });

  before(async function () {
    this.timeout(120_000);
    server = await startFakeLlmServer();
    dir = tempDir();
    sqliteFile = path.join(dir, 'data', 'shop.sqlite');
    fs.mkdirSync(path.dirname(sqliteFile));
    const made = spawnSync(TEST_PYTHON, ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()', sqliteFile, SEED], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    [pg, my] = await Promise.all([postgres(), mariadb()]);
    pg.query(`SET ROLE radarm;\nDROP TABLE IF EXISTS 订单 CASCADE;\n${SEED}`);
    my.query(`DROP TABLE IF EXISTS 订单 CASCADE;\n${SEED}`);
  });
  after(async () => {
    await Promise.all([...sessions.splice(0).map((s) => s.dispose()), ...kernels.splice(0).map((k) => k.dispose())]);
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One agent_single turn through the real engine; returns its complete event's data and the kernel's line. */
  async function answer(dataFiles: string[], databases: DatabaseSource[], code = CODE) {
    const session = createSession({
      llm,
      provider: providerFor(server),
      apiKey: 'sk-test-takeaway',
      dataFiles,
      databases,
      createKernel: () => {
        const k = createKernel({ pythonPath: TEST_PYTHON, cwd: dir, execTimeoutMs: 30_000, warmup: false });
        kernels.push(k);
        return k;
      },
    });
    sessions.push(session);
    scriptStages(server, { code_generation: [py(code)], explanation: ['华东最高。'] });
    const events = await collect(session.run('agent_single', '各地区的订单额？'));
    const data = completeOf(events);
    const line = /^RESULT .*$/m.exec(data.execution_result ?? '')?.[0];
    assert.ok(line, data.execution_result ?? '');
    return { data, events, line };
  }

  /** Runs a script in a fresh Python from `cwd` with only the given RADARM_* variables; its RESULT line. */
  function runFresh(script: string, cwd: string, env: Record<string, string>, extraEnv: NodeJS.ProcessEnv = {}): string {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(RADARM_|PG|MYSQL)/.test(k)));
    fs.mkdirSync(cwd, { recursive: true });
    fs.writeFileSync(path.join(cwd, 'analysis.py'), script);
    const out = execFileSync(TEST_PYTHON, ['analysis.py'], { cwd, encoding: 'utf8', env: { ...clean, MPLBACKEND: 'Agg', ...env, ...extraEnv } });
    return /^RESULT .*$/m.exec(out)?.[0] ?? out;
  }

  const source = (engine: Engine): { files: string[]; dbs: DatabaseSource[] } =>
    engine === 'sqlite' ? { files: [sqliteFile], dbs: [] } : { files: [], dbs: [{ name: 'shop', url: (engine === 'postgresql' ? pg : my).url }] };

  for (const engine of ['postgresql', 'mysql', 'sqlite'] as Engine[]) {
    it(`Insert's code defines sql() and db from the URL without its password, read from RADARM_DB_PASSWORD (${engine})`, async () => {
      const { files, dbs } = source(engine);
      const { data, line } = await answer(files, dbs);
      const reads = data.data_files ?? [];
      assert.equal(reads.length, 1, JSON.stringify(reads));
      assert.equal(reads[0].read.func, 'sql');
      const script = withPrelude(data.generated_code!, reads, { baseDir: path.join(dir, 'scripts') });
      assert.ok(!script.includes(DB_PASSWORD), 'no password in the code');
      assert.match(script, /^def sql\(query, source=None, max_rows=None, params=None\):$/m);
      assert.match(script, /^db = connect_db\(/m);
      if (engine === 'sqlite') {
        assert.match(script, /connect_db\("sqlite:\/\/\/\.\.\/data\/shop\.sqlite"\)/, 'the file relative to the run folder');
        assert.doesNotMatch(script, /RADARM_DB_PASSWORD/);
      } else {
        assert.match(script, /^# No password is written here: it is read from the environment variable RADARM_DB_PASSWORD$/m);
        assert.match(script, engine === 'postgresql' ? /"postgresql\+psycopg2:\/\/radarm@127\.0\.0\.1:\d+\/shop"/ : /"mysql\+pymysql:\/\/radarm@127\.0\.0\.1:\d+\/shop\?charset=utf8mb4"/);
      }
      assert.equal(runFresh(script, path.join(dir, 'scripts'), { RADARM_DB_PASSWORD: DB_PASSWORD }), line);
    });
  }

  it('several sources: dbs[name], sql(source=) and one password variable per server (RADARM_DB_PASSWORD_<NAME>)', async () => {
    const code = [
      CODE,
      "b = sql('SELECT SUM(金额) AS s FROM 订单', source='shop_my')",
      "c = sql('SELECT COUNT(*) AS c FROM 订单', source='shop.sqlite')",
      "print('RESULT2', float(b['s'][0]), int(c['c'][0]), sorted(dbs))",
    ].join('\n');
    const { data, events } = await answer([sqliteFile], [{ name: 'shop_pg', url: pg.url }, { name: 'shop_my', url: my.url }], code);
    const kernelLines = (data.execution_result ?? '').split('\n').filter((l) => l.startsWith('RESULT')).join('\n');
    assert.match(kernelLines, /RESULT2 200\.0 4 \['shop\.sqlite', 'shop_my', 'shop_pg'\]/);
    const script = withPrelude(data.generated_code!, data.data_files ?? [], { baseDir: dir });
    assert.ok(!script.includes(DB_PASSWORD) && !JSON.stringify(events).includes(DB_PASSWORD));
    assert.match(script, /each is read from an environment variable \(else RADARM_DB_PASSWORD\):\n# RADARM_DB_PASSWORD_SHOP_PG for "shop_pg"\n# RADARM_DB_PASSWORD_SHOP_MY for "shop_my"\n/);
    fs.writeFileSync(path.join(dir, 'many.py'), script);
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^RADARM_/.test(k)));
    const out = execFileSync(TEST_PYTHON, ['many.py'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...clean, RADARM_DB_PASSWORD_SHOP_PG: DB_PASSWORD, RADARM_DB_PASSWORD_SHOP_MY: DB_PASSWORD },
    });
    assert.equal(out.split('\n').filter((l) => l.startsWith('RESULT')).join('\n'), kernelLines);
  });

  it('the exported notebook and the report code run top to bottom with the same numbers (PostgreSQL)', async () => {
    const { data, events, line } = await answer([], [{ name: 'shop', url: pg.url }]);
    const turn: TurnRecord = { id: 't1', question: '各地区的订单额？', mode: 'agent_single', dataFiles: ['db:shop'], events, startedAt: Date.now() } as TurnRecord;
    const nbDir = path.join(dir, 'notebooks');
    fs.mkdirSync(nbDir, { recursive: true });
    const nbFile = path.join(nbDir, 'shop.ipynb');
    const nb = JSON.stringify(conversationToNotebook([turn], { notebookDir: nbDir }));
    assert.ok(!nb.includes(DB_PASSWORD));
    fs.writeFileSync(nbFile, nb);
    process.env.RADARM_DB_PASSWORD = DB_PASSWORD;
    try {
      const outs = runNotebook(nbFile);
      assert.ok(outs.some((o) => o.includes(line)), JSON.stringify(outs));
    } finally {
      delete process.env.RADARM_DB_PASSWORD;
    }
    const code = exportTurn(turn, dir).code!;
    assert.ok(!code.includes(DB_PASSWORD));
    assert.equal(runFresh(code, path.join(dir, 'report'), { RADARM_DB_PASSWORD: DB_PASSWORD }), line);
    assert.equal(data.data_files?.[0].path.includes(DB_PASSWORD), false);
  });

  it('SQLite without SQLAlchemy: the code falls back to sqlite3 with the same numbers', async () => {
    const { data, line } = await answer([sqliteFile], []);
    const script = withPrelude(data.generated_code!, data.data_files as DataFileRead[], { baseDir: dir });
    const shim = path.join(dir, 'shim');
    fs.mkdirSync(shim, { recursive: true });
    fs.writeFileSync(
      path.join(shim, 'sitecustomize.py'),
      'import sys\nclass Block(object):\n    def find_spec(self, name, path=None, target=None):\n' +
        '        if name.split(".")[0] == "sqlalchemy":\n            raise ModuleNotFoundError("No module named %r" % name, name=name)\n' +
        'sys.meta_path.insert(0, Block())\n',
    );
    assert.equal(runFresh(script, dir, {}, { PYTHONPATH: shim }), line);
  });

  it('a server source without its password variable fails in the fresh Python with the driver\'s authentication error', async () => {
    const { data } = await answer([], [{ name: 'shop', url: pg.url }]);
    const script = withPrelude(data.generated_code!, data.data_files ?? [], { baseDir: dir });
    fs.writeFileSync(path.join(dir, 'nopw.py'), script);
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(RADARM_|PG)/.test(k)));
    const r = spawnSync(TEST_PYTHON, ['nopw.py'], { cwd: dir, encoding: 'utf8', env: clean });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /password/i);
  });
});
