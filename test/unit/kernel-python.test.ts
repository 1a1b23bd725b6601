// Interpreter resolution and the kernel's start-up errors: explicit paths are never replaced, discovery skips
// interpreters without pandas, and every failure is a clear, actionable message (never a stack trace).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createKernel, kernelEnv, KernelStartError, resolvePython } from '../../src/kernel';
import { makePythonWithoutPandas, TEST_PYTHON } from '../fixtures/kernel-data';

function assertActionable(err: unknown, code: string, ...patterns: RegExp[]) {
  assert.ok(err instanceof KernelStartError, `expected a KernelStartError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  for (const p of patterns) assert.match(err.message, p);
  assert.doesNotMatch(err.message, /Traceback|\n\s+at .+:\d+:\d+/, 'no stack traces in the message');
}

describe('kernel: interpreter resolution', function () {
  this.timeout(60_000);
  let tmp: string;
  let noPandasDir: string;
  let withPandasDir: string;
  let noPandas: string;

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'radarm-python-'));
    noPandasDir = path.join(tmp, 'nopandas');
    withPandasDir = path.join(tmp, 'withpandas');
    mkdirSync(noPandasDir);
    mkdirSync(withPandasDir);
    noPandas = makePythonWithoutPandas(noPandasDir);
    symlinkSync(TEST_PYTHON, path.join(withPandasDir, 'python3'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('uses an explicit interpreter that has pandas', async () => {
    const r = await resolvePython({ pythonPath: TEST_PYTHON });
    assert.equal(r.path, TEST_PYTHON);
    assert.equal(r.source, 'setting');
    assert.match(r.version, /^3\.\d+\.\d+$/);
  });

  it('never replaces an explicit interpreter without pandas: it names it and the fix', async () => {
    await assert.rejects(resolvePython({ pythonPath: noPandas, env: { PATH: withPandasDir } }), (e) => {
      assertActionable(e, 'pandas-missing', new RegExp(noPandas.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), /has no pandas/, /-m pip install pandas matplotlib/, /radarm\.pythonPath/);
      return true;
    });
  });

  it('says so clearly when the explicit interpreter does not exist', async () => {
    await assert.rejects(resolvePython({ pythonPath: '/no/such/python3' }), (e) => {
      assertActionable(e, 'python-not-found', /\/no\/such\/python3: not found/, /radarm\.pythonPath/);
      return true;
    });
  });

  it('rejects a file that is not Python', async () => {
    const fake = path.join(tmp, 'not-python');
    writeFileSync(fake, '#!/bin/sh\necho "I am not python" >&2\nexit 2\n');
    chmodSync(fake, 0o755);
    await assert.rejects(resolvePython({ pythonPath: fake }), (e) => {
      assertActionable(e, 'python-unusable', /does not run as Python \(I am not python\)/);
      return true;
    });
  });

  it('accepts a virtual-environment folder as the interpreter', async () => {
    const venv = path.join(tmp, 'venv');
    mkdirSync(path.join(venv, 'bin'), { recursive: true });
    symlinkSync(TEST_PYTHON, path.join(venv, 'bin', 'python'));
    const r = await resolvePython({ pythonPath: venv });
    assert.equal(r.path, path.join(venv, 'bin', 'python'));
  });

  it('discovery skips interpreters without pandas and picks the first with it', async () => {
    const r = await resolvePython({ env: { PATH: [noPandasDir, withPandasDir].join(path.delimiter) } });
    assert.equal(r.path, path.join(withPandasDir, 'python3'));
    assert.equal(r.source, 'path');
    assert.deepEqual(r.tried.map((t) => t.ok), [false, true]);
    assert.match(r.tried[0].problem ?? '', /without pandas/);
  });

  it("prefers the Python extension's interpreter when it has pandas", async () => {
    const r = await resolvePython({ extensionPythonPath: TEST_PYTHON, env: { PATH: noPandasDir } });
    assert.equal(r.path, TEST_PYTHON);
    assert.equal(r.source, 'python-extension');
  });

  it('names every interpreter tried and the fix when none has pandas', async () => {
    const ext = path.join(tmp, 'ext-python');
    writeFileSync(ext, `#!/bin/sh\nexec ${TEST_PYTHON} -S "$@"\n`);
    chmodSync(ext, 0o755);
    await assert.rejects(resolvePython({ extensionPythonPath: ext, env: { PATH: noPandasDir } }), (e) => {
      assertActionable(e, 'pandas-missing', /No Python interpreter with pandas found/, /ext-python/, /nopandas\/python3/, /pip install pandas matplotlib/, /radarm\.pythonPath/);
      assert.equal((e as KernelStartError).tried.length, 2);
      return true;
    });
  });

  it('says so when there is no Python at all on PATH', async () => {
    await assert.rejects(resolvePython({ env: { PATH: path.join(tmp, 'empty') } }), (e) => {
      assertActionable(e, 'python-not-found', /No Python interpreter found/, /Install Python 3\.8\+/);
      return true;
    });
  });

  it('the kernel rejects start() and execute() with the same clear message, and works once fixed', async () => {
    const k = createKernel({ cwd: tmp, pythonPath: '/no/such/python3' });
    try {
      await assert.rejects(k.start(), (e) => (assertActionable(e, 'python-not-found', /radarm\.pythonPath/), true));
      await assert.rejects(k.execute('1'), (e) => (assertActionable(e, 'python-not-found'), true));
      assert.equal(k.pythonPath, undefined);
    } finally {
      await k.dispose();
    }
    const k2 = createKernel({ cwd: tmp, pythonPath: noPandas });
    try {
      await assert.rejects(k2.start(), (e) => (assertActionable(e, 'pandas-missing', /pip install pandas/), true));
    } finally {
      await k2.dispose();
    }
  });

  it('reports a pandas that is installed but broken as a clear start error', async () => {
    // A sitecustomize that breaks "import pandas" after the probe (which only looks the package up).
    const site = path.join(tmp, 'broken-site');
    mkdirSync(path.join(site, 'pandas'), { recursive: true });
    writeFileSync(path.join(site, 'pandas', '__init__.py'), 'raise ImportError("numpy.core.multiarray failed to import")\n');
    const k = createKernel({ cwd: tmp, pythonPath: TEST_PYTHON, env: { PYTHONPATH: site } });
    try {
      await assert.rejects(k.start(), (e) => {
        assertActionable(e, 'pandas-missing', /could not import pandas \(ImportError: numpy\.core\.multiarray failed to import\)/, /pip install pandas/);
        return true;
      });
    } finally {
      await k.dispose();
    }
  });

  it('drops every variable that looks like a secret from the kernel environment', () => {
    const env = kernelEnv(
      { PATH: '/bin', OPENAI_API_KEY: 'a', GITHUB_TOKEN: 'b', Db_Password: 'c', CLIENT_SECRET: 'd', apikey: 'e', HOME: '/h' },
      { DEEPSEEK_KEY: 'f', PLAIN: 'ok' },
    );
    assert.deepEqual(
      Object.keys(env).filter((k) => !k.startsWith('PYTHON') && k !== 'MPLBACKEND').sort(),
      ['HOME', 'PATH', 'PLAIN'],
    );
    assert.equal(env.PYTHONIOENCODING, 'utf-8');
  });
});
