// Where `npm start` puts its copy of demo/: outside any git repository, so that VS Code does not greet
// the user with "a git repository was found in the parent folders" (a copy inside the checkout did), and
// outside the checkout, so that exported notebooks and edits never touch demo/ itself.
// ~/.cache/radarm-demo (XDG_CACHE_HOME), else <tmp>/radarm-demo-<user>. Files added to demo/ later are
// copied in; files the user changed are kept.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const demoSource = join(dirname(fileURLToPath(import.meta.url)), '..', 'demo');

/** Whether `dir` (which may not exist yet) would be inside a git work tree. */
export function insideGitRepo(dir) {
  let probe = dir;
  while (!existsSync(probe)) probe = dirname(probe);
  const r = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: probe, encoding: 'utf8' });
  if (r.error) {
    // No git: VS Code's git extension will not look either; still avoid an obvious .git on the way up.
    for (let d = probe; ; d = dirname(d)) {
      if (existsSync(join(d, '.git'))) return true;
      if (dirname(d) === d) return false;
    }
  }
  return r.status === 0 && r.stdout.trim() === 'true';
}

export function demoCandidates(env = process.env) {
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {}
  return [join(cache, 'radarm-demo'), join(tmpdir(), `radarm-demo-${user}`)];
}

/** Copies demo/ to the first candidate outside git; returns its path. */
export function demoFolder({ source = demoSource, candidates = demoCandidates() } = {}) {
  const folder = candidates.find((c) => !insideGitRepo(c)) ?? candidates[candidates.length - 1];
  mkdirSync(folder, { recursive: true });
  cpSync(source, folder, { recursive: true, force: false, errorOnExist: false });
  return folder;
}
