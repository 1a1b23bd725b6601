// The Preview Data tab's bundle in Chromium under the real CSP: column cards with histograms and top values,
// the first rows as a table, the loading and error states; light and dark.
import * as assert from 'node:assert/strict';
import type { DataPreview } from '../../src/protocol/preview';
import { panelSuite } from './harness';

function samplePreview(): DataPreview {
  return {
    path: '/w/data/sales.csv',
    name: 'sales.csv',
    totalRows: 1_234_567,
    totalRowsEstimated: true,
    totalColumns: 3,
    sampleRows: 20_000,
    sampled: true,
    columns: [
      { name: '地区', dtype: 'object', kind: 'string', missing: 0, distinct: 4, top: [{ value: '华东', count: 9000 }, { value: '华南', count: 6000 }, { value: null, count: 1 }] },
      { name: 'sales amount', dtype: 'float64', kind: 'number', missing: 120, distinct: 18_000, min: 0.5, max: 98_765.4321, mean: 1234.5, histogram: { counts: [5, 40, 300, 0, 12], edges: [0, 1, 2, 3, 4, 5] } },
      { name: 'day', dtype: 'datetime64[ns]', kind: 'datetime', missing: 0, distinct: 365, min: '2024-01-01 00:00:00', max: '2024-12-30 00:00:00' },
    ],
    firstRows: {
      kind: 'frame',
      source: null,
      columns: ['地区', 'sales amount', 'day'],
      dtypes: ['object', 'float64', 'datetime64[ns]'],
      kinds: ['string', 'number', 'datetime'],
      indexName: null,
      index: [0, 1],
      rows: [
        ['华东', 1234.5, '2024-01-01'],
        ['华南', null, '2024-01-02'],
      ],
      totalRows: 1_234_567,
      totalColumns: 3,
    },
  };
}

describe('Preview Data tab in Chromium', function () {
  this.timeout(60_000);
  const suite = panelSuite();

  it('shows the shape, a card per column with histogram bars or top values, and the first rows; light and dark', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const p = await suite.open({ page: 'preview', theme, width: 700, height: 700 });
      await p.host({ type: 'previewLoading', name: 'sales.csv', locale: 'en' });
      await p.frames();
      assert.match(await p.page.locator('.preview-status').innerText(), /Reading sales\.csv/);
      await p.host({ type: 'preview', preview: samplePreview(), ms: 321.4 });
      await p.frames();
      assert.match(await p.page.locator('.preview-header').innerText(), /≈1,234,567 rows × 3 columns · profile of the first 20,000 rows · 321 ms/);
      assert.equal(await p.page.locator('.column-card').count(), 3);
      const sales = p.page.locator('.column-card').nth(1);
      assert.match(await sales.innerText(), /120 missing \(0\.6%\)[\s\S]*18,000 distinct[\s\S]*range 0\.5 – 98,765\.43[\s\S]*mean 1,234\.5/);
      // Five bins, the empty one drawn with no height, the tallest filling the box.
      const heights = await sales.locator('.histogram rect').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
      assert.deepEqual(heights.map((h) => Math.round(h)), [1, 4, 28, 0, 1]);
      assert.deepEqual(await p.page.locator('.column-card').nth(0).locator('.top-label').allInnerTexts(), ['华东', '华南', '—']);
      assert.equal(await p.page.locator('.data-table tbody tr:not(.spacer-row)').count(), 2);
      await p.screenshot(`preview-${theme}`);
    }
  });

  it('shows the quick first screen with a loading note, then the full profile in place (no flash of the loading state)', async () => {
    const p = await suite.open({ page: 'preview', theme: 'dark', width: 900, height: 700 });
    await p.host({ type: 'previewLoading', name: 'sales.csv', locale: 'en' });
    const quick = samplePreview();
    quick.sampleRows = 2000;
    await p.host({ type: 'preview', preview: quick, ms: 95, stage: 'quick' });
    await p.frames();
    assert.match(await p.page.locator('.preview-stage').innerText(), /First rows shown; the full profile is loading/);
    assert.equal(await p.page.locator('main.preview').getAttribute('aria-busy'), 'true');
    assert.match(await p.page.locator('.preview-header').innerText(), /profile of the first 2,000 rows · 95 ms/);
    // The page records every mutation of the header from now on: the full profile must replace, not blank, it.
    await p.page.evaluate(() => {
      const w = window as unknown as { __blanked: boolean };
      w.__blanked = false;
      new MutationObserver(() => (w.__blanked ||= !document.querySelector('.preview-header'))).observe(document.body, { childList: true, subtree: true });
    });
    await p.host({ type: 'preview', preview: samplePreview(), ms: 640, stage: 'full' });
    await p.frames();
    assert.equal(await p.page.locator('.preview-stage').count(), 0);
    assert.match(await p.page.locator('.preview-header').innerText(), /profile of the first 20,000 rows · 640 ms/);
    assert.equal(await p.page.evaluate(() => (window as unknown as { __blanked: boolean }).__blanked), false);
  });

  it('an error after the first screen keeps the rows shown and says what failed, with its code', async () => {
    const p = await suite.open({ page: 'preview', theme: 'light' });
    await p.host({ type: 'preview', preview: samplePreview(), ms: 80, stage: 'quick' });
    await p.host({ type: 'previewError', name: 'sales.csv', message: 'sales.csv: file not found (it was moved or deleted while it was read)', code: 'not-found' });
    await p.frames();
    assert.match(await p.page.getByRole('alert').innerText(), /file not found[\s\S]*not-found/);
    assert.equal(await p.page.locator('.column-card').count(), 3);
    assert.equal(await p.page.locator('.preview-stage').count(), 0, 'no endless loading note');
  });

  it('a dataset and a wide frame with a Chinese column: parts and size in the header, notes, screenshots light and dark', async () => {
    const wide: DataPreview = {
      ...samplePreview(),
      name: 'sales_parts/',
      totalColumns: 60,
      dataset: { parts: 12, totalBytes: 1_288_490_189, firstPart: 'year=2024/part-0001.csv' },
      notes: ['decimal comma'],
      columns: Array.from({ length: 60 }, (_, i) =>
        i % 3 === 0
          ? { name: i === 0 ? '销售额（人民币，含税）' : `指标_${i}`, dtype: 'float64', kind: 'number' as const, missing: i, distinct: 900 + i, min: -i, max: 1000 * i, mean: 12.5 * i, histogram: { counts: [1, 3, 7, 12, 9, 4, 2, 1], edges: [0, 1, 2, 3, 4, 5, 6, 7, 8] } }
          : { name: `column_with_a_rather_long_name_${i}`, dtype: 'object', kind: 'string' as const, missing: 0, distinct: 3, top: [{ value: '华东地区', count: 40 }, { value: 'Zürich', count: 30 }] },
      ),
      firstRows: {
        ...samplePreview().firstRows!,
        columns: Array.from({ length: 50 }, (_, i) => (i === 0 ? '销售额（人民币，含税）' : `column_${i}`)),
        dtypes: Array.from({ length: 50 }, () => 'object'),
        kinds: Array.from({ length: 50 }, () => 'string' as const),
        rows: [Array.from({ length: 50 }, (_, i) => `值 ${i}`), Array.from({ length: 50 }, (_, i) => `value ${i}`)],
        totalColumns: 60,
      },
    };
    for (const theme of ['light', 'dark'] as const) {
      const p = await suite.open({ page: 'preview', theme, width: 1000, height: 760 });
      await p.host({ type: 'preview', preview: wide, ms: 410, stage: 'full' });
      await p.frames();
      const header = await p.page.locator('.preview-header').innerText();
      assert.match(header, /12 parts, 1\.2 GB \(first part: year=2024\/part-0001\.csv\)/);
      assert.match(header, /decimal comma/);
      assert.equal(await p.page.locator('.column-card').count(), 60);
      // The table scrolls sideways inside the page; the page itself does not.
      assert.equal(await p.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
      await p.screenshot(`preview-wide-${theme}`);
      await p.page.locator('.data-table').scrollIntoViewIfNeeded();
      await p.screenshot(`preview-wide-table-${theme}`);
    }
  });

  it('shows a load failure as an alert, and ignores malformed messages', async () => {
    const p = await suite.open({ page: 'preview', locale: 'zh-cn' });
    await p.host({ type: 'preview', preview: { name: 'x' }, ms: 1 });
    await p.host({ type: 'previewError', name: 'img.csv', message: 'img.csv is not a text data file: it looks like a PNG image' });
    await p.frames();
    assert.match(await p.page.getByRole('alert').innerText(), /无法预览 img\.csv：img\.csv is not a text data file/);
  });
});
