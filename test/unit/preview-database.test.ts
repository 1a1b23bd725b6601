// Preview Data of a database server's table (real PostgreSQL 15 and MariaDB, started once per run by
// test/helpers/db-servers.ts): the preview kernel lists the tables, runs one bounded read-only query and returns
// the same view as a file's; an unknown table is one error with code "database" and no password in it.
import assert from 'node:assert/strict';
import { createKernel, type PythonKernel } from '../../src/kernel';
import { PreviewFailure } from '../../src/kernel/preview-quick';
import { DB_PASSWORD, mariadb, postgres, type DbServer } from '../helpers/db-servers';
import { TEST_PYTHON } from '../fixtures/kernel-data';
import { tempDir } from './agent-harness';

const TABLE = 'preview_订单';

for (const engine of ['postgresql', 'mysql'] as const) {
  describe(`Preview Data of a ${engine} table (real server)`, function () {
    this.timeout(120_000);
    let server: DbServer;
    let kernel: PythonKernel;
    before(async () => {
      server = engine === 'postgresql' ? await postgres() : await mariadb();
      const q = (name: string) => (engine === 'mysql' ? `\`${name}\`` : `"${name}"`);
      const rows = Array.from({ length: 30 }, (_, i) => `(${i}, '${['华东', '华南', '华北'][i % 3]}', ${i % 4 ? (i * 2.5).toFixed(1) : 'NULL'})`).join(', ');
      server.query(
        `${engine === 'postgresql' ? 'SET ROLE radarm; ' : ''}DROP TABLE IF EXISTS ${q(TABLE)}; CREATE TABLE ${q(TABLE)} (id integer, 地区 varchar(20), 金额 numeric(10,2)); INSERT INTO ${q(TABLE)} VALUES ${rows};`,
      );
      kernel = createKernel({ pythonPath: TEST_PYTHON, cwd: tempDir(), warmup: false });
      await kernel.loadData([], { databases: [{ name: 'shop', url: server.url }] });
    });
    after(async () => {
      await kernel?.dispose();
      server?.query(`${engine === 'postgresql' ? 'SET ROLE radarm; ' : ''}DROP TABLE IF EXISTS ${engine === 'mysql' ? `\`${TABLE}\`` : `"${TABLE}"`};`);
    });

    it('lists the tables and previews one with the same view as a file', async () => {
      const tables = await kernel.previewTables!('shop');
      const name = tables.find((t) => t.endsWith(TABLE));
      assert.ok(name, `tables: ${tables.join(', ')}`);
      const p = await kernel.preview!('db:shop', { database: 'shop', table: name });
      assert.deepEqual([p.totalRows, p.totalRowsEstimated, p.table], [30, false, { name, source: 'shop' }]);
      assert.deepEqual(p.columns.map((c) => [c.name, c.missing]), [['id', 0], ['地区', 0], ['金额', 8]]);
      assert.deepEqual(p.columns[1].top?.[0], { value: '华东', count: 10 });
      assert.equal(p.firstRows?.rows.length, 30);
      assert.match(p.notes?.join() ?? '', /read-only query: SELECT \* FROM .*LIMIT 20000/);
    });

    it('an unknown table is one error with code "database", without the password', async () => {
      const err = await kernel.preview!('db:shop', { database: 'shop', table: 'nope' }).then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof PreviewFailure);
      assert.equal(err.code, 'database');
      assert.match(err.message, /shop has no table or view named nope/);
      assert.ok(!err.message.includes(DB_PASSWORD));
    });
  });
}
