// Result tables in the real panel bundle in Chromium: render, sort (mouse and keyboard), copy, insert,
// 10,000 rows with a bounded DOM, light and dark at 300 px.
import * as assert from 'node:assert/strict';
import type { RadarmEvent } from '../../src/protocol/events';
import type { TableData } from '../../src/protocol/tables';
import { panelState, panelSuite, stream, turnRecord, type OpenOptions, type Panel } from './harness';

function salesTable(): TableData {
  return {
    kind: 'frame',
    source: 'expression',
    columns: ['地区', 'sales amount', 'share', 'ok'],
    dtypes: ['object', 'float64', 'float64', 'bool'],
    kinds: ['string', 'number', 'number', 'boolean'],
    indexName: null,
    index: [0, 1, 2, 3],
    rows: [
      ['华东', 1234567.891, 0.41234, true],
      ['华南', 98765.4, 0.0321, false],
      ['West, "big"', null, 0.5, true],
      ['华北', 5000, 0.056, true],
    ],
    totalRows: 4,
    totalColumns: 4,
  };
}

function bigTable(n: number): TableData {
  return {
    kind: 'frame',
    source: 'result',
    columns: ['id', 'value', 'label', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11'],
    dtypes: ['int64', 'float64', 'object', ...Array(9).fill('int64')],
    kinds: ['number', 'number', 'string', ...Array(9).fill('number')],
    indexName: 'row',
    index: Array.from({ length: n }, (_, i) => i),
    rows: Array.from({ length: n }, (_, i) => [i, ((i * 7919) % 10007) / 7, `item ${i}`, ...Array(9).fill(i * 1000)]),
    totalRows: 250_000,
    totalColumns: 12,
  };
}

function tableTurn(tables: TableData[], code = 'df.groupby("地区")["sales amount"].sum()'): RadarmEvent[] {
  return [
    { type: 'content', stage: 'response', content: 'Here is the table.' },
    {
      type: 'complete',
      data: { reply: 'Here is the table.', generated_code: code, execution_result: 'Out: …', image: null, plotly_json: null, tables },
    },
    { type: 'done' },
  ];
}

describe('result tables in Chromium', function () {
  this.timeout(60_000);
  const suite = panelSuite();

  async function panelWith(tables: TableData[], opts: OpenOptions = {}): Promise<Panel> {
    const p = await suite.open(opts);
    await p.host({ type: 'init', state: panelState(opts.locale ? { locale: opts.locale } : {}) });
    await p.host({ type: 'turnStart', turn: turnRecord('t1', 'sales by region') });
    await stream(p, 't1', tableTurn(tables));
    await p.host({ type: 'turnEnd', turnId: 't1' });
    await p.frames();
    return p;
  }

  const column = (p: Panel, j: number) =>
    p.page.$$eval(`.data-table tbody tr:not(.spacer-row) > :nth-child(${j + 2})`, (cells) => cells.map((c) => (c as HTMLElement).innerText));

  it('renders the table with its shape, locale-aware numbers and missing values, light and dark at 300 px', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const p = await panelWith([salesTable()], { theme, width: 300 });
      assert.equal(await p.page.locator('.data-table').count(), 1);
      assert.match(await p.page.locator('.data-table .table-notes').innerText(), /4 rows × 4 columns/);
      assert.deepEqual(await column(p, 0), ['华东', '华南', 'West, "big"', '华北']);
      assert.deepEqual(await column(p, 1), ['1,234,567.89', '98,765.4', '', '5,000']);
      assert.deepEqual(await column(p, 2), ['0.4123', '0.0321', '0.5', '0.056']);
      assert.equal(await p.page.locator('.data-table td.cell-null').count(), 1);
      // A wide table scrolls inside its own box; the panel itself does not scroll sideways.
      const wide = await p.page.$eval('.table-scroll', (el) => el.scrollWidth > el.clientWidth);
      assert.equal(wide, true);
      assert.equal(await p.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
      await p.screenshot(`table-300-${theme}`);
    }
  });

  it('folds the text output under the table (the same frame is not shown twice) and opens it on request', async () => {
    const p = await panelWith([salesTable()]);
    const toggle = p.page.locator('.output-artifact').getByRole('button', { name: 'Output' });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await p.page.locator('.artifact .output').count(), 0, 'the text form is folded');
    await toggle.click();
    await p.page.locator('.artifact .output pre').waitFor();
    assert.match(await p.page.locator('.artifact .output pre').innerText(), /Out: …/);
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  });

  it('formats numbers with Chinese locale conventions and labels the shape in Chinese', async () => {
    const p = await panelWith([salesTable()], { locale: 'zh-cn', width: 300 });
    assert.match(await p.page.locator('.data-table .table-notes').innerText(), /4 行 × 4 列/);
    assert.equal((await column(p, 1))[0], '1,234,567.89');
  });

  it('sorts by a header click (ascending, descending, off) and by keyboard, missing values last', async () => {
    const p = await panelWith([salesTable()]);
    const header = p.page.locator('.data-table thead th').nth(2);
    await header.locator('button').click();
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    assert.deepEqual(await column(p, 1), ['5,000', '98,765.4', '1,234,567.89', '']);
    await header.locator('button').click();
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    assert.deepEqual(await column(p, 1), ['1,234,567.89', '98,765.4', '5,000', '']);
    await header.locator('button').click();
    assert.equal(await header.getAttribute('aria-sort'), 'none');
    assert.deepEqual(await column(p, 0), ['华东', '华南', 'West, "big"', '华北']);
    // Keyboard: focus the text column's header and press Enter.
    await p.page.locator('.data-table thead th').nth(1).locator('button').focus();
    await p.page.keyboard.press('Enter');
    assert.equal(await p.page.locator('.data-table thead th').nth(1).getAttribute('aria-sort'), 'ascending');
    assert.equal((await column(p, 0)).length, 4);
  });

  it('copies the rows as TSV and CSV (in the sorted order, CSV quoted) and inserts pandas code that rebuilds it', async () => {
    const p = await panelWith([salesTable()]);
    await p.page.locator('.data-table thead th').nth(2).locator('button').click();
    await p.page.getByRole('button', { name: /Copy as TSV/ }).click();
    const tsv = (await p.waitForPosted('copy')).text as string;
    assert.equal(tsv.split('\n')[0], '\t地区\tsales amount\tshare\tok');
    assert.equal(tsv.split('\n')[1], '3\t华北\t5000\t0.056\ttrue');
    await p.page.getByRole('button', { name: 'Copy as CSV' }).click();
    await p.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'copy').length === 2);
    const csv = (await p.posted()).filter((m) => m.type === 'copy')[1].text as string;
    assert.match(csv, /^,地区,sales amount,share,ok\n/);
    assert.match(csv, /\n2,"West, ""big""",,0.5,true\n$/);
    await p.page.getByRole('button', { name: /Insert as code/ }).click();
    const code = (await p.waitForPosted('insertCode')).code as string;
    assert.match(code, /pd\.DataFrame\(\{\n {4}"地区": \["华东", "华南", "West, \\"big\\"", "华北"\],/);
    assert.match(code, /"sales amount": \[1234567\.891, 98765\.4, None, 5000\]/);
    assert.match(code, /"ok": \[True, False, True, True\]/);
    assert.doesNotMatch(code, /index=/, 'a 0..n-1 index is left to pandas');
  });

  it('keeps 10,000 rows smooth: a bounded number of DOM rows while scrolling to the end, and Insert gives the code', async () => {
    const p = await panelWith([bigTable(10_000)]);
    const domRows = () => p.page.locator('.data-table tbody tr:not(.spacer-row)').count();
    assert.ok((await domRows()) <= 40, `DOM rows at the top: ${await domRows()}`);
    assert.match(await p.page.locator('.data-table .table-notes').innerText(), /250,000 rows × 12 columns · first 10,000 rows shown/);
    const started = Date.now();
    for (const fraction of [0.25, 0.5, 1]) {
      await p.page.$eval('.table-scroll', (el, f) => (el.scrollTop = el.scrollHeight * f), fraction);
      await p.frames();
      assert.ok((await domRows()) <= 40, `DOM rows after scrolling to ${fraction}: ${await domRows()}`);
    }
    const lastIndex = await p.page.locator('.data-table tbody tr:not(.spacer-row) th').last().innerText();
    assert.equal(lastIndex, '9,999');
    assert.ok(Date.now() - started < 5000, 'scrolling 10,000 rows took under 5 s in total');
    // Sorting 10,000 rows descending by id puts 9,999 first.
    await p.page.$eval('.table-scroll', (el) => (el.scrollTop = 0));
    await p.page.locator('.data-table thead th').nth(1).locator('button').click();
    await p.page.locator('.data-table thead th').nth(1).locator('button').click();
    assert.equal((await column(p, 0))[0], '9,999');
    await p.page.getByRole('button', { name: /Insert as code/ }).click();
    assert.equal((await p.waitForPosted('insertCode')).code, 'df.groupby("地区")["sales amount"].sum()');
  });
});
