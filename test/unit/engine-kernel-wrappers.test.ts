// The session's kernel wrappers (deferred, gated, logged) over a real Python: each delegates what it does
// not change, and pythonPath / info always read the live kernel underneath.
import * as assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { deferredKernel, gatedKernel, wrapKernel } from '../../src/engine/session-kernel';
import { loggedKernel } from '../../src/engine/session-log';
import { createKernel } from '../../src/kernel';
import type { PythonKernel } from '../../src/kernel/types';
import { TEST_PYTHON } from './agent-harness';

describe('engine: kernel wrappers', function () {
  this.timeout(60_000);
  const made: PythonKernel[] = [];
  const real = () => {
    const k = createKernel({ cwd: tmpdir(), pythonPath: TEST_PYTHON, warmup: false });
    made.push(k);
    return k;
  };
  const pidOf = (k: PythonKernel) => k.info?.pid;
  after(() => Promise.all(made.map((k) => k.dispose())));

  it('wrapKernel delegates every call it does not replace, and reads pythonPath and info live', async () => {
    const inner = real();
    let executed = 0;
    const k = wrapKernel(inner, {
      execute: (code, opts) => {
        executed++;
        return inner.execute(code, opts);
      },
    });
    assert.equal(pidOf(k), undefined, 'no info before the start');
    await k.start();
    assert.equal(k.pythonPath, inner.pythonPath);
    assert.equal(pidOf(k), pidOf(inner));
    const r = await k.execute('print(6 * 7)');
    assert.equal(executed, 1);
    assert.match(r.stdout, /42/);
  });

  it('deferredKernel makes its kernel on the first call only, and has no interpreter before', async () => {
    let makes = 0;
    const k = deferredKernel(async () => {
      makes++;
      return real();
    });
    assert.equal(k.pythonPath, undefined);
    k.interrupt(); // nothing made yet: a no-op, not a start
    assert.equal(makes, 0);
    await k.start();
    await k.execute('x = 1');
    assert.equal(makes, 1);
    assert.ok(k.pythonPath, 'the made kernel reports its interpreter');
    assert.ok(k.info?.pid);
  });

  it('gatedKernel holds executions until the gate opens; loggedKernel logs the start and each run', async () => {
    const lines: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const logged = loggedKernel(real(), (l) => lines.push(l));
    const k = gatedKernel(logged, () => gate);
    await k.start();
    assert.ok(k.info?.pid, 'info passes through both wrappers');
    let done = false;
    const run = k.execute('y = 2').then((r) => ((done = true), r));
    await logged.execute('pass'); // the kernel itself is free: a run past the gate completes
    assert.equal(done, false, 'the gated run waits for the gate');
    open();
    assert.equal((await run).ok, true);
    assert.ok(lines.some((l) => /^Python .* started in \d+ ms/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^Code ran in [\d.]+ ms: ok$/.test(l)), lines.join('\n'));
  });
});
