// Statistics and ML through the real kernel (Debian's scipy, statsmodels, scikit-learn) and through scripted
// agent turns: a Welch t-test, an OLS regression and a 1-NN classifier give the numbers that an independent
// TypeScript computation gives, as a structured table (kernel) and as markdown tables (execution_result).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createKernel } from '../../src/kernel';
import type { PythonKernel } from '../../src/kernel/types';
import { createLlmService } from '../../src/llm';
import { createSession, type Session } from '../../src/engine/session';
import { codeGenerationMessages, executorMessages, explanationMessages, plannerMessages, verifierMessages, type Attempt, type PromptInput } from '../../src/agent/prompts';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server';
import { classMetrics, nearestNeighbour, simpleOls, welch } from '../helpers/stats-reference';
import { TEST_PYTHON, allMessages, assertContract, collect, completeOf, providerFor, py, scriptStages, tempDir } from './agent-harness';

/** Deterministic trial data: 40 rows, group A/B, hours, score, label. */
function trialData() {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows: { group: string; hours: number; score: number; label: number }[] = [];
  for (let i = 0; i < 40; i++) {
    const group = i % 2 ? 'A' : 'B';
    const hours = Math.round((1 + rnd() * 9) * 100) / 100;
    const score = Math.round((40 + 4.5 * hours + (group === 'A' ? 3 : 0) + (rnd() - 0.5) * 14) * 100) / 100;
    const label = score + (rnd() - 0.5) * 10 > 65 ? 1 : 0;
    rows.push({ group, hours, score, label });
  }
  const csv = 'group,hours,score,label\n' + rows.map((r) => `${r.group},${r.hours},${r.score},${r.label}`).join('\n') + '\n';
  return { rows, csv };
}

/** Markdown tables in a text: each as { header, rows: label → cells }. */
function markdownTables(text: string): { header: string[]; rows: Map<string, string[]> }[] {
  const out: { header: string[]; rows: Map<string, string[]> }[] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
    if (cells.every((c) => /^-+:?$/.test(c))) continue;
    if (!inTable) out.push({ header: cells, rows: new Map() });
    else out[out.length - 1].rows.set(cells[0], cells.slice(1));
    inTable = true;
  }
  return out;
}

/** a ≈ b to the printed precision (4 significant digits, or 4 decimals). */
function near(printed: string, expected: number, what: string) {
  const v = Number(printed);
  assert.ok(Number.isFinite(v), `${what}: ${printed} is not a number`);
  const tol = Math.max(Math.abs(expected) * 6e-4, 6e-5);
  assert.ok(Math.abs(v - expected) <= tol, `${what}: got ${printed}, expected ${expected}`);
}

const close = (a: unknown, b: number, rel: number, what: string) =>
  assert.ok(typeof a === 'number' && Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${what}: got ${a}, expected ${b}`);

const { rows, csv } = trialData();
const A = rows.filter((r) => r.group === 'A').map((r) => r.score);
const B = rows.filter((r) => r.group === 'B').map((r) => r.score);
const train = rows.filter((_, i) => i % 2 === 0);
const test = rows.filter((_, i) => i % 2 === 1);

const TTEST = "a = df.loc[df.group == 'A', 'score']\nb = df.loc[df.group == 'B', 'score']\nresult = stats.ttest_ind(a, b, equal_var=False)";
const OLS = "fit = smf.ols('score ~ hours', data=df).fit()\nresult = fit";
const KNN = [
  'from sklearn.neighbors import KNeighborsClassifier',
  "train, test = df.iloc[::2], df.iloc[1::2]",
  "clf = KNeighborsClassifier(n_neighbors=1).fit(train[['hours', 'score']], train['label'])",
  "pred = clf.predict(test[['hours', 'score']])",
  "result = metrics.classification_report(test['label'], pred, output_dict=True)",
].join('\n');

describe('statistics and ML (real scipy, statsmodels, scikit-learn)', function () {
  this.timeout(90_000);
  let dir: string;
  let file: string;
  before(() => {
    dir = tempDir();
    file = path.join(dir, 'trial.csv');
    fs.writeFileSync(file, csv);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('kernel', () => {
    let kernel: PythonKernel;
    before(() => {
      kernel = createKernel({ pythonPath: TEST_PYTHON, cwd: dir, execTimeoutMs: 60_000 });
    });
    after(() => kernel.dispose());

    it('the profile names stats, sm, smf, the sklearn modules and tidy(), and the names work', async () => {
      const profile = await kernel.loadData([file]);
      assert.match(profile.text, /scipy\.stats as stats/);
      assert.match(profile.text, /statsmodels\.api as sm, statsmodels\.formula\.api as smf/);
      assert.match(profile.text, /from sklearn: linear_model, ensemble, model_selection, metrics, preprocessing/);
      assert.match(profile.text, /tidy\(x\)/);
      assert.doesNotMatch(profile.text, /Not installed/);
      const r = await kernel.execute("[stats.__name__, sm.__name__, smf.__name__, metrics.__name__, callable(tidy)]");
      assert.equal(r.value, "['scipy.stats', 'statsmodels.api', 'statsmodels.formula.api', 'sklearn.metrics', True]");
    });

    it('a Welch t-test arrives as a table with the statistic and p-value (df when scipy gives it) of an independent computation', async () => {
      const r = await kernel.execute(TTEST);
      assert.ok(r.ok, r.text);
      const ref = welch(A, B);
      // scipy ≥ 1.11 adds df (and a confidence interval); Debian 12's 1.10 gives statistic and p-value.
      assert.deepEqual(r.tables?.[0]?.columns.slice(0, 2), ['statistic', 'p-value']);
      const [stat, p] = r.tables![0].rows[0] as number[];
      close(stat, ref.t, 1e-9, 't');
      close(p, ref.p, 1e-7, 'p');
      const dfAt = r.tables![0].columns.indexOf('df');
      if (dfAt >= 0) close(r.tables![0].rows[0][dfAt], ref.df, 1e-9, 'df');
      assert.match(r.value ?? '', /^\| test +\| +statistic \| +p-value \|/);
    });

    it('an OLS fit arrives as a coefficient table (coef, std err, t, p, CI), the text adds R² and F', async () => {
      const r = await kernel.execute(OLS);
      assert.ok(r.ok, r.text);
      const ref = simpleOls(rows.map((x) => x.hours), rows.map((x) => x.score));
      const t = r.tables![0];
      assert.deepEqual(t.index, ['Intercept', 'hours']);
      assert.deepEqual(t.columns, ['coef', 'std err', 't', 'P>|t|', '[0.025', '0.975]']);
      close(t.rows[0][0], ref.intercept, 1e-9, 'intercept');
      close(t.rows[1][0], ref.slope, 1e-9, 'slope');
      close(t.rows[1][1], ref.seSlope, 1e-9, 'se(slope)');
      close(t.rows[0][1], ref.seIntercept, 1e-9, 'se(intercept)');
      close(t.rows[1][2], ref.tSlope, 1e-9, 't(slope)');
      const r2 = markdownTables(r.value ?? '')[1].rows.get('R²');
      assert.ok(r2, r.value);
      near(r2[0], ref.r2, 'R²');
      // The summary() object renders as tables too, not as the fixed-width text.
      const s = await kernel.execute('fit.summary()');
      assert.equal(s.valueType, 'Summary');
      assert.ok(markdownTables(s.value ?? '').length >= 3, s.value);
      assert.deepEqual(s.tables?.[0]?.index, ['Intercept', 'hours']);
    });

    it('a classification report arrives as a per-class table equal to an independent 1-NN computation', async () => {
      const r = await kernel.execute(KNN);
      assert.ok(r.ok, r.text);
      const pred = nearestNeighbour(train.map((x) => [x.hours, x.score]), train.map((x) => x.label), test.map((x) => [x.hours, x.score]));
      const ref = classMetrics(test.map((x) => x.label), pred);
      const t = r.tables![0];
      assert.deepEqual(t.columns, ['precision', 'recall', 'f1-score', 'support']);
      for (const [c, m] of ref.per) {
        const row = t.rows[t.index.indexOf(String(c))] as number[];
        close(row[0], m.precision, 1e-9, `precision ${c}`);
        close(row[1], m.recall, 1e-9, `recall ${c}`);
        close(row[2], m.f1, 1e-9, `f1 ${c}`);
        assert.equal(row[3], m.support);
      }
      close((t.rows[t.index.indexOf('accuracy')] as number[])[2], ref.accuracy, 1e-9, 'accuracy');
      // glance(), tidy() of a metrics dict and a confusion matrix give frames too.
      const g = await kernel.execute("glance(fit).loc['observations', 'value'], list(tidy({'mae': 1.5}).index)");
      assert.equal(g.value, "(40.0, ['mae'])");
    });

    it('tidy() of something it does not know says what it takes', async () => {
      const r = await kernel.execute('tidy(object())');
      assert.equal(r.ok, false);
      assert.match(r.error?.message ?? '', /tidy\(\) does not know object \(statsmodels results, scipy test results/);
    });
  });

  it('prompts: code, planner and executor get the statistics rules; the verifier and the explanation check them', () => {
    const p: PromptInput = { question: 'Does A differ from B?', lang: 'en', dataFiles: ['/w/t.csv'], history: [],
      profile: { text: 'df: 2 columns', variables: ['df'], files: [] } };
    const attempt: Attempt = { code: 'result = 1', output: '1', ok: true };
    for (const msgs of [codeGenerationMessages(p), plannerMessages(p), executorMessages(p, '1. test')]) {
      const sys = msgs[0].content;
      assert.match(sys, /never one it says is not installed/);
      assert.match(sys, /effect size \(Cohen's d, r, η², odds ratio\) with a 95% confidence interval/);
      assert.match(sys, /hold out a test set .* baseline .* metric that fits the task/);
      assert.match(sys, /set `result` to the fit, the test result or tidy\(\.\.\.\)/);
    }
    assert.match(verifierMessages(p, 'plan', attempt)[0].content, /scored only on the data it was trained on/);
    assert.match(explanationMessages(p, attempt)[0].content, /effect size and its confidence interval with the p-value/);
  });

  it('a library that is not installed is named as such in the profile and not bound', () => {
    const dirOfModule = path.resolve(__dirname, '../../src/kernel/python');
    const out = execFileSync(TEST_PYTHON, ['-c', [
      'import sys; sys.path.insert(0, sys.argv[1])',
      'import radarm_stats as s',
      "s._installed = lambda n: n != 'sklearn'",
      'ns = {}',
      's.install(ns, lambda a, m: m)',
      "print(s.missing_note()); print('; '.join(s.intro_names())); print(sorted(k for k in ns if k != 'glance'))",
    ].join('\n'), dirOfModule], { encoding: 'utf8' });
    const [note, names, bound] = out.replace(/\n$/, '').split('\n');
    assert.equal(note, ' Not installed (do not use): sklearn.');
    assert.doesNotMatch(names, /sklearn/);
    assert.equal(bound, "['sm', 'smf', 'stats', 'tidy']");
  });

  describe('scripted agent turns', () => {
    let server: FakeLlmServer;
    let session: Session;
    before(async () => {
      server = await startFakeLlmServer();
      session = createSession({
        llm: createLlmService({ retry: { maxAttempts: 1 } }),
        provider: providerFor(server),
        apiKey: 'sk-test-stats',
        dataFiles: [file],
        createKernel: () => createKernel({ pythonPath: TEST_PYTHON, cwd: dir, execTimeoutMs: 60_000 }),
      });
    });
    after(async () => {
      await session.dispose();
      await server.close();
    });

    it('a t-test, an OLS regression and a classifier: execution_result shows checked numbers as tables', async () => {
      scriptStages(server, { code_generation: [py(TTEST)], explanation: ['Group A scores higher.'] });
      const t = completeOf(await collect(session.run('agent_single', 'Do A and B differ in score?')));
      const prompt = allMessages(server.requests[0]);
      assert.match(prompt, /effect size/, 'the prompt asks for effect sizes');
      assert.match(prompt, /baseline/, 'the prompt asks for an ML baseline');
      const ref = welch(A, B);
      const tt = markdownTables(t.execution_result ?? '')[0].rows.get('Ttest_ind')!;
      near(tt[0], ref.t, 't');
      near(tt[1], ref.p, 'p');

      scriptStages(server, { code_generation: [py(OLS)], explanation: ['Each hour adds about 4.5 points.'] });
      const events = await collect(session.run('agent_single', 'Regress score on hours'));
      assertContract(events);
      const o = completeOf(events);
      const ols = simpleOls(rows.map((x) => x.hours), rows.map((x) => x.score));
      const [coef, fitStats] = markdownTables(o.execution_result ?? '');
      near(coef.rows.get('hours')![0], ols.slope, 'slope');
      near(coef.rows.get('Intercept')![0], ols.intercept, 'intercept');
      near(coef.rows.get('hours')![2], ols.tSlope, 't');
      near(fitStats.rows.get('R²')![0], ols.r2, 'R²');
      near(fitStats.rows.get('observations')![0], 40, 'n');

      scriptStages(server, { code_generation: [py(KNN)], explanation: ['The classifier is right most of the time.'] });
      const k = completeOf(await collect(session.run('agent_single', 'Predict the label')));
      // The explanation's prompt: it follows the execution, which waited for the data, so it always carries the
      // kernel's profile. (A code-generation prompt may get file previews instead when the kernel does not
      // answer within PROFILE_WAIT_MS, as on a loaded machine: by design, so not a thing to assert.)
      const lastPrompt = allMessages(server.requests.filter((r) => r.stage === 'explanation').pop()!);
      assert.match(lastPrompt, /scipy\.stats as stats, statsmodels\.api as sm/, 'the profile tells the model what is imported');
      const pred = nearestNeighbour(train.map((x) => [x.hours, x.score]), train.map((x) => x.label), test.map((x) => [x.hours, x.score]));
      const ref2 = classMetrics(test.map((x) => x.label), pred);
      const report = markdownTables(k.execution_result ?? '')[0];
      assert.deepEqual(report.header, ['class', 'precision', 'recall', 'f1-score', 'support']);
      for (const [c, m] of ref2.per) {
        near(report.rows.get(String(c))![0], m.precision, `precision ${c}`);
        near(report.rows.get(String(c))![2], m.f1, `f1 ${c}`);
      }
      near(report.rows.get('accuracy')![2], ref2.accuracy, 'accuracy');
    });
  });
});
