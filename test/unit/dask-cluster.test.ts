// Datasets and the Dask engine against a REAL cluster: Debian's `dask scheduler` and two `dask worker` processes
// on 127.0.0.1 (started once per run by test/helpers/dask-cluster.ts), the real kernel on /usr/bin/python3, and
// the agent through the fake LLM server. The scheduler's task counter shows where the work ran.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createKernel } from '../../src/kernel';
import type { PythonKernel } from '../../src/kernel/types';
import { runMode } from '../../src/agent';
import { datasetPrelude, isDatasetRead } from '../../src/agent/dataset-prelude';
import { createLlmService } from '../../src/llm';
import type { RadarmEvent, StatusEvent } from '../../src/protocol/events';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server';
import { daskCluster, freePort, type DaskCluster } from '../helpers/dask-cluster';
import { TEST_PYTHON, assertContract, collect, completeOf, providerFor, py, scriptStages } from './agent-harness';
import { buildOnce } from '../helpers/build-once';

const REGIONS = ['north', 'south', 'east', 'west'];

/** Parts of sales CSV: `rows` rows each; amount = (part * rows + i) % 97. Returns the expected sums per region. */
function writeParts(dir: string, parts: number, rows: number): Record<string, number> {
  fs.mkdirSync(dir, { recursive: true });
  const sums: Record<string, number> = {};
  for (let p = 0; p < parts; p++) {
    const lines = ['region,amount,units'];
    for (let i = 0; i < rows; i++) {
      const region = REGIONS[i % 4];
      const amount = (p * rows + i) % 97;
      sums[region] = (sums[region] ?? 0) + amount;
      lines.push(`${region},${amount},${i % 5}`);
    }
    fs.writeFileSync(path.join(dir, `day-${String(p).padStart(2, '0')}.csv`), lines.join('\n') + '\n');
  }
  return sums;
}

describe('Dask engine on a real local cluster (scheduler + 2 workers)', function () {
  this.timeout(120_000);
  let cluster: DaskCluster;
  let server: FakeLlmServer;
  let dir: string;
  const kernels: PythonKernel[] = [];
  const llm = createLlmService({ retry: { maxAttempts: 1 } });
  const finishedTotal = () => Object.values(cluster.finished()).reduce((a, b) => a + b, 0);
  const kernel = (opts: Partial<Parameters<typeof createKernel>[0]> = {}) => {
    const k = createKernel({ pythonPath: TEST_PYTHON, cwd: dir, warmup: false, ...opts });
    kernels.push(k);
    return k;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarm-dask-data-'));
    [cluster, server] = await Promise.all([daskCluster(), startFakeLlmServer()]);
  });
  after(async () => {
    await Promise.all(kernels.map((k) => k.dispose()));
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a question over a folder of CSV parts is answered on the cluster (right sums, a chart, progress, tasks counted by the scheduler), and the taken-away code recreates the same client and dataset', async () => {
    const sums = writeParts(path.join(dir, 'sales'), 6, 2000);
    const before = finishedTotal();
    const code = [
      'import time',
      '# a short pause per partition, so that the computation lasts long enough to report progress',
      "slow = df.map_partitions(lambda part: (time.sleep(0.4), part)[1], meta=df._meta)",
      "totals = slow.groupby('region').amount.sum().compute()",
      "for region, value in totals.items(): print(region, int(value))",
      'fig, ax = plt.subplots()',
      'totals.plot.bar(ax=ax)',
      'result = totals',
    ].join('\n');
    scriptStages(server, { code_generation: [py(code)], explanation: ['North leads.'] });
    const k = kernel({ engine: 'dask', daskScheduler: cluster.address });
    const events = await collect(
      runMode('agent_single', { llm, provider: providerFor(server), apiKey: 'k', kernel: k, dataFiles: [path.join(dir, 'sales')], history: [] }, 'Total amount per region?'),
    );
    assertContract(events);
    const data = completeOf(events);
    for (const region of REGIONS) assert.match(data.execution_result ?? '', new RegExp(`${region} ${sums[region]}\\b`), `${region} sum`);
    assert.ok(data.image?.startsWith('data:image/png;base64,'), 'a chart');
    const progress = events.filter((e): e is StatusEvent => e.type === 'status' && e.kind === 'progress');
    assert.ok(progress.length >= 1, 'at least one progress line');
    assert.ok(progress.every((p) => p.total! > 0 && p.done! <= p.total!), 'done of total');
    // One task per part at least (read, pause and partial sums are fused per part), plus the final aggregate.
    assert.ok(finishedTotal() - before >= 7, `the workers ran the tasks: ${JSON.stringify(cluster.finished())}`);
    const profile = await k.loadData([path.join(dir, 'sales')]);
    assert.deepEqual(
      { parts: profile.files[0].parts, rows: profile.files[0].rows, exact: profile.files[0].rowsExact, engine: profile.files[0].dataEngine, scheduler: profile.files[0].scheduler },
      { parts: 6, rows: 12_000, exact: true, engine: 'dask', scheduler: cluster.address },
    );
    assert.match(profile.text, /6 parts, .* exactly 12,000 rows/);
    assert.match(profile.text, /sample: \d+ rows from day-00\.csv, day-03\.csv, day-05\.csv/, 'samples across parts');

    // The code taken away (Insert, notebook) recreates the same client and dataset in a plain Python.
    const sources = profile.files.flatMap((f) => (isDatasetRead(f.read) ? [{ key: f.key!, read: f.read }] : []));
    const script = datasetPrelude(sources, dir) + "totals = df.groupby('region').amount.sum().compute()\nfor r, v in totals.items(): print(r, int(v))\nprint(client.scheduler.address)\n";
    assert.match(script, /client = Client\("tcp:\/\/127\.0\.0\.1:\d+"\)\ndf = dd\.read_csv\("sales\/\*\.csv", blocksize="64MB", assume_missing=True\)/);
    const run = spawnSync(TEST_PYTHON, ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    for (const region of REGIONS) assert.match(run.stdout, new RegExp(`${region} ${sums[region]}\\b`));
    assert.ok(run.stdout.includes(cluster.address), 'the same scheduler');
  });

  it('data larger than the kernel memory cap: pandas reports it cannot load it, auto picks Dask, and Dask answers', async () => {
    // Distinct short strings take ~7x their CSV size in pandas (a Python object each, plus parsing): these
    // 67 MB of CSV need more than the kernel's 800 MB cap, while Dask reads them part by part on the workers.
    const big = path.join(dir, 'big');
    fs.mkdirSync(big);
    for (let p = 0; p < 2; p++) {
      const lines = ['a,b,c,d,amount'];
      for (let i = 0; i < 800_000; i++) {
        const id = `${p}${String(i).padStart(7, '0')}`;
        lines.push(`a${id},b${id},c${id},d${id},${i % 10}`);
      }
      fs.writeFileSync(path.join(big, `part-${p}.csv`), lines.join('\n') + '\n');
    }
    const expected = 2 * (800_000 / 10) * 45;
    const pandasKernel = kernel({ engine: 'pandas', memoryLimitMb: 800 });
    const failed = await pandasKernel.loadData([big]);
    assert.equal(pandasKernel.info?.memoryLimitMb, 800, 'the cap applies');
    assert.match(failed.files[0].error ?? '', /not enough memory.*radarm\.engine/);

    const autoKernel = kernel({ engine: 'auto', memoryLimitMb: 800, daskScheduler: cluster.address });
    const profile = await autoKernel.loadData([big]);
    assert.equal(profile.files[0].error, undefined);
    assert.equal(profile.files[0].dataEngine, 'dask', 'auto chose Dask');
    const r = await autoKernel.execute('int(df.amount.sum().compute())', { timeoutMs: 90_000 });
    assert.ok(r.ok, r.text);
    assert.equal(r.value, String(expected));
  });

  it('auto keeps pandas for data that fits: the folder becomes one pandas DataFrame with the exact row count', async () => {
    writeParts(path.join(dir, 'small'), 3, 100);
    const k = kernel({ engine: 'auto', daskScheduler: cluster.address });
    const profile = await k.loadData([path.join(dir, 'small')]);
    assert.deepEqual([profile.files[0].dataEngine, profile.files[0].rows, profile.files[0].parts], ['pandas', 300, 3]);
    const r = await k.execute('type(df).__module__, len(df)');
    assert.equal(r.value, "('pandas.core.frame', 300)");
  });

  it('an unreachable scheduler ends the turn within seconds with error code dask naming the address', async () => {
    writeParts(path.join(dir, 'few'), 2, 10);
    const address = `tcp://127.0.0.1:${await freePort()}`;
    scriptStages(server, { code_generation: [py('result = 1')], explanation: ['x'] });
    const k = kernel({ engine: 'dask', daskScheduler: address });
    await k.start();
    const t0 = Date.now();
    const events = await collect(
      runMode('agent_single', { llm, provider: providerFor(server), apiKey: 'k', kernel: k, dataFiles: [path.join(dir, 'few')], history: [] }, 'How many rows?'),
    );
    const seconds = (Date.now() - t0) / 1000;
    assertContract(events);
    const err = events.find((e): e is Extract<RadarmEvent, { type: 'error' }> => e.type === 'error')!;
    assert.equal(err.code, 'dask');
    assert.ok(err.content.includes(address), err.content);
    assert.match(err.content, /radarm\.dask\.scheduler/);
    assert.ok(seconds < 15, `ended after ${seconds} s`);
  });

  it('Stop during a long computation cancels it on the cluster: the scheduler drops the tasks before they all ran', async () => {
    writeParts(path.join(dir, 'long'), 8, 50);
    const k = kernel({ engine: 'dask', daskScheduler: cluster.address });
    await k.loadData([path.join(dir, 'long')]);
    await cluster.waitIdle();
    const before = finishedTotal();
    const ac = new AbortController();
    const seen: number[] = [];
    const code = [
      'import time',
      'def slow_part(part):',
      '    time.sleep(3)',
      '    return part',
      "df.map_partitions(slow_part, meta=df._meta).amount.sum().compute()",
    ].join('\n');
    const r = await k.execute(code, {
      signal: ac.signal,
      onProgress: (p) => {
        seen.push(p.total);
        ac.abort(); // Stop as soon as the cluster reports the computation
      },
    });
    assert.equal(r.cancelled, true, r.text);
    assert.ok(seen.length >= 1 && seen[0] >= 8, 'progress was reported before the Stop');
    const idle = await cluster.waitIdle(10_000);
    assert.equal(idle.tasks, 0);
    const ran = finishedTotal() - before;
    assert.ok(ran <= 4, `only ${ran} tasks finished, not the 9 of the whole computation (the rest were cancelled)`);
    // The kernel and its client still work after the Stop.
    const again = await k.execute('int(df.units.sum().compute())');
    assert.equal(again.value, String(8 * [0, 1, 2, 3, 4].reduce((a, b) => a + b, 0) * 10));
  });

  it('the CLI answers about a glob of parts on the cluster: --data GLOB --engine dask --dask-scheduler, with progress lines', async () => {
    const sums = writeParts(path.join(dir, 'cli'), 4, 500);
    const root = path.resolve(__dirname, '../..');
    buildOnce();
    const code = [
      'import time',
      "slow = df.map_partitions(lambda part: (time.sleep(0.4), part)[1], meta=df._meta)",
      "totals = slow.groupby('region').amount.sum().compute()",
      "for region, value in totals.items(): print(region, int(value))",
    ].join('\n');
    scriptStages(server, { code_generation: [py(code)], explanation: ['Done.'] });
    const args = [path.join(root, 'dist/cli.js'), 'chat', '--mode', 'agent_single', '--base-url', server.baseUrl, '--model', 'm',
      '--python', TEST_PYTHON, '--data', path.join(dir, 'cli', '*.csv'), '--engine', 'dask', '--dask-scheduler', cluster.address,
      '--format', 'ndjson', 'Sum per region?'];
    const env = { ...process.env, RADARM_API_KEY: 'k' };
    const run = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, args, { cwd: dir, env });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (c) => resolve({ code: c, out, err }));
    });
    assert.equal(run.code, 0, run.err + run.out.slice(-2000));
    const events = run.out.trim().split('\n').map((l) => JSON.parse(l) as RadarmEvent);
    const data = completeOf(events);
    for (const region of REGIONS) assert.match(data.execution_result ?? '', new RegExp(`${region} ${sums[region]}\\b`));
    assert.ok(events.some((e) => e.type === 'status' && e.kind === 'progress'), 'progress lines in the stream');
  });

  it('parts with different columns are reported (which part, which columns), never unioned', async () => {
    const mixed = path.join(dir, 'mixed');
    fs.mkdirSync(mixed);
    fs.writeFileSync(path.join(mixed, 'a.csv'), 'region,amount\nn,1\n');
    fs.writeFileSync(path.join(mixed, 'b.csv'), 'region,amount\ns,2\n');
    fs.writeFileSync(path.join(mixed, 'c.csv'), 'region,total,extra\ne,3,4\n');
    // The schema is checked before an engine is chosen, so one engine covers both.
    const k = kernel({ engine: 'dask', daskScheduler: cluster.address });
    const profile = await k.loadData([path.join(mixed, '*.csv')]);
    const error = profile.files[0].error ?? '';
    assert.match(error, /do not share one schema/);
    assert.match(error, /c\.csv \(missing amount; extra total, extra\)/);
    assert.equal(profile.files[0].errorCode, 'data');
    assert.deepEqual(profile.variables, []);
  });
});
