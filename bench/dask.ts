// Dask benchmark: a group-by over about 1 GB of CSV parts, answered through Radarm's kernel twice in the same
// run on the same files — with the pandas engine (the parts loaded into one DataFrame, then the group-by) and
// with the Dask engine on a local 2-worker cluster (Debian's `dask scheduler` + two `dask worker`s, one thread
// each). Rows per second = rows / (load + question), i.e. what a user waits for. The data is generated in a
// temp dir and removed afterwards. Target: ratio_vs_pandas >= 1.
// Standalone: node --import tsx bench/dask.ts [--mb 1024]   (JSON on stdout)
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createKernel } from '../src/kernel';
import { daskCluster } from '../test/helpers/dask-cluster';

export interface DaskBenchResult {
  csv_mb: number;
  parts: number;
  rows: number;
  pandas_load_ms: number;
  pandas_query_ms: number;
  pandas_rows_per_s: number;
  dask_load_ms: number;
  dask_query_ms: number;
  dask_rows_per_s: number;
  ratio_vs_pandas: number;
  workers: number;
  target: string;
  met: boolean;
}

const REGIONS = ['north', 'south', 'east', 'west', 'central', 'overseas'];

async function writePart(file: string, rows: number, seed: number): Promise<number> {
  const out = createWriteStream(file);
  out.write('region,product,amount,qty\n');
  let bytes = 0;
  const batch: string[] = [];
  for (let i = 0; i < rows; i++) {
    const n = seed * rows + i;
    batch.push(`${REGIONS[n % 6]},p${n % 1000},${(n * 7919) % 100000 / 100},${n % 13}\n`);
    if (batch.length === 50_000) {
      const chunk = batch.join('');
      bytes += chunk.length;
      batch.length = 0;
      if (!out.write(chunk)) await once(out, 'drain');
    }
  }
  const rest = batch.join('');
  bytes += rest.length;
  out.end(rest);
  await once(out, 'finish');
  return bytes;
}

export async function benchDask(opts: { mb?: number; parts?: number; python?: string; log?: (s: string) => void } = {}): Promise<DaskBenchResult> {
  const log = opts.log ?? (() => undefined);
  const python = opts.python ?? process.env.RADARM_TEST_PYTHON ?? '/usr/bin/python3';
  const mb = opts.mb ?? 1024;
  const parts = opts.parts ?? 8;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'radarm-bench-dask-'));
  const rowsPerPart = Math.round((mb * 1024 * 1024) / parts / 20.5); // ~20.5 bytes a row
  const cluster = await daskCluster();
  try {
    log(`  dask: writing ${parts} parts of ~${Math.round(mb / parts)} MB…`);
    let bytes = 0;
    for (let p = 0; p < parts; p++) bytes += await writePart(path.join(dir, `part-${String(p).padStart(2, '0')}.csv`), rowsPerPart, p);
    const rows = rowsPerPart * parts;
    const query = "r = df.groupby('region').amount.sum()\nr = r.compute() if hasattr(r, 'compute') else r\nlen(r)";

    const measure = async (engine: 'pandas' | 'dask') => {
      const k = createKernel({ pythonPath: python, cwd: dir, warmup: false, engine, daskScheduler: cluster.address, execTimeoutMs: 600_000 });
      try {
        await k.start();
        const t0 = performance.now();
        const profile = await k.loadData([dir]);
        const t1 = performance.now();
        const file = profile.files[0];
        if (file.error || file.dataEngine !== engine) throw new Error(`${engine} load: ${file.error ?? `engine ${file.dataEngine}`}`);
        const r = await k.execute(query, { timeoutMs: 600_000 });
        const t2 = performance.now();
        if (!r.ok || r.value !== String(REGIONS.length)) throw new Error(`${engine} query: ${r.text}`);
        return { load: Math.round(t1 - t0), query: Math.round(t2 - t1) };
      } finally {
        await k.dispose();
      }
    };
    log('  dask: pandas engine (load the parts, then the group-by)…');
    const pd = await measure('pandas');
    log(`  dask: pandas ${pd.load} + ${pd.query} ms; Dask engine on 2 workers…`);
    const dk = await measure('dask');
    log(`  dask: dask ${dk.load} + ${dk.query} ms`);
    const pandasRps = Math.round(rows / ((pd.load + pd.query) / 1000));
    const daskRps = Math.round(rows / ((dk.load + dk.query) / 1000));
    const ratio = +(daskRps / pandasRps).toFixed(2);
    return {
      csv_mb: Math.round(bytes / 1024 / 1024),
      parts,
      rows,
      pandas_load_ms: pd.load,
      pandas_query_ms: pd.query,
      pandas_rows_per_s: pandasRps,
      dask_load_ms: dk.load,
      dask_query_ms: dk.query,
      dask_rows_per_s: daskRps,
      ratio_vs_pandas: ratio,
      workers: (await cluster.counts()).workers,
      target: '>= 1',
      met: ratio >= 1,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  }
}

if (process.argv[1] && /bench[\\/]dask\.ts$/.test(process.argv[1])) {
  const i = process.argv.indexOf('--mb');
  benchDask({ mb: i > 0 ? Number(process.argv[i + 1]) : undefined, log: (s) => console.error(s) }).then(
    (r) => console.log(JSON.stringify(r)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
