// Code that runs on its own: the prelude made from how the real kernel read each file, run by a fresh
// /usr/bin/python3 from another folder, gives the same values as the code did in the kernel.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { dataFilesForCode, dataFilesOf, isGeneratedCode, preludeFor, withPrelude } from '../../src/agent/prelude';
import { conversationToNotebook } from '../../src/agent/notebook';
import type { RadarmEvent } from '../../src/protocol/events';
import { stripModelNotes } from '../../src/agent/model-notes';
import type { DataFileRead } from '../../src/protocol/events';
import { TEST_PYTHON, useKernelWithData } from '../fixtures/kernel-data';

describe('prelude: exported code reads the data as the kernel did', function () {
  this.timeout(60_000);
  const { data, kernel } = useKernelWithData({ warmup: false });

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

  it('Copy and Insert find the files of the turn that made the code; answers are copied as they are', () => {
    const a: DataFileRead[] = [{ path: '/w/a.csv', key: 'a.csv', read: { func: 'read_csv', kwargs: {} } }];
    const b: DataFileRead[] = [{ path: '/w/b.csv', key: 'b.csv', read: { func: 'read_csv', kwargs: {} } }];
    const turn = (code: string, files?: DataFileRead[]) => ({
      events: [{ type: 'complete', data: { reply: 'r', generated_code: code, execution_result: null, image: null, plotly_json: null, ...(files ? { data_files: files } : {}) } }, { type: 'done' }] as RadarmEvent[],
    });
    const turns = [turn('x = df.a', a), turn('y = df.b', b), turn('z = 1')];
    assert.deepEqual(dataFilesForCode(turns, 'x = df.a\n'), a);
    assert.deepEqual(dataFilesForCode(turns, 'something else'), b, 'else the latest files');
    assert.equal(isGeneratedCode(turns, 'y = df.b'), true);
    assert.equal(isGeneratedCode(turns, 'The answer is 3.'), false);
  });

  it('the notebook reads the data again only where a turn used other files, and keeps model notes out', () => {
    const a: DataFileRead[] = [{ path: '/w/data/a.csv', key: 'a.csv', read: { func: 'read_csv', kwargs: { encoding: 'gb18030', sep: ',' } } }];
    const b: DataFileRead[] = [{ path: '/w/data/b.xlsx', key: 'b.xlsx', read: { func: 'read_excel', kwargs: { sheet_name: null } } }];
    const turn = (q: string, code: string, files: DataFileRead[], out: string) => ({
      question: q,
      events: [{ type: 'complete', data: { reply: 'ok', generated_code: code, execution_result: out, image: null, plotly_json: null, data_files: files } }, { type: 'done' }] as RadarmEvent[],
    });
    const nb = conversationToNotebook(
      [
        turn('q1', 'df.head()', a, 'Out: 1\n[1 matplotlib chart (PNG) shown to the user]'),
        turn('q2', 'df.sum()', a, '(1 chart)'),
        turn('q3', 'px.bar(df)', b, 'Out: 3'),
      ],
      { notebookDir: '/w/notebooks' },
    ) as any;
    const code = nb.cells.filter((c: any) => c.cell_type === 'code').map((c: any) => c.source.join(''));
    assert.deepEqual(code, [
      'import pandas as pd\nimport plotly.express as px\n\n# The data, read as Radarm read it\ndf = pd.read_csv("../data/a.csv", encoding="gb18030")',
      'df.head()',
      'df.sum()',
      '# The data, read as Radarm read it\ndf = pd.read_excel("../data/b.xlsx")',
      'px.bar(df)',
    ]);
    const outputs = nb.cells.filter((c: any) => c.cell_type === 'code').map((c: any) => (c.outputs ?? []).map((o: any) => o.text?.join('')));
    assert.deepEqual(outputs, [[], ['Out: 1'], [], [], ['Out: 3']], 'no model notes, no placeholders');
  });

  it('a dataset read with Dask: the prelude creates the same client, then reads the parts with dd (no pandas load)', () => {
    const files = [
      {
        path: '/w/exports',
        key: 'exports',
        read: { func: 'dask.dataframe.read_csv', kwargs: { encoding: 'gb18030', sep: ';' }, pattern: '/w/exports/*.csv', scheduler: 'tcp://10.0.0.5:8786' },
      },
    ] as unknown as DataFileRead[];
    const prelude = preludeFor('df.groupby("region").sales.sum().compute()', files, { baseDir: '/w' });
    assert.match(prelude, /import dask\.dataframe as dd/);
    assert.match(prelude, /client = Client\("tcp:\/\/10\.0\.0\.5:8786"\)/);
    assert.match(prelude, /df = dd\.read_csv\("exports\/\*\.csv", encoding="gb18030", sep=";"\)/);
    assert.ok(prelude.indexOf('client =') < prelude.indexOf('df = dd.'), 'the client comes before the read');
    assert.doesNotMatch(prelude, /pd\.read_csv/);
  });

  it('notes meant for the model are dropped from what the user sees', () => {
    assert.equal(stripModelNotes('Out: 3\n[1 matplotlib chart (PNG) shown to the user]'), 'Out: 3');
    assert.equal(stripModelNotes('[2 matplotlib charts (PNG) and 1 Plotly chart shown to the user]'), '');
    assert.equal(stripModelNotes('a [not a note] b'), 'a [not a note] b');
  });
});
