// DataFrame/Series results as bounded, JSON-safe tables from a real Python kernel, and their way into `complete`.
import assert from 'node:assert/strict';
import { isRadarmEvent } from '../../src/protocol/events';
import { isTableData, isTableList, TABLE_LIMITS } from '../../src/protocol/tables';
import { useKernelWithData } from '../fixtures/kernel-data';
import { canWriteLiteral, toPandasCode } from '../../webview/table-format';

describe('kernel: results as tables', function () {
  this.timeout(60_000);
  const { data, kernel } = useKernelWithData({ maxOutputChars: 20_000, load: ['small.csv'] });

  it('sends a DataFrame expression as columns, dtypes, index and rows with numbers as numbers and NaN as null', async () => {
    const r = await kernel.execute(
      'pd.DataFrame({"销售 额": [1.5, float("nan"), 3.0], "n": [1, 2, 3], "s": ["x", None, "z"], "ok": [True, False, True]}, index=["a", "b", "c"])',
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.tables?.length, 1);
    const t = r.tables![0];
    assert.ok(isTableData(t));
    assert.equal(t.kind, 'frame');
    assert.equal(t.source, 'expression');
    assert.deepEqual(t.columns, ['销售 额', 'n', 's', 'ok']);
    assert.deepEqual(t.dtypes, ['float64', 'int64', 'object', 'bool']);
    assert.deepEqual(t.kinds, ['number', 'number', 'string', 'boolean']);
    assert.deepEqual(t.index, ['a', 'b', 'c']);
    assert.deepEqual(t.rows, [
      [1.5, 1, 'x', true],
      [null, 2, null, false],
      [3, 3, 'z', true],
    ]);
    assert.deepEqual([t.totalRows, t.totalColumns], [3, 4]);
    // The text form stays for the model and the CLI.
    assert.match(r.text, /Out:\n/);
    assert.match(r.text, /销售 额/);
  });

  it('sends a Series assigned to result with its name, index name, inf as text and dates as ISO text', async () => {
    const r = await kernel.execute(
      'import datetime\nresult = pd.Series([float("inf"), 2.0, float("-inf")], index=pd.Index([pd.Timestamp("2024-01-02"), pd.NaT, pd.Timestamp("2024-03-04")], name="day"), name="ratio")',
    );
    const t = r.tables![0];
    assert.equal(t.kind, 'series');
    assert.equal(t.source, 'result');
    assert.equal(t.name, 'ratio');
    assert.deepEqual(t.columns, ['ratio']);
    assert.equal(t.indexName, 'day');
    assert.deepEqual(
      t.rows.map((row) => row[0]),
      ['inf', 2, '-inf'],
    );
    assert.equal(t.index[0], '2024-01-02T00:00:00');
    assert.equal(t.index[1], null);
  });

  it('caps rows and columns, keeps the total shape, clips long text and keeps huge integers exact', async () => {
    const r = await kernel.execute(
      'big = pd.DataFrame(np.arange(20_000 * 60).reshape(20_000, 60) % 100)\nbig[0] = big[0].astype(object)\nbig.loc[0, 0] = "x" * 500\nbig[1] = 2**60\nbig',
    );
    const t = r.tables![0];
    assert.equal(t.rows.length, TABLE_LIMITS.rows);
    assert.equal(t.columns.length, TABLE_LIMITS.columns);
    assert.deepEqual([t.totalRows, t.totalColumns], [20_000, 60]);
    assert.equal((t.rows[0][0] as string).length, 200);
    assert.ok((t.clippedCells ?? 0) >= 1);
    assert.equal(t.rows[0][1], '1152921504606846976');
    assert.ok(isTableList(r.tables));
  });

  it('keeps the whole form under its byte budget by sending fewer rows of very wide text', async () => {
    const r = await kernel.execute('pd.DataFrame({f"c{i}": ["y" * 190] * 10_000 for i in range(50)})');
    const t = r.tables![0];
    assert.ok(t.rows.length < 10_000 && t.rows.length > 50, `rows sent: ${t.rows.length}`);
    assert.ok(JSON.stringify(t.rows).length <= 4_100_000);
    assert.equal(t.totalRows, 10_000);
  });

  it('turns frames passed to display() into tables, in order, before the final value, and prints their text', async () => {
    const r = await kernel.execute('display(df.head(1))\ndisplay(df["a"])\nprint("between")\ndf.shape');
    assert.equal(r.tables?.length, 2);
    assert.deepEqual(
      r.tables!.map((t) => [t.source, t.kind]),
      [
        ['display', 'frame'],
        ['display', 'series'],
      ],
    );
    assert.match(r.stdout, /a\s+b\n0\s+1\s+2\n[\s\S]*between/);
    const none = await kernel.execute('x = 1');
    assert.equal(none.tables, undefined, 'a run without frames carries no tables');
  });

  it('Insert as code: the pandas literal written from a table rebuilds the same table when run', async () => {
    const made = await kernel.execute(
      'pd.DataFrame({"城市 名": ["上海", "北京", None], "n": [3, 1, 2], "x": [0.5, float("nan"), float("inf")], "ok": [True, False, True], "d": pd.to_datetime(["2024-01-01", "2024-02-01", None])}, index=pd.Index(["a", "b", "c"], name="k"))',
    );
    const t = made.tables![0];
    assert.ok(canWriteLiteral(t));
    const again = await kernel.execute(toPandasCode(t));
    assert.equal(again.ok, true, again.text);
    const u = again.tables![0];
    assert.deepEqual([u.columns, u.index, u.indexName, u.rows, u.kinds], [t.columns, t.index, t.indexName, t.rows, t.kinds]);
  });

  it('a complete event with tables validates, and a malformed table is rejected', () => {
    const table = {
      kind: 'frame',
      source: 'expression',
      columns: ['a'],
      dtypes: ['int64'],
      kinds: ['number'],
      indexName: null,
      index: [0],
      rows: [[1]],
      totalRows: 1,
      totalColumns: 1,
    };
    const complete = (tables: unknown) => ({
      type: 'complete',
      data: { reply: '', generated_code: null, execution_result: null, image: null, plotly_json: null, tables },
    });
    assert.equal(isRadarmEvent(complete([table])), true);
    assert.equal(isRadarmEvent(complete(undefined)), true);
    assert.equal(isRadarmEvent(complete([{ ...table, rows: [[1, 2]] }])), false, 'row wider than the columns');
    assert.equal(isRadarmEvent(complete([{ ...table, rows: [[{}]] }])), false, 'an object cell');
    assert.equal(isRadarmEvent(complete([{ ...table, totalRows: 0 }])), false, 'fewer total rows than sent');
  });
});
