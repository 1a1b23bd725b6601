// Interpreter resolution and the kernel's start-up errors: explicit paths are never replaced, discovery skips
// interpreters without pandas, and every failure is a clear, actionable message (never a stack trace).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('rejects a Python older than 3.8, naming its version', async () => {
    const old = path.join(tmp, 'python3.7');
    writeFileSync(old, '#!/bin/sh\necho \'{"version": [3, 7, 16], "executable": "/opt/py37/bin/python3", "pandas": true}\'\n');
    chmodSync(old, 0o755);
    const candidates = [old];
    // Where a real old interpreter is at hand (pyenv on our machines), it must be caught the same way.
    const py27 = path.join(os.homedir(), '.pyenv', 'versions', '2.7.18', 'bin', 'python');
    if (existsSync(py27)) candidates.push(py27);
    for (const p of candidates) {
      await assert.rejects(resolvePython({ pythonPath: p }), (e) => {
        assertActionable(e, 'python-unusable', /Python (3\.7\.16|2\.7\.18) is too old \(3\.8 or newer is needed\)/);
        return true;
      });
    }
  });

  it('the runner parses as Python 3.8 (the oldest supported)', () => {
    const dir = path.join(__dirname, '..', '..', 'src', 'kernel', 'python');
    const check = 'import ast, sys\nfor f in sys.argv[1:]:\n    ast.parse(open(f, encoding="utf-8").read(), f, feature_version=(3, 8))';
    const files = readdirSync(dir).filter((f) => f.endsWith('.py')).map((f) => path.join(dir, f));
    assert.ok(files.length >= 5);
    execFileSync(TEST_PYTHON, ['-c', check, ...files], { stdio: ['ignore', 'ignore', 'pipe'] });
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

  it('the kernel rejects start() and execute() with the same clear message', async () => {
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
