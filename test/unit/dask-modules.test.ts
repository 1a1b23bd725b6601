// The Dask engine's TypeScript parts on their own: progress events (throttled, the last one kept), dataset entries
// for the picker, data-source and scheduler-address checks, the CLI flags, the setting and the prompt section.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { executeWithProgress, PROGRESS_EVERY_MS } from '../../src/agent/progress-events';
import { daskSection } from '../../src/agent/dask-prompts';
import { datasetPrelude } from '../../src/agent/dataset-prelude';
import { codeGenerationMessages } from '../../src/agent/prompts';
import { checkDataSource, checkSchedulerAddress, globBase } from '../../src/kernel/data-sources';
import type { DataProfile, ExecuteOptions, ExecutionResult, PythonKernel } from '../../src/kernel/types';
import { parseCliArgs } from '../../src/cli/args';
import { datasetEntries } from '../../src/vscode/dataset-entries';
import { readSettings } from '../../src/vscode/settings';
import { isRadarmEvent, type StatusEvent } from '../../src/protocol/events';

const okResult: ExecutionResult = { ok: true, stdout: '', stderr: '', images: [], plotly: [], durationMs: 1, text: '' };

/** A kernel whose execute reports the given progress steps (ms after the start), then resolves. */
function scriptedKernel(steps: { at: number; done: number; total: number; url?: string }[], endAt: number): PythonKernel {
  return {
    start: async () => undefined,
    loadData: async () => ({ text: '', variables: [], files: [] }),
    execute: (_code: string, opts: ExecuteOptions = {}) =>
      new Promise((resolve) => {
        for (const s of steps) setTimeout(() => opts.onProgress?.({ done: s.done, total: s.total, ...(s.url ? { url: s.url } : {}) }), s.at);
        setTimeout(() => resolve(okResult), endAt);
      }),
    interrupt: () => undefined,
    dispose: async () => undefined,
    pythonPath: undefined,
  };
}

async function drain(gen: AsyncGenerator<StatusEvent, ExecutionResult>): Promise<{ events: StatusEvent[]; result: ExecutionResult }> {
  const events: StatusEvent[] = [];
  for (;;) {
    const n = await gen.next();
    if (n.done) return { events, result: n.value };
    events.push(n.value);
  }
}

describe('Dask engine: progress events', () => {
  it('turn Dask progress into status{progress} events with done, total and the dashboard link, valid on the wire', async () => {
    const k = scriptedKernel([{ at: 5, done: 3, total: 10, url: 'http://127.0.0.1:8787/status' }], 60);
    const { events, result } = await drain(executeWithProgress(k, 'x', { lang: 'en' }));
    assert.equal(result, okResult);
    assert.deepEqual(events, [
      { type: 'status', stage: 'execution', kind: 'progress', content: 'Computing on Dask: 3 of 10 tasks done', done: 3, total: 10, url: 'http://127.0.0.1:8787/status' },
    ]);
    assert.ok(isRadarmEvent(events[0]));
  });

  it(`send at most one event per ${PROGRESS_EVERY_MS} ms, keeping the latest figures of a burst`, async () => {
    const burst = Array.from({ length: 40 }, (_, i) => ({ at: 2 + i * 10, done: i + 1, total: 40 }));
    const { events } = await drain(executeWithProgress(scriptedKernel(burst, 700), 'x', { lang: 'zh' }));
    assert.ok(events.length >= 2 && events.length <= 4, `${events.length} events for 40 updates in 0.4 s`);
    assert.equal(events[events.length - 1].done, 40, 'the last update is not lost');
    assert.match(events[0].content, /^正在 Dask 上计算：已完成 \d+\/40 个任务$/);
  });

  it('emit nothing for a run without Dask progress', async () => {
    const { events } = await drain(executeWithProgress(scriptedKernel([], 20), 'x', { lang: 'en' }));
    assert.deepEqual(events, []);
  });
});

describe('Dask engine: sources, addresses, flags and settings', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarm-sources-'));
    fs.mkdirSync(path.join(dir, 'parts'));
    fs.writeFileSync(path.join(dir, 'parts', 'a.csv'), 'x\n1\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accept a file, a folder and a glob whose folder exists; name what is missing otherwise', () => {
    assert.deepEqual(checkDataSource(path.join(dir, 'parts')), { path: path.join(dir, 'parts') });
    assert.deepEqual(checkDataSource(path.join(dir, 'parts', '*.csv')), { path: path.join(dir, 'parts', '*.csv') });
    assert.deepEqual(checkDataSource(path.join(dir, 'parts', 'a.csv')), { path: path.join(dir, 'parts', 'a.csv') });
    assert.match((checkDataSource(path.join(dir, 'nope', '*.csv')) as { error: string }).error, /no such folder for the pattern .*nope/);
    assert.match((checkDataSource(path.join(dir, 'nope.csv')) as { error: string }).error, /^no such file: .*nope\.csv$/);
    assert.equal(globBase('/data/lake/year=*/part-*.parquet'), '/data/lake');
  });

  it('accept scheduler addresses the distributed client takes and refuse others with an example', () => {
    for (const ok of ['tcp://10.0.0.5:8786', 'tls://dask.example.com:8786', 'ws://host:8786', 'scheduler:8786'])
      assert.equal(checkSchedulerAddress(ok), undefined, ok);
    assert.match(checkSchedulerAddress('my scheduler')!, /spaces/);
    assert.match(checkSchedulerAddress('http//oops')!, /tcp:\/\/host:8786/);
  });

  it('CLI: --engine and --dask-scheduler (or RADARM_DASK_SCHEDULER) reach the config; bad values are usage errors', () => {
    const base = ['chat', '--base-url', 'http://127.0.0.1:1/v1', '--model', 'm', '--data', path.join(dir, 'parts')];
    const parsed = parseCliArgs([...base, '--engine', 'dask', '--dask-scheduler', 'tcp://127.0.0.1:8786', 'q'], {});
    assert.ok('config' in parsed);
    assert.deepEqual([parsed.config.engine, parsed.config.daskScheduler, parsed.config.dataFiles], ['dask', 'tcp://127.0.0.1:8786', [path.join(dir, 'parts')]]);
    const fromEnv = parseCliArgs([...base, 'q'], { RADARM_DASK_SCHEDULER: 'tcp://h:1' });
    assert.ok('config' in fromEnv && fromEnv.config.engine === 'auto' && fromEnv.config.daskScheduler === 'tcp://h:1');
    assert.deepEqual(parseCliArgs([...base, '--engine', 'spark', 'q'], {}), { error: '--engine must be one of auto, pandas, dask; got "spark"' });
    assert.match((parseCliArgs([...base, '--dask-scheduler', 'a b', 'q'], {}) as { error: string }).error, /^--dask-scheduler: .*spaces/);
  });

  it('settings: radarm.engine is auto unless pandas or dask; radarm.dask.scheduler is trimmed', () => {
    const s = (values: Record<string, unknown>) => readSettings((k) => values[k]);
    assert.deepEqual([s({}).engine, s({}).daskScheduler], ['auto', '']);
    assert.deepEqual([s({ engine: 'dask', 'dask.scheduler': ' tcp://h:8786 ' }).engine, s({ 'dask.scheduler': ' tcp://h:8786 ' }).daskScheduler], ['dask', 'tcp://h:8786']);
    assert.equal(s({ engine: 'spark' }).engine, 'auto');
  });

  it('the picker offers folders with several CSV or Parquet files as one dataset entry', () => {
    const entries = datasetEntries(['top.csv', 'sales/2024-01.csv', 'sales/2024-02.csv', 'sales/notes.json', 'lake/a.parquet', 'lake/b.parquet', 'one/x.csv']);
    assert.deepEqual(entries, [
      { display: 'sales/*.csv', member: 'sales/2024-01.csv', pattern: '*.csv' },
      { display: 'lake/*.parquet', member: 'lake/a.parquet', pattern: '*.parquet' },
    ]);
  });
});

describe('Dask engine: prompts', () => {
  const profile = (engine: 'pandas' | 'dask'): DataProfile => ({
    text: '### sales → df',
    variables: ['df'],
    files: [{ path: '/d/sales', name: 'sales', key: 'sales', dataEngine: engine }],
  });

  it('teach the Dask idioms only when a source is held by Dask', () => {
    assert.equal(daskSection(profile('pandas')), undefined);
    const section = daskSection(profile('dask'))!;
    for (const idiom of [/LAZY Dask DataFrame/, /\.compute\(\)` only on SMALL results/, /\.persist\(\)/, /No row-wise Python loops/, /Plot only computed/])
      assert.match(section, idiom);
    const system = codeGenerationMessages({ question: 'q', lang: 'en', profile: profile('dask'), dataFiles: ['/d/sales'], history: [] })[0].content;
    assert.ok(system.includes(section), 'the code prompt carries the section');
    const plain = codeGenerationMessages({ question: 'q', lang: 'en', profile: profile('pandas'), dataFiles: ['/d/sales'], history: [] })[0].content;
    assert.ok(!plain.includes('Dask'));
  });
});

describe('Dask engine: taken-away code for datasets', () => {
  it('write a local cluster and lazy Dask reads, or a pandas concatenation of the parts, relative to the workspace', () => {
    const text = datasetPrelude(
      [
        { key: 'sales', read: { func: 'dask.dataframe.read_csv', kwargs: { encoding: 'gb18030', sep: ';', blocksize: '64MB', assume_missing: true }, pattern: '/w/sales/*.csv', scheduler: 'local' } },
        { key: 'lake', read: { func: 'concat.read_parquet', kwargs: {}, pattern: '/w/lake/**/*.parquet' } },
      ],
      '/w',
    );
    assert.equal(
      text,
      [
        'import glob',
        'import pandas as pd',
        'import dask.dataframe as dd',
        'from dask.distributed import Client',
        '',
        'client = Client(processes=False)  # a local Dask cluster, as Radarm ran it',
        'dfs = {}',
        'dfs["sales"] = dd.read_csv("sales/*.csv", encoding="gb18030", sep=";", blocksize="64MB", assume_missing=True)',
        'dfs["lake"] = pd.concat([pd.read_parquet(p) for p in sorted(glob.glob("lake/**/*.parquet", recursive=True))], ignore_index=True)',
        'df = dfs["sales"]',
        '',
        '',
      ].join('\n'),
    );
  });
});
