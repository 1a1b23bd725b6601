// Builds dist/ (extension, CLI, kernel files and webview bundles) once per test process: every test file that
// runs what ships asks for a build, and nothing changes the sources during a run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
let built = false;

export function buildOnce(): void {
  if (built) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/build.mjs failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  built = true;
}
