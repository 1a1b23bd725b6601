// The `@` completion's names that need Python (radarm_names.py through src/kernel/mention-names.ts and the host's
// merge in src/vscode/mention-sources.ts), from real files and real databases with the real /usr/bin/python3:
// Excel sheets, JSON / JSON Lines (GB18030 too), Parquet's optional path, SQLite, PostgreSQL and MariaDB; the time
// limit, the cache, and a question's mentions reaching the model exactly.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMode } from '../../src/agent';
import type { RadarmEvent } from '../../src/protocol/events';
import { readMentionNames } from '../../src/kernel/mention-names';
import { createLlmService } from '../../src/llm';
import { isMentionSources, mentionToken } from '../../src/protocol/mentions';
import { mentionSources, pythonNames } from '../../src/vscode/mention-sources';
import { DB_PASSWORD, mariadb, postgres } from '../helpers/db-servers';
import { lastUserText, startFakeLlmServer, textSteps } from '../helpers/fake-llm-server';

const PYTHON = process.env.RADARM_TEST_PYTHON ?? '/usr/bin/python3';

function py(code: string, ...args: string[]) {
  const r = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

describe('mention names from Python: workbooks, JSON, databases', function () {
  this.timeout(60_000);
  let dir: string;
  const f = (name: string) => join(dir, name);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'radarm-names-'));
    py(
      [
        'import pandas as pd, sys',
        'with pd.ExcelWriter(sys.argv[1]) as w:',
        "    pd.DataFrame({'销售 额': [1.5, 2], 'region': ['东', '西']}).to_excel(w, sheet_name='Sales', index=False)",
        "    pd.DataFrame({'order id': [1], '数量': [3], 'Unit Price ($)': [9.5]}).to_excel(w, sheet_name='订单 明细', index=False)",
      ].join('\n'),
      f('book.xlsx'),
    );
    py(
      [
        'import sqlite3, sys',
        'c = sqlite3.connect(sys.argv[1])',
        'c.executescript(\'CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL, "客户 名" TEXT); CREATE TABLE "line items" (order_id INTEGER, sku TEXT); CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100;\')',
        'c.commit()',
      ].join('\n'),
      f('shop.sqlite'),
    );
    writeFileSync(f('records.json'), JSON.stringify({ meta: { n: 2 }, rows: [{ 'a b': 1, 城市: '上海' }, { 'a b': 2, 城市: '北京', extra: true }] }));
    // GB18030 JSON Lines with Chinese keys: decoded as the kernel decodes it.
    writeFileSync(f('gb.jsonl'), Buffer.concat([Buffer.from([0x7b, 0x22]), Buffer.from([0xb5, 0xd8, 0xc7, 0xf8]), Buffer.from('": "x", "n": 1}\n{"n": 2, "late key": 3}\n')]));
    writeFileSync(f('sales.csv'), '地区,销售 额\n华东,1\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists both sheets of a real Excel workbook, JSON records under a key and GB18030 JSON Lines, with exact names', async () => {
    const files = ['book.xlsx', 'records.json', 'gb.jsonl', 'sales.csv'].map((n) => ({ display: `data/${n}`, path: f(n) }));
    const names = await pythonNames({ python: PYTHON, files: files.map((x) => x.path), cwd: dir });
    const m = await mentionSources(files, names);
    assert.ok(isMentionSources(m));
    assert.deepEqual(m.columns, [
      { file: 'data/book.xlsx', sheet: 'Sales', names: ['销售 额', 'region'] },
      { file: 'data/book.xlsx', sheet: '订单 明细', names: ['order id', '数量', 'Unit Price ($)'] },
      { file: 'data/records.json', names: ['a b', '城市', 'extra'] },
      { file: 'data/gb.jsonl', names: ['地区', 'n', 'late key'] },
      { file: 'data/sales.csv', names: ['地区', '销售 额'] },
    ]);
    assert.deepEqual(m.tables, []);
  });

  it('lists the tables and views of a real SQLite file among the data files, with their columns', async () => {
    const files = [{ display: 'shop.sqlite', path: f('shop.sqlite') }];
    const m = await mentionSources(files, await pythonNames({ python: PYTHON, files: [f('shop.sqlite')], cwd: dir }));
    assert.deepEqual(m.columns, [], 'a database file is not a table of columns itself');
    assert.deepEqual(m.tables, [
      { name: 'big_orders', source: 'shop.sqlite', columns: ['id', 'amount', '客户 名'] },
      { name: 'line items', source: 'shop.sqlite', columns: ['order_id', 'sku'] },
      { name: 'orders', source: 'shop.sqlite', columns: ['id', 'amount', '客户 名'] },
    ]);
    assert.ok(isMentionSources(m));
  });

  it('PostgreSQL: default-schema tables bare, other schemas qualified; MariaDB: the connected database; no password in the reply', async function () {
    this.timeout(120_000);
    const [pg, my] = await Promise.all([postgres(), mariadb()]);
    // A database of its own, so the other suites' catalogs stay as they expect.
    pg.query(
      'CREATE DATABASE mentions OWNER radarm;\n\\connect mentions\nSET ROLE radarm;\n' +
        'CREATE SCHEMA sales; CREATE TABLE orders (id int, amount numeric, "客户 名" text); ' +
        'CREATE TABLE sales.orders (id int, region text); CREATE TABLE sales.targets (region text, goal numeric); ' +
        'CREATE VIEW order_totals AS SELECT sum(amount) AS total FROM orders;',
    );
    my.query("CREATE DATABASE mentions CHARACTER SET utf8mb4; GRANT ALL ON mentions.* TO 'radarm'@'%'; USE mentions; CREATE TABLE 销售 (编号 int, `金 额` decimal(10,2));");
    const databases = [
      { name: 'pg', url: pg.url.replace(/\/shop$/, '/mentions') },
      { name: 'maria', url: my.urlWithoutPassword.replace(/\/shop$/, '/mentions'), password: DB_PASSWORD },
    ];
    const names = await pythonNames({ python: PYTHON, files: [], databases, cwd: dir });
    assert.ok(!JSON.stringify(names).includes(DB_PASSWORD), 'no password in the reply');
    const m = await mentionSources([], names);
    assert.deepEqual(
      m.tables.map((t) => [t.source, t.name, t.columns]),
      [
        ['pg', 'order_totals', ['total']],
        ['pg', 'public.orders', ['id', 'amount', '客户 名']],
        ['pg', 'sales.orders', ['id', 'region']],
        ['pg', 'sales.targets', ['region', 'goal']],
        ['maria', '销售', ['编号', '金 额']],
      ],
      'orders is in two schemas, so both are qualified; order_totals is unique in public',
    );
  });

  it('a wrong password or a server that is down: an error naming the source without the password; files still listed', async function () {
    this.timeout(120_000);
    const pg = await postgres();
    const wrong = 'wrong-Pass-9z8y7x';
    const names = await pythonNames({
      python: PYTHON,
      files: [f('book.xlsx')],
      databases: [
        { name: 'bad', url: pg.urlWithoutPassword, password: wrong },
        { name: 'down', url: 'postgresql://radarm@127.0.0.1:1/shop', password: wrong },
      ],
      cwd: dir,
    });
    assert.ok(!JSON.stringify(names).includes(wrong));
    assert.match(names.databases[0].error ?? '', /rejected the user name or password for bad/);
    assert.match(names.databases[1].error ?? '', /cannot reach the database server of down/);
    assert.deepEqual(names.files[0].groups.map((g) => g.sheet), ['Sales', '订单 明细']);
  });

  it('Parquet is optional: with neither pyarrow nor fastparquet the file lists no columns and says to install pyarrow', async () => {
    const has = spawnSync(PYTHON, ['-c', 'import importlib.util as u; print(bool(u.find_spec("pyarrow") or u.find_spec("fastparquet")))'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(f('t.parquet'), Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64), Buffer.from('PAR1')]));
    const names = await readMentionNames({ python: PYTHON, files: [f('t.parquet')], cwd: dir });
    if (has === 'True') assert.ok(names.files[0].error || names.files[0].groups.length, 'an engine is installed: it read or refused the file');
    else {
      assert.deepEqual(names.files[0].groups, []);
      assert.match(names.files[0].error ?? '', /needs pyarrow or fastparquet: run .*pip install pyarrow/);
    }
  });

  it('reads unchanged files once (the cache) and a changed file again; a hung interpreter is killed at the time limit', async () => {
    const log = f('runs.log');
    const wrapper = f('python-wrapper.sh');
    writeFileSync(wrapper, `#!/bin/sh\necho run >> '${log}'\nexec '${PYTHON}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    writeFileSync(f('cache.json'), JSON.stringify([{ a: 1 }]));
    const runs = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
    const ask = () => pythonNames({ python: wrapper, files: [f('cache.json')], cwd: dir });
    assert.deepEqual((await ask()).files[0].groups[0].columns, ['a']);
    assert.deepEqual((await ask()).files[0].groups[0].columns, ['a']);
    assert.equal(runs(), 1, 'the second call came from the cache');
    writeFileSync(f('cache.json'), JSON.stringify([{ a: 1, b: 2 }]));
    utimesSync(f('cache.json'), new Date(), new Date(Date.now() + 5000));
    assert.deepEqual((await ask()).files[0].groups[0].columns, ['a', 'b']);
    assert.equal(runs(), 2);

    const hung = f('python-hung.sh');
    writeFileSync(hung, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(hung, 0o755);
    const t0 = Date.now();
    await assert.rejects(readMentionNames({ python: hung, files: [f('book.xlsx')], cwd: dir, timeoutMs: 400 }), /took over 400 ms/);
    assert.ok(Date.now() - t0 < 5000, `killed in ${Date.now() - t0} ms`);
    const abort = new AbortController();
    const run = readMentionNames({ python: hung, files: [f('book.xlsx')], cwd: dir, signal: abort.signal });
    abort.abort();
    await assert.rejects(run, /cancelled/);
  });

  it('a question with mentions reaches the model with the exact backquoted names', async () => {
    const server = await startFakeLlmServer();
    try {
      server.setHandler(() => ({ steps: textSteps('ok') }));
      const q = `sum ${mentionToken('@', '销售 额')} of ${mentionToken('@', 'sales.orders.amount')} in ${mentionToken('#', 'data/客户 名单.xlsx')}`;
      const llm = createLlmService({ retry: { maxAttempts: 1 } });
      const events: RadarmEvent[] = [];
      const ctx = { llm, provider: { id: 'fake', kind: 'openai' as const, baseUrl: server.baseUrl, model: 'm' }, apiKey: 'sk-x', dataFiles: [], history: [] };
      for await (const e of runMode('ask', ctx, q)) events.push(e);
      assert.equal(events.at(-1)?.type, 'done');
      assert.equal(lastUserText(server.requests[0]), 'sum @`销售 额` of @`sales.orders.amount` in #`data/客户 名单.xlsx`');
    } finally {
      await server.close();
    }
  });
});
