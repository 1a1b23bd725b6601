// The HTML report in real Chromium, offline: a scripted agent turn (fake LLM server, real kernel) fits an OLS
// model and draws a matplotlib and a Plotly chart; its report, opened from a file with the network off, makes
// no request but data: URLs (and the file itself), breaks no CSP rule, and shows the answer's numbers, the
// same PNG and the same Plotly data. Screenshots in light and dark for the eye: test-artifacts/report-*.png.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { createKernel } from '../../src/kernel';
import { createLlmService } from '../../src/llm';
import { createSession } from '../../src/engine/session';
import type { CompleteData } from '../../src/protocol/events';
import type { TurnRecord } from '../../src/protocol/messages';
import { buildReport } from '../../src/report';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server';
import { simpleOls } from '../helpers/stats-reference';
import { TEST_PYTHON, collect, completeOf, providerFor, py, scriptStages } from '../unit/agent-harness';
import { ARTIFACTS, DIST, build, launchChromium } from './harness';

const X = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const Y = [2.1, 3.9, 6.2, 7.8, 10.1, 12.2, 13.8, 16.1, 18.2, 19.9];
const CODE = [
  "fit = smf.ols('y ~ x', data=df).fit()",
  'fig, ax = plt.subplots(figsize=(6, 4))',
  "ax.scatter(df.x, df.y); ax.plot(df.x, fit.fittedvalues, color='C1'); ax.set_title('y ~ x')",
  "pfig = px.scatter(df, x='x', y='y', title='y against x')",
  'pfig.show()',
  'result = fit',
].join('\n');

describe('HTML report in Chromium, offline', function () {
  this.timeout(120_000);
  let server: FakeLlmServer;
  let browser: Browser;
  let dir: string;
  let file: string;
  let data: CompleteData;

  before(async function () {
    this.timeout(240_000);
    build();
    dir = mkdtempSync(join(tmpdir(), 'radarm-report-browser-'));
    writeFileSync(join(dir, 'xy.csv'), 'x,y\n' + X.map((x, i) => `${x},${Y[i]}`).join('\n') + '\n');
    server = await startFakeLlmServer();
    scriptStages(server, { code_generation: [py(CODE)], explanation: ['Each step in **x** adds about 2 to y (R² close to 1).'] });
    const session = createSession({
      llm: createLlmService({ retry: { maxAttempts: 1 } }),
      provider: providerFor(server),
      apiKey: 'sk-report-browser',
      dataFiles: [join(dir, 'xy.csv')],
      createKernel: () => createKernel({ pythonPath: TEST_PYTHON, cwd: dir, execTimeoutMs: 60_000 }),
    });
    const question = 'How does y depend on x? 画图';
    const events = await collect(session.run('agent_single', question));
    await session.dispose();
    data = completeOf(events);
    const turn: TurnRecord = { id: '1', question, mode: 'agent_single', dataFiles: ['xy.csv'], events };
    const html = await buildReport('html', [turn], { locale: 'en', loadPlotly: () => readFileSync(join(DIST, 'plotly.min.js'), 'utf8') });
    file = join(dir, 'report.html');
    writeFileSync(file, html);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme}: only the file and data: URLs are requested, no CSP violation, the answer's numbers and charts are shown`, async () => {
      const context = await browser.newContext({ offline: true, colorScheme: scheme, viewport: { width: 1000, height: 800 } });
      const page = await context.newPage();
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          ((window as any).__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
        });
      });
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('.plotly-target .main-svg', { timeout: 30_000 });

      const fileUrl = pathToFileURL(file).href;
      const foreign = requests.filter((u) => u !== fileUrl && !u.startsWith('data:'));
      assert.deepEqual(foreign, [], 'nothing but the file and data: URLs');
      assert.deepEqual(await page.evaluate(() => (window as any).__csp ?? []), [], 'no CSP violation');
      assert.deepEqual(problems, [], 'no console errors');

      // The coefficient table once, as the structured result table (full precision) and not again from the text;
      // the fit statistics (not a structured table) from the text output. Numbers checked against an independent fit.
      const rowsOf = (sel: string) =>
        page.$$eval(sel, (rows) => rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent ?? '')));
      const coef = new Map((await rowsOf('table.result-table tbody tr')).map((r) => [r[0], r.slice(1)]));
      const stats = new Map((await rowsOf('.output table tbody tr')).map((r) => [r[0], r.slice(1)]));
      const ref = simpleOls(X, Y);
      assert.ok(Math.abs(Number(coef.get('x')![0]) - ref.slope) < 1e-7 * Math.max(1, Math.abs(ref.slope)), `slope ${coef.get('x')}`);
      assert.ok(Math.abs(Number(coef.get('Intercept')![0]) - ref.intercept) < 1e-7 * Math.max(1, Math.abs(ref.intercept)), `intercept ${coef.get('Intercept')}`);
      assert.ok(Math.abs(Number(stats.get('R²')![0]) - ref.r2) < 1e-3, `R² ${stats.get('R²')}`);
      assert.equal(stats.has('Intercept'), false, 'the coefficients are not repeated from the text output');
      const answerRows = data.execution_result!.split('\n').filter((l) => l.startsWith('| ')).map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
      for (const [term, values] of stats) assert.deepEqual(answerRows.find((r) => r[0] === term)?.slice(1).map((c) => c.replace(/\\\|/g, '|')), values, `${term} as in the answer`);

      // The PNG is the answer's own and decodes; the Plotly chart has the answer's data.
      const img = await page.$eval('figure.chart img', (el) => ({ src: (el as HTMLImageElement).src, w: (el as HTMLImageElement).naturalWidth }));
      assert.equal(img.src, data.image);
      assert.ok(img.w > 100, 'the image decodes');
      const plotted = await page.$eval('.plotly-target', (el) => (el as any).data.map((t: any) => ({ x: Array.from(t.x), y: Array.from(t.y) })));
      assert.deepEqual(plotted[0].y, Y, 'the points of the answer');
      assert.deepEqual(plotted[0].x, X);

      // Explanation as formatted text; code folded until opened.
      assert.equal(await page.textContent('.reply strong'), 'x');
      assert.equal(await page.$eval('details.code', (d) => (d as HTMLDetailsElement).open), false);
      await page.click('details.code summary');
      assert.match((await page.textContent('details.code code')) ?? '', /smf\.ols\('y ~ x'/);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `report-${scheme}.png`), fullPage: true });
      await context.close();
    });
  }
});
