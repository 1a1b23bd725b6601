// How statistics results look: a conversation with a Welch t-test, an OLS regression (tidy() table) and a
// classification report, produced by the real kernel through a scripted agent session, shown in the real panel
// at 300 and 600 px and as the exported HTML report opened offline, in light and dark. Screenshots for the eye go
// to test-artifacts/stats-*.png (RADARM_SHOTS=DIR for another folder); what can be checked is asserted: nothing
// overflows the panel sideways, no table column is clipped, and table text has readable contrast (WCAG AA, 4.5:1).
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { createSession } from '../../src/engine/session';
import { createKernel } from '../../src/kernel';
import { createLlmService } from '../../src/llm';
import type { TurnRecord } from '../../src/protocol/messages';
import { buildReport } from '../../src/report';
import { startFakeLlmServer } from '../helpers/fake-llm-server';
import { TEST_PYTHON, collect, py, providerFor, scriptStages } from '../unit/agent-harness';
import { ARTIFACTS, DIST, panelState, panelSuite } from './harness';

const SHOTS = process.env.RADARM_SHOTS || ARTIFACTS;

function trialCsv(): string {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = ['group,hours,score,outcome'];
  for (let i = 0; i < 60; i++) {
    const group = i % 2 ? 'treatment' : 'control';
    const hours = Math.round((1 + rnd() * 9) * 100) / 100;
    const score = Math.round((40 + 4.5 * hours + (i % 2 ? 3 : 0) + (rnd() - 0.5) * 14) * 100) / 100;
    lines.push(`${group},${hours},${score},${score + (rnd() - 0.5) * 10 > 65 ? 'passed the course' : 'needs another try'}`);
  }
  return lines.join('\n') + '\n';
}

const TURNS: [string, string, string][] = [
  ['Do treatment and control differ in score?', "a = df.loc[df.group == 'treatment', 'score']\nb = df.loc[df.group == 'control', 'score']\nresult = stats.ttest_ind(a, b, equal_var=False)", 'Treatment scores higher; the difference is significant.'],
  ['Regress score on hours and group', "fit = smf.ols('score ~ hours + C(group)', data=df).fit()\nresult = tidy(fit)", 'Each hour adds about 4.5 points.'],
  [
    'Predict the outcome from hours and score',
    [
      'from sklearn.neighbors import KNeighborsClassifier',
      'train, test = df.iloc[::2], df.iloc[1::2]',
      "clf = KNeighborsClassifier(n_neighbors=3).fit(train[['hours', 'score']], train['outcome'])",
      "result = metrics.classification_report(test['outcome'], clf.predict(test[['hours', 'score']]), output_dict=True)",
    ].join('\n'),
    'The classifier is right most of the time.',
  ],
];

/** Contrast ratio (WCAG) of every table cell's text against the background it is painted on; the worst cells. */
async function worstContrast(page: Page, selector: string): Promise<{ ratio: number; text: string }[]> {
  return page.$$eval(selector, (cells) => {
    const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el: Element | null): number[] => {
      // The first opaque background up the tree (translucent ones blended over it).
      const layers: number[][] = [];
      for (; el; el = el.parentElement) {
        const c = parse(getComputedStyle(el).backgroundColor);
        if (c.length === 4 && c[3] === 0) continue;
        layers.push(c);
        if (c.length === 3 || c[3] === 1) break;
      }
      let base = [255, 255, 255];
      for (const c of layers.reverse()) {
        const a = c.length === 4 ? c[3] : 1;
        base = base.map((v, i) => v * (1 - a) + c[i] * a);
      }
      return base;
    };
    return cells
      .filter((c) => (c as HTMLElement).innerText.trim())
      .map((cell) => {
        const fg = parse(getComputedStyle(cell).color);
        const bg = background(cell);
        const a = fg.length === 4 ? fg[3] : 1;
        const blended = fg.slice(0, 3).map((v, i) => v * a + bg[i] * (1 - a));
        const [l1, l2] = [lum(blended), lum(bg)].sort((x, y) => y - x);
        return { ratio: (l1 + 0.05) / (l2 + 0.05), text: (cell as HTMLElement).innerText.trim() };
      })
      .sort((x, y) => x.ratio - y.ratio)
      .slice(0, 3);
  });
}

/** Elements wider than the page (sideways overflow), ignoring those inside a scroll container. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1) continue;
      let scrolled = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') scrolled = true;
      }
      if (!scrolled) out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(r.right)} > ${width}`);
    }
    return out.slice(0, 5);
  });
}

/** Table cells whose text is cut (wider than the cell shows) and not reachable by a title or scrolling. */
async function clippedCells(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (cells) =>
    cells
      .filter((c) => c.scrollWidth > c.clientWidth + 1 && !c.getAttribute('title'))
      .map((c) => (c as HTMLElement).innerText.trim())
      .slice(0, 5),
  );
}

describe('statistics results: panel and HTML report, light and dark, 300 and 600 px', function () {
  this.timeout(180_000);
  const suite = panelSuite();
  let turns: TurnRecord[];
  let dir: string;
  let reportFile: string;

  before(async function () {
    this.timeout(240_000);
    dir = mkdtempSync(join(tmpdir(), 'radarm-stats-look-'));
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(dir, 'trial.csv'), trialCsv());
    const server = await startFakeLlmServer();
    const session = createSession({
      llm: createLlmService({ retry: { maxAttempts: 1 } }),
      provider: providerFor(server),
      apiKey: 'sk-stats-look',
      dataFiles: [join(dir, 'trial.csv')],
      createKernel: () => createKernel({ pythonPath: TEST_PYTHON, cwd: dir, execTimeoutMs: 60_000 }),
    });
    try {
      turns = [];
      for (const [i, [question, code, explanation]] of TURNS.entries()) {
        scriptStages(server, { code_generation: [py(code)], explanation: [explanation] });
        const events = await collect(session.run('agent_single', question));
        turns.push({ id: `t${i}`, question, mode: 'agent_single', dataFiles: ['trial.csv'], events, startedAt: Date.now() });
      }
    } finally {
      await session.dispose();
      await server.close();
    }
    const html = await buildReport('html', turns, { locale: 'en', loadPlotly: () => readFileSync(join(DIST, 'plotly.min.js'), 'utf8') });
    reportFile = join(SHOTS, 'stats-report.html'); // kept beside the screenshots, to open by hand
    writeFileSync(reportFile, html);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const theme of ['light', 'dark'] as const)
    for (const width of [300, 600])
      it(`panel, ${theme}, ${width} px: three result tables, nothing overflows sideways, no clipped column, table text at least 4.5:1`, async () => {
        const p = await suite.open({ theme, width, height: 2400 }); // tall: the whole conversation in one shot
        await p.host({ type: 'init', state: panelState({ turns, dataFiles: { available: ['trial.csv'], selected: ['trial.csv'] } }) });
        await p.page.locator('.data-table').nth(2).waitFor();
        await p.frames();
        assert.ok((await p.page.locator('.data-table').count()) >= 3, 'a table per result');
        await p.page.screenshot({ path: join(SHOTS, `stats-panel-${theme}-${width}.png`), fullPage: true });
        assert.deepEqual(await overflowing(p.page), [], 'nothing wider than the panel');
        assert.deepEqual(await clippedCells(p.page, '.data-table th, .data-table td'), [], 'no clipped cell');
        const worst = await worstContrast(p.page, '.data-table th, .data-table td');
        assert.ok(worst[0].ratio >= 4.5, `table text contrast: ${JSON.stringify(worst)}`);
      });

  for (const scheme of ['light', 'dark'] as const)
    for (const width of [600, 1000])
      it(`HTML report offline, ${scheme}, ${width} px: nothing overflows sideways, table text at least 4.5:1`, async () => {
        const context = await suite.browser.newContext({ offline: true, colorScheme: scheme, viewport: { width, height: 900 } });
        try {
          const page = await context.newPage();
          await page.addInitScript('globalThis.__name = (fn) => fn;'); // see openPanel: tsx's keepNames helper
          await page.goto(pathToFileURL(reportFile).href);
          await page.locator('table').nth(2).waitFor();
          await page.screenshot({ path: join(SHOTS, `stats-report-${scheme}-${width}.png`), fullPage: true });
          assert.deepEqual(await overflowing(page), [], 'nothing wider than the page');
          assert.deepEqual(await clippedCells(page, 'table th, table td'), [], 'no clipped cell');
          const worst = await worstContrast(page, 'table th, table td');
          assert.ok(worst[0].ratio >= 4.5, `table text contrast: ${JSON.stringify(worst)}`);
        } finally {
          await context.close();
        }
      });
});
