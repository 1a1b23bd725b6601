// Radarm: Preview Data in a real Python kernel: per-column type, missing, distinct, min/max, histogram, top values,
// first rows; a big CSV is profiled from its first rows with an estimated total.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel, type PythonKernel } from '../../src/kernel';
import { TEST_PYTHON } from '../fixtures/kernel-data';

describe('kernel: Preview Data', function () {
  this.timeout(60_000);
  let dir: string;
  let kernel: PythonKernel;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'radarm-preview-'));
    kernel = createKernel({ cwd: dir, pythonPath: TEST_PYTHON });
  });
  after(async () => {
    await kernel?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('profiles each column and sends the first rows as a table', async () => {
    writeFileSync(
      join(dir, 'sales.csv'),
      '地区,sales,day\n华东,10,2024-01-01\n华南,20,2024-01-02\n华东,,2024-01-03\n华北,40,2024-01-04\n华东,50,2024-01-05\n',
    );
    const p = await kernel.preview!('sales.csv');
    assert.equal(p.name, 'sales.csv');
    assert.deepEqual([p.totalRows, p.totalColumns, p.totalRowsEstimated, p.sampled], [5, 3, false, false]);
    const [region, sales, day] = p.columns;
    assert.deepEqual([region.kind, region.missing, region.distinct], ['string', 0, 3]);
    assert.deepEqual(region.top?.[0], { value: '华东', count: 3 });
    assert.deepEqual([sales.kind, sales.missing, sales.distinct, sales.min, sales.max, sales.mean], ['number', 1, 4, 10, 50, 30]);
    assert.equal(sales.histogram?.counts.reduce((a, b) => a + b, 0), 4);
    assert.equal(sales.histogram?.edges.length, (sales.histogram?.counts.length ?? 0) + 1);
    assert.equal(day.distinct, 5);
    assert.deepEqual(p.firstRows?.columns, ['地区', 'sales', 'day']);
    assert.deepEqual(p.firstRows?.rows[2], ['华东', null, '2024-01-03']);
  });

  it('profiles a big CSV from its first rows and estimates the total row count', async () => {
    const lines = ['id,v'];
    for (let i = 0; i < 60_000; i++) lines.push(`${i},${i % 7}`);
    writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
    const p = await kernel.preview!(join(dir, 'big.csv'));
    assert.equal(p.sampled, true);
    assert.equal(p.totalRowsEstimated, true);
    assert.equal(p.sampleRows, 20_000);
    assert.ok(Math.abs(p.totalRows - 60_000) / 60_000 < 0.25, `estimate ${p.totalRows}`);
    assert.equal(p.columns[1].distinct, 7);
    assert.equal(p.firstRows?.rows.length, 100);
  });

  it('fails with a clear message for a missing or binary file, and the kernel keeps working', async () => {
    await assert.rejects(kernel.preview!('nope.csv'), /nope\.csv: file not found/);
    writeFileSync(join(dir, 'img.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2]));
    await assert.rejects(kernel.preview!('img.csv'), /img\.csv.*PNG/);
    const r = await kernel.execute('1 + 1');
    assert.equal(r.value, '2');
  });
});
