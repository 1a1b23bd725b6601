// The set-up shared by the kernel-sandbox-*.test.ts files: a workspace with a small CSV, a folder outside it
// holding a secret token, the secrets a host process holds, and sandboxed kernels (mode 'required', so that a
// missing bwrap fails the tests instead of running them unsandboxed) disposed after each test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createKernel, type KernelOptions, type PythonKernel } from '../../src/kernel';
import { TEST_PYTHON } from '../fixtures/kernel-data';

export const SECRET_PARENT = path.join(__dirname, '..', 'fixtures', 'kernel-secret-parent.ts');
export const ARGV_SECRET = 'sk-argv-' + 'q7Zt9Lw2Vx4Kp8Rm';
export const ENV_SECRET = 'sk-env-' + 'H3nB6yU1cX5gF0aD';
export const DB_PASSWORD = 'dbpw-' + 'Y2kM7sQ4';

/** Call inside the file's describe(): registers the hooks; workspace and outside are set once before() ran. */
export function sandboxSuite() {
  let workspace: string;
  let outside: string;
  const kernels: PythonKernel[] = [];
  const sandboxed = (extra: Partial<KernelOptions> = {}) => {
    const k = createKernel({ cwd: workspace, pythonPath: TEST_PYTHON, warmup: false, sandbox: { mode: 'required' }, ...extra });
    kernels.push(k);
    return k;
  };

  before(() => {
    workspace = mkdtempSync(path.join(os.tmpdir(), 'radarm-sbx-ws-'));
    writeFileSync(path.join(workspace, 'sales.csv'), 'region,amount\neast,120\nsouth,98\n');
    outside = mkdtempSync(path.join(os.tmpdir(), 'radarm-sbx-out-'));
    writeFileSync(path.join(outside, 'token.txt'), ENV_SECRET);
  });
  afterEach(async () => {
    await Promise.all(kernels.splice(0).map((k) => k.dispose()));
  });
  after(() => {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  return {
    get workspace() {
      return workspace;
    },
    get outside() {
      return outside;
    },
    sandboxed,
  };
}
