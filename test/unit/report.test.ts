// Reports: the shared turn model, the HTML and Markdown builders (pure), and `radarm chat --save-report`
// through the bundled CLI against the fake LLM server and the real kernel.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RadarmEvent } from '../../src/protocol/events';
import type { TurnRecord } from '../../src/protocol/messages';
import { buildReport, reportFormatOf } from '../../src/report';
import { outputBlocks } from '../../src/report/output-blocks';
import { exportTurns } from '../../src/report/turns';
import { parseCliArgs } from '../../src/cli/args';
import { importsFor } from '../../src/agent/prelude';
import { startFakeLlmServer, textSteps, type FakeLlmServer } from '../helpers/fake-llm-server';
import { buildOnce } from '../helpers/build-once';

const ROOT = join(__dirname, '..', '..');
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const done: RadarmEvent = { type: 'done' };
function turn(question: string, events: RadarmEvent[], dataFiles: string[] = ['sales.csv']): TurnRecord {
  return { id: question, question, mode: 'agent_single', dataFiles, events };
}
const complete = (data: Partial<Extract<RadarmEvent, { type: 'complete' }>['data']>): RadarmEvent => ({
  type: 'complete',
  data: { reply: '', generated_code: null, execution_result: null, image: null, plotly_json: null, ...data },
});

const STATS_OUTPUT = 'means differ\n| test | statistic | p-value |\n|---|---:|---:|\n| Ttest_ind | -2.5 | 0.0312 |\nNote: done';
const TURNS = [
  turn('Do A and B differ? </script><script>alert(1)</script>', [
    complete({
      reply: 'Yes: **A** is lower (p = 0.0312).\n\n- effect size d = 0.8',
      generated_code: 'result = stats.ttest_ind(a, b)',
      execution_result: STATS_OUTPUT,
      image: PNG,
      plotly_json: JSON.stringify({ data: [{ type: 'bar', x: ['A', 'B'], y: [1, 2] }], layout: { title: { text: 'T' } } }),
    }),
    done,
  ]),
  turn('second', [{ type: 'error', content: 'The model is unreachable.' }, done], ['other.csv']),
];

describe('reports', () => {
  it('the shared turn model: complete data, errors, invalid figures and non-PNG images left out', () => {
    const [a, b, c] = exportTurns([
      ...TURNS,
      turn('third', [complete({ plotly_json: 'not json', image: 'data:text/html,<b>x</b>' }), done]),
    ]);
    assert.equal(a.code, 'import scipy.stats as stats\n\nresult = stats.ttest_ind(a, b)', 'the code with what it needs to run on its own');
    assert.deepEqual(a.plotly?.data, [{ type: 'bar', x: ['A', 'B'], y: [1, 2] }]);
    assert.equal(a.image, PNG);
    assert.equal(b.error, 'The model is unreachable.');
    assert.equal(c.plotly, null);
    assert.equal(c.image, null);
  });

  it('output blocks: markdown tables are cut out of the text', () => {
    assert.deepEqual(outputBlocks(STATS_OUTPUT), [
      { kind: 'text', text: 'means differ' },
      { kind: 'table', markdown: '| test | statistic | p-value |\n|---|---:|---:|\n| Ttest_ind | -2.5 | 0.0312 |' },
      { kind: 'text', text: 'Note: done' },
    ]);
    assert.deepEqual(outputBlocks('a | b\n|not a table|'), [{ kind: 'text', text: 'a | b\n|not a table|' }]);
    // The note to the model that charts were shown is not part of the report's output.
    assert.deepEqual(outputBlocks('x\n[1 matplotlib chart (PNG) and 1 Plotly chart shown to the user]'), [{ kind: 'text', text: 'x' }]);
  });

  it('HTML: one file with a strict CSP whose hashes match its only scripts; no raw HTML from the model', async () => {
    const plotlyJs = 'window.Plotly={newPlot:function(){}}; var s="</script>";';
    const html = await buildReport('html', TURNS, { locale: 'en', loadPlotly: () => plotlyJs });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'; img-src data:; style-src 'unsafe-inline'/);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 2, 'plotly.js and the drawing script');
    for (const s of scripts) assert.ok(csp.includes(`'sha256-${createHash('sha256').update(s).digest('base64')}'`), 'hash in the CSP');
    assert.ok(scripts[0].includes('"<\\/script>"'), 'a </script> inside plotly.js cannot end the element');
    assert.ok(!/<script>alert/.test(html), 'the question is escaped');
    assert.match(html, /<details class="code"><summary>Code<\/summary><pre><code class="language-python">import scipy.stats as stats\n\nresult = stats.ttest_ind\(a, b\)/);
    assert.match(html, /<td style="text-align:right">-2.5<\/td>/);
    assert.match(html, /<img src="data:image\/png;base64,/);
    assert.match(html, /<strong>A<\/strong> is lower/);
    assert.match(html, /The model is unreachable\./);
    assert.match(html, /<code>sales.csv<\/code>, <code>other.csv<\/code>/);
    assert.doesNotMatch(html, /(src|href)="https?:/);
  });

  it('HTML without plotly.js: no scripts at all (script-src none) and a note instead of the chart', async () => {
    const html = await buildReport('html', TURNS, { locale: 'zh-cn' });
    assert.match(html, /script-src 'none'/);
    assert.doesNotMatch(html, /<script>/);
    assert.match(html, /<html lang="zh-CN">/);
    assert.match(html, /交互式 Plotly 图表/);
    assert.match(html, /<summary>代码<\/summary>/);
  });

  it('Markdown: headings, folded code, tables kept, PNG inline, the error quoted', async () => {
    const md = await buildReport('md', TURNS, { locale: 'en' });
    assert.match(md, /^# Do A and B differ\?/);
    assert.match(md, /## Question 1: Do A and B differ\?/);
    assert.match(md, /<details><summary>Code<\/summary>\n\n```python\nimport scipy.stats as stats\n\nresult = stats.ttest_ind\(a, b\)\n```\n\n<\/details>/);
    assert.match(md, /```text\nmeans differ\n```\n\n\| test \| statistic \| p-value \|\n\|---\|---:\|---:\|\n\| Ttest_ind \| -2.5 \| 0.0312 \|/);
    assert.ok(md.includes(`![Chart](${PNG})`));
    assert.match(md, /> \*\*This turn ended with an error:\*\* The model is unreachable\./);
  });

  it('the code in a report runs on its own: imports (statistics names too) and the data loading in front', async () => {
    const turns = [
      turn('q', [
        complete({
          generated_code: "result = stats.ttest_ind(df.a, df.b)",
          data_files: [{ path: '/data/w/x.csv', key: 'x.csv', read: { func: 'read_csv', kwargs: {} } }],
        }),
        done,
      ]),
    ];
    const md = await buildReport('md', turns, { baseDir: '/data/w' });
    assert.match(md, /```python\nimport pandas as pd\nimport scipy\.stats as stats\n\n# The data, read as Radarm read it\ndf = pd\.read_csv\("x\.csv"\)\n\nresult = stats\.ttest_ind\(df\.a, df\.b\)\n```/);
  });

  it('prelude imports for the statistics names: only when used as the kernel binds them, not when the code binds them', () => {
    assert.deepEqual(importsFor("r = stats.ttest_ind(a, b)\nfit = smf.ols('y ~ x', d).fit()\nm = metrics.accuracy_score(y, p)\nx = scipy.stats.norm", []), [
      'import scipy.stats as stats',
      'import statsmodels.formula.api as smf',
      'from sklearn import metrics',
    ]);
    assert.deepEqual(importsFor('result = tidy(stats.ttest_ind(a, b))', []), [
      'import scipy.stats as stats',
      'tidy = lambda x: x  # in Radarm, tidy() shows the result as a table',
    ]);
    assert.deepEqual(importsFor('metrics = {}\nmetrics.update(a=1)\nfrom scipy import stats\nstats.norm\nimport statsmodels.api as sm\nsm.OLS', []), []);
  });

  it('result tables (complete.data.tables) become HTML and markdown tables with their shape; malformed ones are skipped', async () => {
    const table = {
      kind: 'frame', source: 'result', columns: ['城市', 'sales'], dtypes: ['object', 'float64'], kinds: ['string', 'number'],
      indexName: null, index: [0, 1], rows: [['上海', 1234.5], ['北|京', null]], totalRows: 300, totalColumns: 2,
    };
    const broken = { ...table, rows: [['only one cell']] };
    const turns = [turn('tables', [complete({ reply: 'ok', tables: [table, broken] } as object), done])];
    assert.equal(exportTurns(turns)[0].tables.length, 1);
    const html = await buildReport('html', turns, { locale: 'en' });
    assert.match(html, /<th>城市<\/th><th class="num">sales<\/th>/, 'a numeric column\'s header aligns with its numbers');
    assert.match(html, /<tr><th>0<\/th><td>上海<\/td><td class="num">1234.5<\/td><\/tr>/);
    assert.match(html, /<caption>300 rows × 2 columns · first 2 shown<\/caption>/);
    const md = await buildReport('md', turns, { locale: 'zh-cn' });
    assert.match(md, /\|  \| 城市 \| sales \|\n\|---\|---\|---\|\n\| 0 \| 上海 \| 1234.5 \|\n\| 1 \| 北\\\|京 \|  \|/);
    assert.match(md, /_300 行 × 2 列 · 仅显示前 2 行_/);
  });

  it('a turn with structured tables shows each frame once: not again from the text output, other printed text kept', async () => {
    // The texts and tables as the real kernel sends them (a t-test result, an OLS fit, a displayed and a final frame).
    const ttest = {
      kind: 'frame', source: 'result', columns: ['statistic', 'p-value'], dtypes: ['float64', 'float64'], kinds: ['number', 'number'],
      indexName: 'test', index: ['Ttest_ind'], rows: [[-1.1881770515720091, 0.2796582909046579]], totalRows: 1, totalColumns: 2,
    };
    const ttestText = 'comparing groups\nresult:\n| test      | statistic | p-value |\n|-----------|----------:|--------:|\n| Ttest_ind |   -1.1882 |  0.2797 |';
    const ols = {
      kind: 'frame', source: 'result', columns: ['coef', 'P>|t|'], dtypes: ['float64', 'float64'], kinds: ['number', 'number'],
      indexName: 'term', index: ['Intercept', 'x'], rows: [[0.13999999999999613, 0.5013607988784033], [1.9600000000000013, 0.000049597035775149485]], totalRows: 2, totalColumns: 2,
    };
    const olsText = 'result:\nOLS of y\n\n| term      | coef |   P>\\|t\\| |\n|-----------|-----:|----------:|\n| Intercept | 0.14 |    0.5014 |\n| x         | 1.96 | 4.960e-05 |\n\n| statistic    | value |\n|--------------|------:|\n| observations |     5 |';
    const frame = (source: string) => ({
      kind: 'frame', source, columns: ['a', 'b'], dtypes: ['float64', 'object'], kinds: ['number', 'string'],
      indexName: null, index: [0, 1], rows: [[1.123456789, 'x'], [2, 'y']], totalRows: 2, totalColumns: 2,
    });
    const repr = '          a  b\n0  1.123457  x\n1  2.000000  y';
    const turns = [
      turn('t-test', [complete({ reply: 'ok', execution_result: ttestText, tables: [ttest] } as object), done]),
      turn('ols', [complete({ reply: 'ok', execution_result: olsText, tables: [ols] } as object), done]),
      turn('shown', [complete({ reply: 'ok', execution_result: `hello\n${repr}\nafter\nOut:\n${repr}`, tables: [frame('display'), frame('expression')] } as object), done]),
      turn('printed', [complete({ reply: 'ok', execution_result: `${repr}\nOut: 3`, tables: [] } as object), done]),
    ];
    const count = (text: string, re: RegExp) => (text.match(new RegExp(re.source, 'g')) ?? []).length;
    const html = await buildReport('html', turns, { locale: 'en' });
    assert.equal(count(html, /Ttest_ind/), 1, 'the t-test table appears once');
    assert.equal(count(html, /-1\.188177052/), 1, 'as the structured table, at 10 significant digits');
    assert.doesNotMatch(html, /-1\.1882\b/, 'not again from the 4-digit text form');
    assert.match(html, /comparing groups/, 'other printed text stays');
    assert.equal(count(html, />Intercept</), 1, 'the OLS coefficients appear once');
    assert.match(html, /observations/, 'the fit statistics (not a structured table) stay');
    assert.equal(count(html, /1\.123457/), 1, 'the displayed and the final frame are not repeated as text; the frame print()ed in the last turn stays');
    assert.match(html, /hello[\s\S]*after/);
    const md = await buildReport('md', turns, { locale: 'en' });
    assert.equal(count(md, /Ttest_ind/), 1);
    assert.equal(count(md, /\| Intercept \|/), 1);
    assert.match(md, /observations/);
    assert.match(md, /comparing groups/);
    assert.equal(count(md, /1\.123457/), 1);
  });

  it('the format follows the extension; --save-report checks it and the folder', () => {
    assert.equal(reportFormatOf('a/b.HTML'), 'html');
    assert.equal(reportFormatOf('r.md'), 'md');
    assert.equal(reportFormatOf('r.pdf'), undefined);
    const base = ['chat', '--base-url', 'http://127.0.0.1:1', '--model', 'm', 'q'];
    assert.deepEqual(parseCliArgs([...base, '--save-report', 'r.pdf'], {}), { error: '--save-report: the file must end in .html or .md; got "r.pdf"' });
    assert.deepEqual(parseCliArgs([...base, '--save-report', '/no/such/dir/r.html'], {}), { error: '--save-report: no such folder: /no/such/dir' });
    const ok = parseCliArgs([...base, '--save-report', 'r.md'], {});
    assert.ok('config' in ok && ok.config.saveReport === join(process.cwd(), 'r.md'));
  });

  describe('radarm chat --save-report (dist/cli.js, real kernel)', function () {
    this.timeout(120_000);
    let server: FakeLlmServer;
    let dir: string;
    before(async function () {
      this.timeout(180_000);
      buildOnce();
      server = await startFakeLlmServer();
      dir = mkdtempSync(join(tmpdir(), 'radarm-report-'));
      writeFileSync(join(dir, 'scores.csv'), 'group,score\nA,1\nA,2\nA,3\nA,4\nB,3\nB,5\nB,6\nB,8\n');
      const code = [
        "a, b = df[df.group == 'A'].score, df[df.group == 'B'].score",
        'fig, ax = plt.subplots()',
        "df.boxplot(column='score', by='group', ax=ax)",
        "pfig = px.bar(x=['A', 'B'], y=[a.mean(), b.mean()])",
        'pfig.show()',
        'result = stats.ttest_ind(a, b, equal_var=False)',
      ].join('\n');
      server.setHandler((req) =>
        req.stage === 'code_generation'
          ? { steps: textSteps('```python\n' + code + '\n```', 20) }
          : { steps: textSteps('B scores **higher** than A.', 5) },
      );
    });
    after(async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'chat', '--base-url', server.baseUrl, '--model', 'm', ...args], {
          cwd: dir,
          env: { ...process.env, RADARM_API_KEY: 'sk-report-test-key', LANG: 'C', NO_COLOR: '1' },
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.stdout.resume();
        child.stdin.end();
        child.on('close', (code) => resolve({ code, stderr }));
      });
    }

    it('writes one HTML file with the table, the PNG, plotly.js inline and the folded code', async () => {
      const file = join(dir, 'report.html');
      const r = await cli(['--mode', 'agent_single', '--python', '/usr/bin/python3', '--data', 'scores.csv', '--save-report', file, 'Do the groups differ?']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /report saved to .*report\.html/);
      const html = readFileSync(file, 'utf8');
      assert.match(html, /<h2 class="question">.*Do the groups differ\?<\/h2>/);
      assert.match(html, /<th>test<\/th>[\s\S]*<th>Ttest_ind<\/th>/);
      assert.equal(html.split('Ttest_ind').length - 1, 1, 'the test result is shown once, as the structured table');
      assert.match(html, /<img src="data:image\/png;base64,iVBOR/);
      assert.match(html, /class="radarm-plotly"/);
      assert.ok(html.length > 1_000_000, 'plotly.js is included in the file');
      assert.match(html, /B scores <strong>higher<\/strong> than A\./);
      assert.match(html, /<code>scores.csv<\/code>/);
      // The folded code runs on its own from the report's folder and gives the report's t statistic
      // (its Plotly show() left out: no browser here).
      const code = /<code class="language-python">([\s\S]*?)<\/code>/.exec(html)![1]
        .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
      assert.match(code, /^import pandas as pd\n/);
      assert.match(code, /import scipy\.stats as stats/);
      assert.match(code, /df = pd\.read_csv\("scores\.csv"\)/);
      const script = code.replace('pfig.show()', 'pass') + "\nprint(f'{result.statistic:.4f}')\n";
      const ran = spawnSync('/usr/bin/python3', ['-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, MPLBACKEND: 'Agg' } });
      assert.equal(ran.status, 0, ran.stderr);
      const shown = /<th>Ttest_ind<\/th><td class="num">([^<]+)<\/td>/.exec(html)![1];
      assert.equal(ran.stdout.trim(), Number(shown).toFixed(4));
    });

    it('writes Markdown for .md, and a path that cannot be written is a clear error (exit 1)', async () => {
      const file = join(dir, 'report.md');
      const r = await cli(['--mode', 'agent_single', '--data', 'scores.csv', '--save-report', file, 'Do the groups differ?']);
      assert.equal(r.code, 0, r.stderr);
      const md = readFileSync(file, 'utf8');
      assert.match(md, /\| test +\| +statistic \| +p-value \|/);
      assert.match(md, /!\[Chart\]\(data:image\/png;base64,/);
      const taken = join(dir, 'taken.html');
      mkdirSync(taken); // a folder where the file should go: the write fails after the answer
      const bad = await cli(['--save-report', taken, 'hi']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /could not write the report .*taken\.html: EISDIR\. Choose a writable path\./);
    });
  });
});
