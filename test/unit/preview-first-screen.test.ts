// Preview Data's first screen with the real /usr/bin/python3: the pandas-free quick reader agrees with the
// pandas profile on every encoding/delimiter case, the stream shows it first and replaces it in place, and
// hostile input (binary .csv, a missing or deleted file, 10,000 columns, a 2 GB file) ends in one clear error
// with a code or a bounded view. Datasets (a folder of parts) and SQLite tables use the same view.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createKernel, type PythonKernel } from '../../src/kernel';
import { quickPreview, sqliteTables, type QuickResult } from '../../src/kernel/preview-quick';
import type { DataPreview, PreviewMessage } from '../../src/protocol/preview';
import { kernelReaders, previewMessages, type PreviewReaders, type PreviewSource } from '../../src/preview/stream';
import { makeDataDir, TEST_PYTHON, type DataDir } from '../fixtures/kernel-data';

const quick = (s: PreviewSource) => quickPreview({ pythonPath: TEST_PYTHON }, s);
const src = (path: string): PreviewSource => ({ path, name: path.split('/').pop()! });

async function collect(source: PreviewSource, readers: PreviewReaders): Promise<PreviewMessage[]> {
  const out: PreviewMessage[] = [];
  for await (const m of previewMessages(source, readers)) out.push(m);
  return out;
}

/** What the tab shows of a preview, without the histogram's float edges (numpy and Python bin alike). */
function shown(p: DataPreview) {
  return {
    shape: [p.totalRows, p.totalColumns, p.totalRowsEstimated],
    columns: p.columns.map((c) => ({ ...c, histogram: c.histogram?.counts })),
    table: [p.firstRows?.columns, p.firstRows?.dtypes, p.firstRows?.kinds, p.firstRows?.rows],
    notes: p.notes,
  };
}

describe('Preview Data first screen (quick reader + pandas profile, real Python)', function () {
  this.timeout(120_000);
  let data: DataDir;
  let kernel: PythonKernel;
  before(() => {
    data = makeDataDir();
    kernel = createKernel({ cwd: data.dir, pythonPath: TEST_PYTHON });
  });
  after(async () => {
    await kernel?.dispose();
    data?.cleanup();
  });

  for (const file of ['sales_gbk.csv', 'semicolon.csv', 'bom.csv', 'data.tsv', 'latin1.csv', 'book.xlsx', 'events.jsonl', 'records.json', 'wide.csv']) {
    it(`quick reader and pandas profile show the same columns, types and rows: ${file}`, async () => {
      const q = await quick(src(data.file(file)));
      assert.ok(q.ok, JSON.stringify(q));
      const full = await kernel.preview!(data.file(file));
      assert.deepEqual(shown(q.preview), shown(full));
    });
  }

  it('reads GBK Chinese headers and a semicolon file with decimal commas as numbers', async () => {
    const gbk = (await quick(src(data.file('sales_gbk.csv')))) as QuickResult & { ok: true };
    assert.deepEqual(gbk.preview.columns.map((c) => c.name), ['城市', '销售额', '日期']);
    assert.deepEqual([gbk.preview.columns[1].kind, gbk.preview.columns[1].max, gbk.preview.columns[1].missing], ['number', 200.25, 1]);
    const semi = (await quick(src(data.file('semicolon.csv')))) as QuickResult & { ok: true };
    assert.deepEqual(semi.preview.columns.map((c) => [c.name, c.dtype, c.min ?? null]), [['product', 'object', null], ['price', 'float64', 0.75], ['qty', 'int64', 3]]);
    assert.deepEqual(semi.preview.notes, ['decimal comma']);
  });

  it('a cold preview shows the quick first screen, then the pandas profile replaces it', async () => {
    const lines = ['id,city,v'];
    for (let i = 0; i < 30_000; i++) lines.push(`${i},${['北京', '上海', 'Zürich'][i % 3]},${(i % 97) / 4}`);
    writeFileSync(data.file('big.csv'), lines.join('\n') + '\n');
    const cold = createKernel({ cwd: data.dir, pythonPath: TEST_PYTHON });
    try {
      const readers = kernelReaders(cold, quick);
      assert.ok(readers.quick, 'a kernel that has not started gets the quick reader');
      let quickDone!: () => void;
      const afterQuick = new Promise<void>((r) => (quickDone = r));
      const messages = await collect(src(data.file('big.csv')), {
        quick: (s) => readers.quick!(s).finally(quickDone),
        full: (s) => afterQuick.then(() => readers.full!(s)), // in this order, whatever the machine's load
      });
      assert.deepEqual(messages.map((m) => (m.type === 'preview' ? m.stage : m.type)), ['quick', 'full']);
      const [first, last] = messages as Extract<PreviewMessage, { type: 'preview' }>[];
      assert.deepEqual([first.preview.sampleRows, last.preview.sampleRows], [2000, 20_000]);
      assert.deepEqual(first.preview.columns.map((c) => c.name), last.preview.columns.map((c) => c.name));
      assert.deepEqual(first.preview.firstRows?.rows, last.preview.firstRows?.rows);
      assert.ok(Math.abs(first.preview.totalRows - 30_000) / 30_000 < 0.25, `estimate ${first.preview.totalRows}`);
      await cold.start();
      assert.equal(kernelReaders(cold, quick).quick, undefined, 'a running kernel answers alone');
    } finally {
      await cold.dispose();
    }
  });

  it('a csv.py or json.py in the working folder (a workspace\'s) never shadows the standard library', async () => {
    const hostile = join(data.dir, 'hostile');
    mkdirSync(hostile, { recursive: true });
    for (const m of ['csv', 'json', 'io', 're']) writeFileSync(join(hostile, `${m}.py`), 'raise SystemExit("shadowed")\n');
    const before = process.cwd();
    process.chdir(hostile);
    try {
      const q = await quick(src(data.file('bom.csv')));
      assert.ok(q.ok, JSON.stringify(q));
    } finally {
      process.chdir(before);
    }
  });

  it('a binary file named .csv, a missing file and an empty file each give one error with a code', async () => {
    writeFileSync(data.file('img.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3]));
    writeFileSync(data.file('empty.csv'), '');
    for (const [file, code, text] of [
      ['img.csv', 'binary', /img\.csv is not a text data file: it looks like a PNG image/],
      ['gone.csv', 'not-found', /gone\.csv: file not found/],
      ['empty.csv', 'empty', /empty\.csv is empty/],
    ] as const) {
      const messages = await collect(src(data.file(file)), kernelReaders(kernel, quick));
      assert.equal(messages.length, 1, JSON.stringify(messages));
      assert.equal(messages[0].type, 'previewError');
      assert.equal((messages[0] as { code?: string }).code, code);
      assert.match((messages[0] as { message: string }).message, text);
    }
    assert.equal((await kernel.execute('1 + 1')).value, '2', 'the kernel keeps working');
  });

  it('a file deleted while it is previewed: the first screen, then a not-found error', async () => {
    writeFileSync(data.file('doomed.csv'), 'a,b\n1,2\n3,4\n');
    const fresh = createKernel({ cwd: data.dir, pythonPath: TEST_PYTHON });
    try {
      const messages = await collect(src(data.file('doomed.csv')), {
        quick,
        full: async (s) => {
          await fresh.start();
          unlinkSync(s.path); // after the quick reader, before the pandas profile
          return fresh.preview!(s.path);
        },
      });
      assert.deepEqual(messages.map((m) => m.type), ['preview', 'previewError']);
      assert.equal((messages[1] as { code?: string }).code, 'not-found');
    } finally {
      await fresh.dispose();
    }
  });

  it('a 10,000-column CSV gets a bounded view: 200 profiled columns, 50 in the table, the true width said', async () => {
    const header = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',');
    const row = (r: number) => Array.from({ length: 10_000 }, (_, i) => String((i * r) % 13)).join(',');
    writeFileSync(data.file('wide10k.csv'), [header, ...Array.from({ length: 300 }, (_, r) => row(r))].join('\n') + '\n');
    const q = (await quick(src(data.file('wide10k.csv')))) as QuickResult & { ok: true };
    assert.ok(q.ok, JSON.stringify(q));
    const full = await kernel.preview!(data.file('wide10k.csv'));
    for (const p of [q.preview, full]) {
      assert.deepEqual([p.totalColumns, p.columns.length, p.firstRows?.columns.length], [10_000, 200, 50]);
      assert.ok(Math.abs(p.totalRows - 300) <= 30, `rows ${p.totalRows}`); // estimated when more than 4 MB
      assert.match(p.notes?.join() ?? '', /wide: 10000 columns/);
    }
  });

  it('a 2 GB CSV is profiled from its first rows with an estimated row count', async function () {
    const file = data.file('huge.csv');
    const fd = openSync(file, 'w');
    let rows = 0;
    try {
      writeSync(fd, 'id,region,amount\n');
      let block = '';
      for (let i = 0; i < 40_000; i++) block += `${i},${['east', 'west', '南'][i % 3]},${(i % 1000) / 10}\n`;
      const buf = Buffer.from(block);
      for (let written = 0; written < 2 * 1024 ** 3; written += buf.length, rows += 40_000) writeSync(fd, buf);
    } finally {
      closeSync(fd);
    }
    try {
      const messages = await collect(src(file), kernelReaders(kernel, quick));
      const last = messages.at(-1) as Extract<PreviewMessage, { type: 'preview' }>;
      assert.equal(last.type, 'preview', JSON.stringify(last).slice(0, 300));
      assert.equal(last.preview.totalRowsEstimated, true);
      assert.equal(last.preview.sampleRows, 20_000);
      // From the first 64 KB's line length (short ids): within a factor of 2 of the truth.
      assert.ok(last.preview.totalRows > rows / 2 && last.preview.totalRows < rows * 2, `estimate ${last.preview.totalRows} of ${rows}`);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('a dataset folder: the first part\'s rows with the parts count and total size', async () => {
    const dir = data.file('parts');
    mkdirSync(join(dir, 'year=2024'), { recursive: true });
    writeFileSync(join(dir, 'year=2024', 'a.csv'), 'city,n\n北京,1\n上海,2\n');
    writeFileSync(join(dir, 'year=2024', 'b.csv'), 'city,n\n广州,3\n');
    writeFileSync(join(dir, '_SUCCESS'), '');
    const q = (await quick({ path: dir, name: 'parts/' })) as QuickResult & { ok: true };
    assert.ok(q.ok, JSON.stringify(q));
    const full = await kernel.preview!(dir);
    for (const p of [q.preview, full]) {
      const bytes = Buffer.byteLength('city,n\n北京,1\n上海,2\n') + Buffer.byteLength('city,n\n广州,3\n');
      assert.deepEqual(p.dataset, { parts: 2, totalBytes: bytes, firstPart: 'year=2024/a.csv' });
      assert.deepEqual(p.firstRows?.rows, [['北京', 1], ['上海', 2]]);
      assert.equal(p.name, 'parts');
    }
    const glob = (await quick({ path: join(dir, '*/*.csv'), name: 'parts/*/*.csv' })) as QuickResult & { ok: true };
    assert.equal(glob.preview.dataset?.parts, 2);
    const none = await collect({ path: join(dir, '*.parquet'), name: 'x' }, kernelReaders(kernel, quick));
    assert.deepEqual(none.map((m) => (m as { code?: string }).code), ['dataset']);
  });

  it('an SQLite file: its tables listed, one previewed read-only with its exact row count', async () => {
    const db = data.file('shop.sqlite');
    const made = spawnSync(TEST_PYTHON, ['-c', [
      'import sqlite3, sys',
      'c = sqlite3.connect(sys.argv[1])',
      'c.execute("CREATE TABLE \\"订单 表\\" (id INTEGER, city TEXT, amount REAL)")',
      'c.executemany("INSERT INTO \\"订单 表\\" VALUES (?, ?, ?)", [(i, ["北京", "上海"][i % 2], i * 1.5 if i % 5 else None) for i in range(250)])',
      'c.execute("CREATE VIEW big_orders AS SELECT * FROM \\"订单 表\\" WHERE amount > 100")',
      'c.commit()',
    ].join('\n'), db], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    assert.deepEqual(await sqliteTables({ pythonPath: TEST_PYTHON }, db), ['big_orders', '订单 表']);
    const messages = await collect({ path: db, name: 'shop.sqlite · 订单 表', table: '订单 表' }, { quick });
    assert.equal(messages.length, 1);
    const p = (messages[0] as Extract<PreviewMessage, { type: 'preview' }>).preview;
    assert.deepEqual([p.totalRows, p.totalRowsEstimated, p.table], [250, false, { name: '订单 表', source: 'shop.sqlite' }]);
    assert.deepEqual(p.columns.map((c) => [c.name, c.kind, c.missing]), [['id', 'number', 0], ['city', 'string', 0], ['amount', 'number', 50]]);
    const missing = await collect({ path: db, name: 'x', table: 'nope' }, { quick });
    assert.deepEqual(missing.map((m) => (m as { code?: string }).code), ['database']);
  });
});

describe('radarm preview (CLI, real Python)', function () {
  this.timeout(60_000);
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', '-e', "require('./src/cli/preview').previewCommand(process.argv.slice(1)).then((c) => process.exit(c))", ...args], {
      encoding: 'utf8',
    });
  let data: DataDir;
  before(() => (data = makeDataDir()));
  after(() => data?.cleanup());

  it('prints the column profile of a GBK file as an aligned table, and exits 0', () => {
    const r = run([data.file('sales_gbk.csv'), '--python', TEST_PYTHON]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'sales_gbk.csv: 3 rows × 3 columns');
    assert.match(lines[2], /^column\s+type\s+missing\s+distinct\s+range \/ top values$/);
    assert.match(r.stdout, /\n销售额\s+float64\s+1\s+2\s+100\.5 – 200\.25, mean 150\.375\n/);
    // Chinese names count double: the type column starts at the same display column on every row.
    const at = (l: string) => [...l.slice(0, l.search(/object|float64|type/))].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);
    assert.deepEqual(new Set([lines[2], lines[4], lines[5]].map(at)).size, 1);
  });

  it('a binary .csv: one error line with its code, exit 1', () => {
    writeFileSync(data.file('img.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1]));
    const r = run([data.file('img.csv'), '--python', TEST_PYTHON]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^radarm preview: img\.csv is not a text data file: it looks like a PNG image.*\[binary\]\n$/);
  });
});
