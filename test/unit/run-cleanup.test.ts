// The servers test helpers start (PostgreSQL, MariaDB, the Dask cluster) do not outlive a test run that is
// killed or fails: each case is a real child mocha run (test/fixtures/run-cleanup.spec.ts) that starts them with
// the real helpers; afterwards no process of that run remains (checked by pid in /proc) and its folders are gone.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from '../helpers/run-cleanup';

const ROOT = join(__dirname, '..', '..');
const SPEC = join(ROOT, 'test', 'fixtures', 'run-cleanup.spec.ts');
const MOCHA = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');

interface Started {
  pids: number[];
  dirs: string[];
}

interface ChildRun {
  /** Resolves once the servers run (their pids and folders). */
  started: Promise<Started>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  kill(signal: NodeJS.Signals): void;
}

const scratch = mkdtempSync(join(tmpdir(), 'radarm-cleanup-test-'));
let runs = 0;
const everyPid: number[] = [];
const everyDir: string[] = [];

function childRun(start: string[], mode: 'wait' | 'pass' | 'failure' | 'before-throws'): ChildRun {
  const out = join(scratch, `run-${++runs}.json`);
  const child = spawn(process.execPath, [MOCHA, '--reporter', 'dot', SPEC], {
    cwd: ROOT,
    env: { ...process.env, RADARM_CLEANUP_START: start.join(','), RADARM_CLEANUP_MODE: mode, RADARM_CLEANUP_OUT: out },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, output })),
  );
  // The child writes the file once every server answers; its appearance has no event here, so it is polled.
  const started = new Promise<Started>((resolve, reject) => {
    let taken = false;
    const take = () => {
      clearInterval(poll);
      if (taken) return;
      taken = true;
      const s = JSON.parse(readFileSync(out, 'utf8')) as Started;
      everyPid.push(...s.pids);
      everyDir.push(...s.dirs);
      resolve(s);
    };
    const poll = setInterval(() => existsSync(out) && take(), 50);
    // A quick run (a failing test) can write the file and exit between two polls: take the file then.
    void exited.then(({ output }) => {
      clearInterval(poll);
      if (existsSync(out)) take();
      else reject(new Error(`the child run ended before its servers ran:\n${output}`));
    });
  });
  return { started, exited, kill: (signal) => child.kill(signal) };
}

function assertGone(s: Started, what: string) {
  assert.ok(s.pids.length > 0 && s.dirs.length > 0, `${what}: something was started`);
  assert.deepEqual(s.pids.filter(alive), [], `${what}: no server process remains`);
  assert.deepEqual(s.dirs.filter((d) => existsSync(d)), [], `${what}: no folder remains`);
}

describe('test servers never outlive the run', function () {
  this.timeout(240_000);

  after(() => {
    // Whatever a failed case left: this suite must not leave servers either.
    for (const pid of everyPid.filter(alive)) process.kill(pid, 'SIGKILL');
    for (const dir of [...everyDir, scratch]) rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM mid-test: PostgreSQL, MariaDB and the Dask scheduler and workers are stopped, their folders removed, and the run still dies of SIGTERM', async () => {
    const run = childRun(['postgres', 'mariadb', 'dask'], 'wait');
    const s = await run.started;
    assert.equal(s.pids.length, 5, 'postmaster, mariadbd, a scheduler and two workers');
    assert.deepEqual(s.pids.filter((p) => !alive(p)), [], 'all running before the kill');
    run.kill('SIGTERM');
    const end = await run.exited;
    assert.equal(end.signal, 'SIGTERM', end.output);
    assertGone(s, 'after SIGTERM');
  });

  it('SIGKILL cannot be caught; the next run starts beside the stale folders, then stops and removes what the dead run left', async () => {
    const killed = childRun(['postgres', 'mariadb', 'dask'], 'wait');
    const stale = await killed.started;
    killed.kill('SIGKILL');
    await killed.exited;
    assert.deepEqual(stale.pids.filter((p) => !alive(p)), [], 'the killed run left its servers running');
    assert.deepEqual(stale.dirs.filter((d) => !existsSync(d)), [], 'and its folders');

    const next = childRun(['postgres', 'mariadb', 'dask'], 'pass');
    const fresh = await next.started;
    const end = await next.exited;
    assert.equal(end.code, 0, end.output);
    assertGone(stale, 'the stale run');
    assertGone(fresh, 'the next run');
  });

  for (const [mode, how] of [
    ['failure', 'mocha exits with a failing test'],
    ['before-throws', 'a before() hook throws'],
  ] as const) {
    it(`${how}: the run's servers are stopped and their folders removed`, async () => {
      const run = childRun(['sleeper'], mode);
      const s = await run.started;
      const end = await run.exited;
      assert.equal(end.code, 1, end.output);
      assertGone(s, how);
    });
  }

  it('SIGINT (Ctrl-C) mid-test: the servers are stopped and the run dies of SIGINT', async () => {
    const run = childRun(['sleeper'], 'wait');
    const s = await run.started;
    run.kill('SIGINT');
    const end = await run.exited;
    assert.equal(end.signal, 'SIGINT', end.output);
    assertGone(s, 'after SIGINT');
  });
});
