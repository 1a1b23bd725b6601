// Code that runs on its own: the prelude made from how the real kernel read each file, run by a fresh
// /usr/bin/python3 from another folder, gives the same values as the code did in the kernel.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createKernel, type PythonKernel } from '../../src/kernel';
import { dataFilesOf, preludeFor, withPrelude } from '../../src/agent/prelude';
import { stripModelNotes } from '../../src/agent/model-notes';
import type { DataFileRead } from '../../src/protocol/events';
import { makeDataDir, TEST_PYTHON, type DataDir } from '../fixtures/kernel-data';

describe('prelude: exported code reads the data as the kernel did', function () {
  this.timeout(60_000);
  let data: DataDir;
  let kernel: PythonKernel;

  before(async () => {
    data = makeDataDir();
    kernel = createKernel({ cwd: data.dir, pythonPath: TEST_PYTHON, warmup: false });
    await kernel.start();
  });
  after(async () => {
    await kernel?.dispose();
    data?.cleanup();
  });

  /** The expression's repr in the kernel, and in a fresh Python running prelude + code from `runDir`. */
  async function both(files: string[], code: string, runDir: string) {
    const profile = await kernel.loadData(files.map((f) => data.file(f)));
    const reads = dataFilesOf(profile).data_files ?? [];
    assert.equal(reads.length, files.length, JSON.stringify(profile.files));
    const inKernel = await kernel.execute(`${code}\nprint(repr(answer))`);
    assert.ok(inKernel.ok, inKernel.text);
    const script = withPrelude(`${code}\nprint(repr(answer))\n`, reads, { baseDir: runDir });
    mkdirSync(runDir, { recursive: true });
    writeFileSync(path.join(runDir, 'analysis.py'), script);
    const fresh = execFileSync(TEST_PYTHON, ['analysis.py'], { cwd: runDir, encoding: 'utf8', env: { ...process.env, MPLBACKEND: 'Agg' } });
    return { kernel: inKernel.stdout.trim(), fresh: fresh.trim(), script, reads };
  }

  it('a GBK CSV: the prelude names gb18030 and a path relative to the run folder', async () => {
    const r = await both(['sales_gbk.csv'], 'answer = (list(df.columns), float(df["销售额"].sum()))', path.join(data.dir, 'scripts'));
    assert.equal(r.fresh, r.kernel);
    assert.match(r.script, /^import pandas as pd$/m);
    assert.match(r.script, /df = pd\.read_csv\("\.\.\/sales_gbk\.csv", encoding="gb18030"\)/);
    assert.deepEqual(r.reads[0].read, { func: 'read_csv', kwargs: { encoding: 'gb18030', sep: ',' } });
  });

  it('semicolons and decimal commas, a UTF-8 BOM, Latin-1, a TSV: each read the same way', async () => {
    const r = await both(
      ['semicolon.csv', 'bom.csv', 'latin1.csv', 'data.tsv'],
      'answer = [float(dfs["semicolon.csv"]["price"].sum()), list(dfs["bom.csv"].columns), dfs["latin1.csv"]["ville"].tolist(), int(dfs["data.tsv"]["c"].sum()), df.shape]',
      data.dir,
    );
    assert.equal(r.fresh, r.kernel);
    assert.match(r.script, /sep=";", decimal=","/);
    assert.match(r.script, /encoding="utf-8-sig"/);
    assert.match(r.script, /sep="\\t"/);
    assert.match(r.script, /^df = dfs\["semicolon\.csv"\]$/m);
  });

  it('Excel with every sheet in dfs, JSON records under a key, JSON Lines', async () => {
    const r = await both(
      ['book.xlsx', 'records.json', 'events.jsonl'],
      'answer = [int(df["total"].sum()), sorted(k for k in dfs if ":" in k), dfs["records.json"]["name"].tolist(), dfs["events.jsonl"]["n"].tolist()]',
      path.join(data.dir, 'out'),
    );
    assert.equal(r.fresh, r.kernel);
    assert.match(r.script, /sheet_name=None/);
    assert.match(r.script, /^import json$/m);
  });

  it('leaves out what the target already has, and adds the chart libraries the code uses', () => {
    const reads: DataFileRead[] = [{ path: '/w/data/s.csv', key: 's.csv', read: { func: 'read_csv', kwargs: { encoding: 'gb18030', sep: ';' } } }];
    const code = 'fig, ax = plt.subplots()\nfig2 = px.bar(df)\nnp.mean([1])\n';
    const full = preludeFor(code, reads, { baseDir: '/w' });
    assert.equal(
      full,
      'import pandas as pd\nimport numpy as np\nimport matplotlib.pyplot as plt\nimport plotly.express as px\n\n' +
        '# The data, read as Radarm read it\ndf = pd.read_csv("data/s.csv", encoding="gb18030", sep=";")\n\n',
    );
    assert.equal(preludeFor(code, reads, { baseDir: '/w', existing: `# my analysis\n${full}\nprint(1)` }), '', 'all there: nothing');
    assert.equal(
      preludeFor(code, reads, { baseDir: '/w', existing: 'import pandas as pd\nimport numpy as np\n' }),
      'import matplotlib.pyplot as plt\nimport plotly.express as px\n\n# The data, read as Radarm read it\ndf = pd.read_csv("data/s.csv", encoding="gb18030", sep=";")\n\n',
    );
    assert.equal(preludeFor('x = 3', reads, { baseDir: '/w' }), '', 'code that does not use the data: nothing');
    assert.match(preludeFor('x = df', reads, { baseDir: '/elsewhere/deep/down/here' }), /"\/w\/data\/s\.csv"/, 'far away: absolute path');
  });

  it('notes meant for the model are dropped from what the user sees', () => {
    assert.equal(stripModelNotes('Out: 3\n[1 matplotlib chart (PNG) shown to the user]'), 'Out: 3');
    assert.equal(stripModelNotes('[2 matplotlib charts (PNG) and 1 Plotly chart shown to the user]'), '');
    assert.equal(stripModelNotes('a [not a note] b'), 'a [not a note] b');
  });
});
