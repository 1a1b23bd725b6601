// The options radarm chat and radarm serve share: one table, one validation, the same results from both commands;
// database passwords from RADARM_DB_PASSWORD_<NAME> / RADARM_DB_PASSWORD; the taken-away code's database lines.
import * as assert from 'node:assert/strict';
import { parseCliArgs } from '../../src/cli/args';
import { SHARED_OPTIONS } from '../../src/options/shared-options';
import { databaseStatements, usesDatabase } from '../../src/agent/database-prelude';
import { preludeFor } from '../../src/agent/prelude';
import { passwordVariable } from '../../src/kernel/database-sources';
import { parseServeArgs } from '../../src/serve/args';
import type { DataFileRead } from '../../src/protocol/events';

const MODEL = ['--base-url', 'http://127.0.0.1:9/v1', '--model', 'm'];

describe('options shared by radarm chat and radarm serve', () => {
  const chat = (args: string[], env: NodeJS.ProcessEnv = {}) => parseCliArgs(['chat', ...MODEL, ...args, 'hi'], env);
  const serve = (args: string[], env: NodeJS.ProcessEnv = {}) => parseServeArgs([...MODEL, ...args], env);

  it('every shared option gives both commands the same configuration', () => {
    const args = ['--db', 'shop=postgresql://u@db.example:5432/shop', '--db', 'mysql://u@h/wh', '--allow-db-writes', '--engine', 'dask',
      '--dask-scheduler', 'tcp://10.0.0.5:8786', '--timeout', '5', '--exec-timeout', '7', '--sandbox', 'off', '--python', '/usr/bin/python3'];
    const env = { RADARM_DB_PASSWORD_SHOP: 'pw-shop', RADARM_DB_PASSWORD: 'pw-all', RADARM_API_KEY: 'sk-x' };
    const c = chat(args, env);
    const s = serve(args, env);
    assert.ok('config' in c && 'config' in s, JSON.stringify([c, s]));
    for (const key of ['provider', 'apiKey', 'pythonPath', 'stallTimeoutMs', 'execTimeoutMs', 'sandbox', 'engine', 'daskScheduler', 'databases', 'allowDbWrites'] as const)
      assert.deepEqual(s.config[key], c.config[key], key);
    assert.deepEqual(c.config.databases, [
      { name: 'shop', url: 'postgresql://u@db.example:5432/shop', password: 'pw-shop' },
      { name: 'wh', url: 'mysql://u@h/wh', password: 'pw-all' },
    ]);
    assert.equal(c.config.engine, 'dask');
    assert.equal(c.config.daskScheduler, 'tcp://10.0.0.5:8786');
    for (const name of Object.keys(SHARED_OPTIONS)) assert.doesNotMatch(JSON.stringify(serve([`--${name}`, 'zz'])), /Unknown option/, name);
  });

  it('the same bad values give the same errors from both commands', () => {
    for (const bad of [['--engine', 'spark'], ['--dask-scheduler', 'a b'], ['--db', 'ftp://x/y'], ['--timeout', '0'], ['--sandbox', 'maybe'], ['--provider', 'x']]) {
      const c = chat(bad);
      const s = serve(bad);
      assert.ok('error' in c && 'error' in s, bad.join(' '));
      assert.equal(s.error, c.error);
    }
  });

  it('a password in the URL wins over the environment; a source without a variable of its own takes RADARM_DB_PASSWORD', () => {
    const c = chat(['--db', 'a=postgresql://u:inurl@h/a', '--db', 'b-2=postgresql://u@h/b'], { RADARM_DB_PASSWORD_A: 'env-a', RADARM_DB_PASSWORD_B_2: 'env-b' });
    assert.ok('config' in c);
    assert.deepEqual(c.config.databases.map((d) => d.password), [undefined, 'env-b']);
    assert.equal(passwordVariable('sales-eu'), 'RADARM_DB_PASSWORD_SALES_EU');
    assert.equal(passwordVariable('销售'), 'RADARM_DB_PASSWORD');
  });
});

describe('taken-away code: database lines', () => {
  const pg: DataFileRead = { path: 'postgresql://u@h:5432/shop', key: 'shop', read: { func: 'sql', kwargs: { engine: 'postgresql', url: 'postgresql+psycopg2://u:leak@h:5432/shop' } } };
  const lite: DataFileRead = { path: '/w/data/a.sqlite', key: 'a.sqlite', read: { func: 'sql', kwargs: { engine: 'sqlite' } } };
  const csv: DataFileRead = { path: '/w/sales.csv', key: 'sales.csv', read: { func: 'read_csv', kwargs: {} } };

  it('code that uses sql(), db or dbs gets them; code that uses only df gets no database lines, and the reverse', () => {
    assert.ok(usesDatabase("t = sql('SELECT 1')") && usesDatabase('pd.read_sql(q, db)') && usesDatabase("dbs['x']"));
    assert.ok(!usesDatabase('df.db_total.sum()') && !usesDatabase('x = 1'));
    const onlyDf = preludeFor('print(df.shape)', [csv, pg], { baseDir: '/w' });
    assert.doesNotMatch(onlyDf, /sqlalchemy|def sql/);
    const onlySql = preludeFor("print(sql('SELECT 1'))", [csv, pg], { baseDir: '/w' });
    assert.doesNotMatch(onlySql, /read_csv/);
    assert.match(onlySql, /^db = connect_db\("postgresql\+psycopg2:\/\/u@h:5432\/shop", "RADARM_DB_PASSWORD"\)$/m);
    assert.doesNotMatch(onlySql, /leak/, 'a password that reached the URL is still left out');
  });

  it('one source: db only, unless the code names dbs or a source; a target that has the lines gets them once', () => {
    const one = databaseStatements("sql('x')", [{ key: 'a.sqlite', path: lite.path, read: lite.read as never }], (f) => f);
    assert.ok(!one.some((l) => l.includes('dbs = {')));
    const named = databaseStatements("sql('x', source='a.sqlite')", [{ key: 'a.sqlite', path: lite.path, read: lite.read as never }], (f) => f);
    assert.ok(named.some((l) => l.includes('dbs = {')));
    const code = "print(sql('SELECT 1'))";
    const first = preludeFor(code, [lite], { baseDir: '/w' });
    assert.equal(preludeFor(code, [lite], { baseDir: '/w', existing: first }), '');
  });
});
