// Loading data files into a real Python kernel: encodings, delimiters, Excel sheets, JSON, errors, profiles,
// and the mtime cache.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import type { DataProfile } from '../../src/kernel';
import { useKernelWithData } from '../fixtures/kernel-data';

describe('kernel: data loading', function () {
  this.timeout(60_000);
  const { data, kernel } = useKernelWithData({ warmup: false });

  /** Loads the files and evaluates a Python expression against them. */
  async function evalWith(files: string[], expr: string): Promise<{ profile: DataProfile; value: string | undefined }> {
    const profile = await kernel.loadData(files.map((f) => data.file(f)));
    const r = await kernel.execute(expr);
    assert.ok(r.ok, r.text);
    return { profile, value: r.value };
  }

  it('reads a GBK CSV with Chinese headers into df', async () => {
    const { profile, value } = await evalWith(['sales_gbk.csv'], 'list(df.columns) + [df["城市"][0], float(df["销售额"].sum())]');
    assert.equal(value, "['城市', '销售额', '日期', '北京', 300.75]");
    assert.equal(profile.files[0].encoding, 'gb18030');
    assert.equal(profile.files[0].rows, 3);
    assert.deepEqual(profile.variables.slice(0, 2), ['df', 'dfs["sales_gbk.csv"]']);
    assert.match(profile.text, /### sales_gbk\.csv → df/);
    assert.match(profile.text, /销售额 \(float64, 1 null\)/, 'null counts per column');
    assert.match(profile.text, /日期 \(object, dates as text\)/);
    assert.match(profile.text, /北京/, 'sample rows');
    assert.match(profile.text, /numeric summary/);
  });

  it('strips a UTF-8 BOM from the first header', async () => {
    const { profile, value } = await evalWith(['bom.csv'], 'list(df.columns)');
    assert.equal(value, "['name', 'score']");
    assert.equal(profile.files[0].encoding, 'utf-8-sig');
  });

  it('sniffs semicolons and decimal commas', async () => {
    const { profile, value } = await evalWith(['semicolon.csv'], 'str(df["price"].dtype), float(df["price"].sum())');
    assert.equal(value, "('float64', 4.5)");
    assert.equal(profile.files[0].delimiter, ';');
  });

  it('falls back to a Western encoding for Latin-1 text', async () => {
    const { value } = await evalWith(['latin1.csv'], 'df["ville"].tolist()');
    assert.equal(value, "['Montréal', 'Québec']");
  });

  it('reads TSV by its tabs', async () => {
    const { profile, value } = await evalWith(['data.tsv'], 'df.shape');
    assert.equal(value, '(2, 3)');
    assert.equal(profile.files[0].delimiter, '\t');
  });

  it('reads JSON Lines and JSON records under a key', async () => {
    const { profile, value } = await evalWith(
      ['events.jsonl', 'records.json'],
      'dfs["events.jsonl"].shape, list(dfs["records.json"]["name"]), df is dfs["events.jsonl"]',
    );
    assert.equal(value, "((4, 2), ['x', 'y'], True)");
    assert.match(profile.text, /### events\.jsonl → df \(also dfs\["events\.jsonl"\]\)/);
    assert.match(profile.text, /records under key 'items'/);
  });

  it('makes every Excel sheet reachable and documents them in the profile', async () => {
    const { profile, value } = await evalWith(
      ['book.xlsx'],
      'df.shape, dfs["book.xlsx:Detail"].shape, dfs["book.xlsx:Summary"] is df, dfs["book.xlsx"] is df',
    );
    assert.equal(value, '((2, 2), (5, 3), True, True)');
    assert.deepEqual(profile.files[0].sheets, ['Summary', 'Detail']);
    assert.ok(profile.variables.includes('dfs["book.xlsx:Detail"]'), profile.variables.join(' '));
    assert.match(profile.text, /2 sheets \(Summary, Detail\)/);
    assert.match(profile.text, /sheet "Detail" → dfs\["book\.xlsx:Detail"\]/);
  });

  it('reports what to install for Parquet, and unsupported or missing files, without failing the others', async () => {
    const profile = await kernel.loadData(['broken.parquet', 'notes.xyz', 'missing.csv', 'small.csv'].map((f) => data.file(f)));
    const [parquet, xyz, missing, small] = profile.files;
    assert.match(parquet.error ?? '', /needs pyarrow or fastparquet: run `.*python3? -m pip install pyarrow`/);
    assert.match(xyz.error ?? '', /unsupported file type \.xyz/);
    assert.match(missing.error ?? '', /cannot read .*missing\.csv/);
    assert.equal(small.error, undefined);
    assert.equal(small.rows, 3);
    // The first file that loaded becomes df.
    const r = await kernel.execute('df.shape, sorted(dfs)');
    assert.equal(r.value, "((3, 2), ['small.csv'])");
    assert.match(profile.text, /broken\.parquet: not loaded: .*pyarrow/);
  });

  it('keeps the profile of a 300-column table within about 4 KB', async () => {
    const profile = await kernel.loadData([data.file('wide.csv')]);
    const section = profile.text.slice(profile.text.indexOf('### wide.csv'));
    assert.ok(section.length <= 4200, `profile section is ${section.length} chars`);
    assert.match(section, /… and \d+ more columns/);
    assert.match(section, /300 columns/);
  });

  it('does not reload an unchanged file, reloads a changed one, and re-binds df each time', async () => {
    const file = data.file('small.csv');
    const first = await kernel.loadData([file]);
    const again = await kernel.loadData([file]);
    assert.equal(again.files[0].cached, true, 'second load of the same file is served from memory');
    assert.equal(again.files[0].loadMs, first.files[0].loadMs, 'the recorded read time is the original one');
    await kernel.execute('df = None');
    await kernel.loadData([file]);
    assert.equal((await kernel.execute('df.shape')).value, '(3, 2)', 'df is bound to the file again');

    writeFileSync(file, 'a,b\n1,2\n3,4\n5,6\n7,8\n');
    const future = new Date(Date.now() + 5000);
    utimesSync(file, future, future);
    const changed = await kernel.loadData([file]);
    assert.equal(changed.files[0].cached, false);
    assert.equal(changed.files[0].rows, 4);
    assert.equal((await kernel.execute('len(df)')).value, '4');
  });

  it('names frames by file name, Chinese names included, and by relative path when names clash', async () => {
    mkdirSync(data.file('north'), { recursive: true });
    mkdirSync(data.file('south'), { recursive: true });
    copyFileSync(data.file('small.csv'), data.file('north/x.csv'));
    copyFileSync(data.file('bom.csv'), data.file('south/x.csv'));
    copyFileSync(data.file('sales_gbk.csv'), data.file('销售.csv'));
    const profile = await kernel.loadData(['销售.csv', 'north/x.csv', 'south/x.csv']);
    assert.deepEqual(profile.variables, ['df', 'dfs["销售.csv"]', 'dfs["north/x.csv"]', 'dfs["south/x.csv"]']);
    const r = await kernel.execute('sorted(dfs), dfs["south/x.csv"].columns[0], df is dfs["销售.csv"]');
    assert.equal(r.value, "(['north/x.csv', 'south/x.csv', '销售.csv'], 'name', True)");
  });

  it('coalesces concurrent identical loads', async () => {
    const files = [data.file('bom.csv')];
    const [a, b] = [kernel.loadData(files), kernel.loadData(files)];
    assert.equal(a, b, 'the same pending promise');
    await a;
  });
});
