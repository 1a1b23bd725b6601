// The bundled kernel (dist/extension.js, dist/cli.js) finds its runner in dist/kernel/, where the build copies it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { TEST_PYTHON } from '../fixtures/kernel-data';

describe('kernel: bundled', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'radarm-bundle-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('runs code from an esbuild bundle with the runner copied next to it', async () => {
    const root = path.join(__dirname, '..', '..');
    const entry = path.join(tmp, 'entry.ts');
    writeFileSync(
      entry,
      `import { createKernel } from ${JSON.stringify(path.join(root, 'src', 'kernel'))};
       (async () => {
         const k = createKernel({ cwd: process.cwd(), pythonPath: ${JSON.stringify(TEST_PYTHON)}, warmup: false });
         const r = await k.execute('import radarm_charts, os\\nprint(os.path.basename(os.path.dirname(radarm_charts.__file__)))\\n6 * 7');
         console.log(JSON.stringify({ text: r.text }));
         await k.dispose();
       })();`,
    );
    const dist = path.join(tmp, 'dist');
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile: path.join(dist, 'cli.js'), logLevel: 'error' });
    mkdirSync(path.join(dist, 'kernel'));
    const pyDir = path.join(root, 'src', 'kernel', 'python');
    for (const f of readdirSync(pyDir).filter((f) => f.endsWith('.py'))) copyFileSync(path.join(pyDir, f), path.join(dist, 'kernel', f));
    const out = execFileSync(process.execPath, [path.join(dist, 'cli.js')], { cwd: tmp, encoding: 'utf8' });
    const { text } = JSON.parse(out.trim().split('\n').pop()!);
    assert.equal(text, 'kernel\nOut: 42', 'the runner came from dist/kernel');
  });
});
