// No orphans: dispose() ends the kernel and what its code started; so does the extension host exiting or dying.
// These run unsandboxed (the pids the code reports are host pids); kernel-sandbox-*.test.ts cover the sandbox.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createKernel } from '../../src/kernel';
import { processAlive, TEST_PYTHON, waitFor } from '../fixtures/kernel-data';

const parentScript = path.join(__dirname, '..', 'fixtures', 'kernel-parent.ts');

/** Runs the parent fixture and resolves with the pids it prints. */
function startParent(mode: 'exit' | 'wait') {
  const child = spawn(process.execPath, ['--import', 'tsx', parentScript, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const pids = new Promise<{ kernel: number; child: number }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line));
    });
    child.on('close', (code) => reject(new Error(`parent exited (${code}) before printing pids: ${err}`)));
  });
  return { child, pids };
}

describe('kernel: lifecycle', function () {
  this.timeout(60_000);

  it('dispose() ends the kernel process and the processes its code started', async () => {
    const kernel = createKernel({ cwd: process.cwd(), pythonPath: TEST_PYTHON, warmup: false, sandbox: { mode: 'off' } });
    const r = await kernel.execute('import subprocess\nsubprocess.Popen(["sleep", "300"]).pid');
    const pid = kernel.info!.pid;
    const sub = Number(r.value);
    assert.ok(processAlive(pid) && processAlive(sub));
    await kernel.dispose();
    assert.ok(await waitFor(() => !processAlive(pid) && !processAlive(sub), 5000), 'no orphans after dispose');
    await assert.rejects(kernel.execute('1'), /disposed/);
    await kernel.dispose(); // idempotent
  });

  it('a crashed kernel leaves no subprocesses behind', async () => {
    const kernel = createKernel({ cwd: process.cwd(), pythonPath: TEST_PYTHON, warmup: false, sandbox: { mode: 'off' } });
    try {
      const r = await kernel.execute('import subprocess\nsubprocess.Popen(["sleep", "300"]).pid');
      const sub = Number(r.value);
      assert.ok(processAlive(sub));
      const crash = await kernel.execute('import os\nos._exit(3)');
      assert.equal(crash.crashed, true);
      assert.ok(await waitFor(() => !processAlive(sub), 5000), 'the subprocess went with the kernel');
    } finally {
      await kernel.dispose();
    }
  });

  it('a crash is reported, and a subprocess that left the process group (and held the pipes) ends with it', async () => {
    const kernel = createKernel({ cwd: process.cwd(), pythonPath: TEST_PYTHON, warmup: false, sandbox: { mode: 'off' } });
    let escaped = 0;
    try {
      const r = await kernel.execute('import subprocess\nsubprocess.Popen(["setsid", "sleep", "300"]).pid');
      escaped = Number(r.value);
      const crash = await kernel.execute('import os\nos._exit(3)');
      assert.equal(crash.crashed, true);
      assert.match(crash.text, /exited with code 3/);
      // The supervisor parent outlives the crashed runner and ends what it left behind.
      assert.ok(await waitFor(() => !processAlive(escaped), 5000), 'the setsid subprocess ended with the crashed runner');
      assert.equal((await kernel.execute('"alive"')).value, "'alive'");
    } finally {
      await kernel.dispose();
      if (escaped && processAlive(escaped)) process.kill(escaped, 'SIGKILL');
    }
  });

  it('a segfault of the runner is still reported as one through the supervisor, and escapees end with it', async () => {
    const kernel = createKernel({ cwd: process.cwd(), pythonPath: TEST_PYTHON, warmup: false, sandbox: { mode: 'off' } });
    let escaped = 0;
    try {
      const r = await kernel.execute('import subprocess\nsubprocess.Popen(["setsid", "sleep", "300"]).pid');
      escaped = Number(r.value);
      const crash = await kernel.execute('import ctypes\nctypes.string_at(0)');
      assert.equal(crash.crashed, true);
      assert.match(crash.text, /segmentation fault/);
      assert.ok(await waitFor(() => !processAlive(escaped), 5000), 'the setsid subprocess ended with the crashed runner');
    } finally {
      await kernel.dispose();
      if (escaped && processAlive(escaped)) process.kill(escaped, 'SIGKILL');
    }
  });

  it('dispose() during a run resolves that run as cancelled', async () => {
    const kernel = createKernel({ cwd: process.cwd(), pythonPath: TEST_PYTHON, warmup: false, sandbox: { mode: 'off' } });
    await kernel.start();
    // Disposed once the code is surely running: after its first output, not after a guessed delay.
    let started!: () => void;
    const isRunning = new Promise<void>((r) => (started = r));
    const running = kernel.execute('import time\nprint("running", flush=True)\ntime.sleep(30)', { onOutput: () => started() });
    await isRunning;
    await kernel.dispose();
    const r = await running;
    assert.equal(r.cancelled, true);
  });

  it('the kernel ends when the host process exits', async () => {
    const { child, pids } = startParent('exit');
    const { kernel, child: sub } = await pids;
    await new Promise((r) => child.on('close', r));
    assert.ok(await waitFor(() => !processAlive(kernel) && !processAlive(sub), 5000), 'kernel and its subprocess gone');
  });

  it('the kernel ends when the host process is killed outright (SIGKILL)', async () => {
    const { child, pids } = startParent('wait');
    const { kernel, child: sub } = await pids;
    assert.ok(processAlive(kernel));
    child.kill('SIGKILL');
    assert.ok(await waitFor(() => !processAlive(kernel) && !processAlive(sub), 5000), 'kernel and its subprocess gone');
  });
});
