/**
 * A real Dask cluster for tests, started at most ONCE per test run (lazily, by the first test that needs it) and
 * stopped when the run ends, however it ends (run-cleanup.ts): Debian's `dask scheduler` and two `dask worker` processes (one thread
 * each) on 127.0.0.1, with a preload plugin that counts the tasks that finished per key prefix.
 *
 *   const c = await daskCluster();
 *   c.address                  // tcp://127.0.0.1:PORT, for radarm.dask.scheduler / --dask-scheduler
 *   await c.counts()           // the scheduler's live counts (/json/counts.json): tasks, processing, workers, …
 *   c.finished()               // tasks finished on the workers so far, per key prefix ({"read-csv": 8, …})
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { atRunEnd, runDir, waitGone, type RunDir } from './run-cleanup';

export const DASK = process.env.RADARM_TEST_DASK || '/usr/bin/dask';
const PRELOAD = resolve(__dirname, '../fixtures/dask_task_counter.py');

export interface DaskCounts {
  tasks: number;
  processing: number;
  memory: number;
  workers: number;
  clients: number;
}

export interface DaskCluster {
  address: string;
  /** The scheduler's HTTP server (JSON routes; the dashboard pages need bokeh). */
  http: string;
  counts(): Promise<DaskCounts>;
  finished(): Record<string, number>;
  /** Waits until the scheduler holds no tasks (everything released or cancelled). */
  waitIdle(ms?: number): Promise<DaskCounts>;
  /** The scheduler's and the workers' process ids (to check that none outlives the run) and the temporary folder. */
  pids(): number[];
  dir: string;
  stop(): Promise<void>;
}

let started: Promise<DaskCluster> | undefined;
const cleanups: (() => void)[] = [];

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

const pids: number[] = [];

function launch(run: RunDir, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; log: () => string } {
  const child = spawn(DASK, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  pids.push(child.pid!);
  run.track(child.pid!);
  let log = '';
  const keep = (d: Buffer) => (log = (log + d.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    waitGone([child.pid!]);
  };
  cleanups.push(kill);
  return { child, log: () => log };
}

async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function start(): Promise<DaskCluster> {
  if (!existsSync(DASK)) throw new Error(`${DASK} is missing: install python3-distributed (Debian) for the Dask tests`);
  const run = runDir('radarm-dask-');
  const dir = run.path;
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const countsFile = join(dir, 'counts.json');
  const [port, httpPort] = [await freePort(), await freePort()];
  const address = `tcp://127.0.0.1:${port}`;
  const http = `http://127.0.0.1:${httpPort}`;
  const env = { RADARM_DASK_COUNTS: countsFile, DASK_DISTRIBUTED__ADMIN__TICK__LIMIT: '10s' };
  const scheduler = launch(
    run,
    ['scheduler', '--host', '127.0.0.1', '--port', String(port), '--dashboard-address', `127.0.0.1:${httpPort}`, '--preload', PRELOAD],
    env,
  );
  const counts = async (): Promise<DaskCounts> => (await fetch(`${http}/json/counts.json`)).json() as Promise<DaskCounts>;
  await waitFor(
    () => counts().then(() => true, () => (scheduler.child.exitCode !== null ? Promise.reject(new Error(`dask scheduler exited: ${scheduler.log()}`)) : undefined)),
    'the Dask scheduler',
  );
  for (let i = 0; i < 2; i++)
    launch(run, ['worker', address, '--host', '127.0.0.1', '--nthreads', '1', '--no-nanny', '--no-dashboard', '--memory-limit', '0', '--name', `w${i}`], env);
  await waitFor(() => counts().then((c) => (c.workers >= 2 ? true : undefined)), 'two Dask workers');
  return {
    address,
    http,
    counts,
    finished: () => (existsSync(countsFile) ? (JSON.parse(readFileSync(countsFile, 'utf8')) as Record<string, number>) : {}),
    waitIdle: (ms = 15_000) => waitFor(() => counts().then((c) => (c.tasks === 0 ? c : undefined)), 'the scheduler to hold no tasks', ms),
    pids: () => [...pids],
    dir,
    stop: async () => stopAll(),
  };
}

export function daskCluster(): Promise<DaskCluster> {
  started ??= start();
  return started;
}

function stopAll(): void {
  for (const c of cleanups.splice(0).reverse()) c();
  pids.length = 0;
  started = undefined;
}

// At the run's end however it ends: mocha's root after(), exit, SIGTERM/SIGINT/SIGHUP (see run-cleanup.ts).
atRunEnd(stopAll);
