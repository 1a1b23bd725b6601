/**
 * What test helpers start (PostgreSQL, MariaDB, the Dask cluster) must not outlive the test run, however it ends:
 * - mocha's root after() (every test done, failures included) and process exit (a before() hook that threw,
 *   mocha exiting with failures) run the helpers' stops;
 * - SIGTERM, SIGINT and SIGHUP run them too, then the signal is raised again, so a killed run still dies of it;
 * - SIGKILL cannot be caught: each helper's temporary folder carries `owner.json` (the test process's pid and the
 *   server pids), and the next run that starts the same kind of server stops and removes what a dead owner left.
 *
 *   atRunEnd(stopAll);                  // at module load: the helper's own stop (servers, then their folders)
 *   const dir = runDir('radarm-pg-');   // a fresh temp folder of this run (stale ones of dead runs swept first)
 *   dir.track(pid, 'SIGQUIT');          // a server a later run may have to stop
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const stops: (() => void)[] = [];

/** Registers a stop (synchronous: it may run inside an exit or signal handler). */
export function atRunEnd(stop: () => void): void {
  stops.push(stop);
}

/** Runs every registered stop once, the last registered first; one that throws does not keep the others from running. */
export function runEnd(): void {
  for (const stop of stops.splice(0).reverse()) {
    try {
      stop();
    } catch (err) {
      process.stderr.write(`test clean-up: ${(err as Error).message}\n`);
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  process.stderr.write(`\ntest run got ${signal}: stopping the servers it started\n`);
  runEnd();
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

// Mocha root hook (registered when the first test file that imports a server helper loads), then the exits mocha
// does not reach.
if (typeof after === 'function') after(runEnd);
process.on('exit', runEnd);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, onSignal);

interface Owner {
  owner: number;
  servers: { pid: number; comm: string; signal: NodeJS.Signals }[];
}

export interface RunDir {
  path: string;
  /** Records a server process, so that a later run can stop it if this run dies without cleaning up. */
  track(pid: number, signal?: NodeJS.Signals): void;
}

/** True while `pid` runs (a zombie counts as gone: it holds no port, no files, no memory). */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const comm = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** Waits (synchronously: exit and signal handlers cannot await) until none of `pids` runs, at most `ms`. */
export function waitGone(pids: number[], ms = 10_000): boolean {
  const until = Date.now() + ms;
  const tick = new Int32Array(new SharedArrayBuffer(4));
  while (pids.some(alive)) {
    if (Date.now() > until) return false;
    Atomics.wait(tick, 0, 0, 20); // a process's death has no event to wait on from here: poll /proc
  }
  return true;
}

/**
 * Stops and removes the folders `prefix*` in the temp folder whose owning test process is gone. Folders without
 * an owner file (another version of the helpers, maybe still running) and those of live runs are left alone, and
 * a pid is signalled only while it still runs the program it ran when recorded. Returns the folders removed.
 */
export function sweepStale(prefix: string): string[] {
  const swept: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(tmpdir(), name);
    let owner: Owner;
    try {
      owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as Owner;
    } catch {
      continue;
    }
    if (alive(owner.owner)) continue;
    const pids = owner.servers.filter((s) => alive(s.pid) && comm(s.pid) === s.comm);
    for (const s of pids) {
      try {
        process.kill(s.pid, s.signal);
      } catch {
        /* gone meanwhile */
      }
    }
    waitGone(pids.map((s) => s.pid));
    // Files a server wrote as another user (PostgreSQL runs as `postgres` under root) are removable by root.
    rmSync(dir, { recursive: true, force: true });
    if (existsSync(dir)) spawnSync('rm', ['-rf', dir]);
    swept.push(dir);
  }
  return swept;
}

/** A new temp folder `prefix*` owned by this process, after sweeping stale ones (the helper removes it after its stop). */
export function runDir(prefix: string): RunDir {
  sweepStale(prefix);
  const path = mkdtempSync(join(tmpdir(), prefix));
  const owner: Owner = { owner: process.pid, servers: [] };
  const save = () => writeFileSync(join(path, 'owner.json'), JSON.stringify(owner));
  save();
  return {
    path,
    track(pid, signal = 'SIGKILL') {
      owner.servers.push({ pid, comm: comm(pid), signal });
      save();
    },
  };
}
