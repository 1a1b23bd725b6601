// The system packages `npm start` and `npm test` need, checked in the first seconds — before any long
// download — rather than found missing minutes later by a compiler (`gssapi/gssapi.h: No such file`).
// On Debian/Ubuntu (dpkg-query): as root, the missing packages are installed with apt-get (saying which);
// otherwise it stops at once with the exact `sudo apt-get install …` command. Elsewhere it says what is
// needed and goes on (it cannot tell what is installed).
//
// usage: node scripts/prereqs.mjs [start|test] [--dry-run]
//   --dry-run (or RADARM_PREREQS_DRY_RUN=1): report only, install nothing.
//   RADARM_PREREQS_ASSUME_MISSING="pkg …": treat these packages as missing (to try the messages).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');

/** Debian packages by what needs them; each group with the words for non-Debian systems. */
export const GROUPS = {
  // code-server's native modules (kerberos, native-keymap, @vscode/spdlog, node-pty) are compiled on install.
  'code-server': {
    why: "building code-server's native modules (first npm start / npm test)",
    packages: ['g++', 'make', 'python3', 'pkg-config', 'libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'ripgrep'],
    elsewhere: 'a C++ compiler, make, Python 3, pkg-config, and the development files of Kerberos (gssapi), X11, xkbfile and libsecret; ripgrep',
  },
  python: {
    why: 'running the generated code (Python 3 with pandas; charts with matplotlib and plotly; Excel with openpyxl)',
    packages: ['python3', 'python3-pandas', 'python3-matplotlib', 'python3-plotly', 'python3-openpyxl'],
    elsewhere: 'Python 3.8+ with pandas, matplotlib, plotly and openpyxl (pip install pandas matplotlib plotly openpyxl)',
  },
  tests: {
    why: 'the test suites (headless Chromium, CJK and emoji fonts, PostgreSQL and MariaDB for the database tests)',
    packages: ['chromium', 'fonts-noto-cjk', 'fonts-noto-color-emoji', 'postgresql', 'mariadb-server', 'python3-sqlalchemy', 'python3-psycopg2', 'python3-pymysql'],
    elsewhere: 'Chromium (or set CHROMIUM_PATH), a CJK font, PostgreSQL and MariaDB servers, and SQLAlchemy, psycopg2 and PyMySQL for Python',
  },
};

/** Which groups a command needs. The code-server group only until code-server is installed. */
export function groupsFor(purpose, { codeServerInstalled = codeServerIsInstalled(), pythonHasPandas = hasPandas() } = {}) {
  const groups = [];
  if (!codeServerInstalled) groups.push('code-server');
  // A Python with pandas of the user's own (a venv, conda) is just as good as Debian's.
  if (!pythonHasPandas || purpose === 'test') groups.push('python');
  if (purpose === 'test') groups.push('tests');
  return groups;
}

function codeServerIsInstalled() {
  const dir = join(root, '.vscode-test');
  try {
    return readdirSync(dir).some((d) => d.startsWith('code-server-') && existsSync(join(dir, d, 'node_modules', '.bin', 'code-server')));
  } catch {
    return false;
  }
}

function hasPandas() {
  for (const py of ['python3', '/usr/bin/python3']) {
    // find_spec, not import: a fraction of a second instead of one or two.
    const r = spawnSync(py, ['-c', 'import importlib.util, sys; sys.exit(importlib.util.find_spec("pandas") is None)'], { stdio: 'ignore', timeout: 20_000 });
    if (r.status === 0) return true;
  }
  return false;
}

/** Installed state of Debian packages via dpkg-query; null when this is not a dpkg system. */
export function missingDebianPackages(packages, assumeMissing = []) {
  const q = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\n', ...packages], { encoding: 'utf8' });
  if (q.error) return null; // no dpkg-query: not Debian/Ubuntu
  const installed = new Set(
    q.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, status]) => status?.startsWith('ii'))
      .map(([name]) => name.replace(/:.*$/, '')),
  );
  return packages.filter((p) => !installed.has(p) || assumeMissing.includes(p));
}

export const aptCommand = (packages) => `apt-get install -y --no-install-recommends ${packages.join(' ')}`;

/**
 * Checks (and as root installs) what `purpose` needs. Returns {ok, message}; ok=false means stop now.
 * `log` gets progress lines.
 */
export function ensurePrereqs(purpose, { dryRun = false, log = (s) => console.error(s), groups, assumeMissing = [], isRoot } = {}) {
  groups ??= groupsFor(purpose);
  if (!groups.length) return { ok: true, message: 'all system prerequisites are present' };
  const packages = [...new Set(groups.flatMap((g) => GROUPS[g].packages))];
  const missing = missingDebianPackages(packages, assumeMissing);
  const reasons = (names) =>
    groups
      .filter((g) => GROUPS[g].packages.some((p) => names.includes(p)))
      .map((g) => `  - ${GROUPS[g].why}`)
      .join('\n');
  if (missing === null) {
    const what = groups.map((g) => `  - ${GROUPS[g].why}: ${GROUPS[g].elsewhere}`).join('\n');
    log(`[prereqs] not a Debian/Ubuntu system (no dpkg-query): cannot check the system packages. Needed:\n${what}`);
    return { ok: true, message: 'unchecked (not Debian)' };
  }
  if (!missing.length) return { ok: true, message: 'all system prerequisites are present' };
  isRoot ??= process.getuid?.() === 0;
  if (!isRoot || dryRun) {
    const cmd = `${isRoot ? '' : 'sudo '}apt-get update && ${isRoot ? '' : 'sudo '}${aptCommand(missing)}`;
    const message =
      `Missing Debian packages: ${missing.join(' ')}\nThey are needed for:\n${reasons(missing)}\n` +
      `${dryRun && isRoot ? 'Would run' : 'Install them with'}:\n\n  ${cmd}\n\nthen run the command again.`;
    return { ok: false, message, missing, command: cmd };
  }
  log(`[prereqs] installing the missing Debian packages (${reasons(missing).trim().replace(/\n\s*/g, '; ')}):\n  ${aptCommand(missing)}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'], env });
  const install =
    update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (!install || install.status !== 0) {
    return { ok: false, message: `apt-get could not install ${missing.join(' ')} (see its output above). Fix that, then run the command again.`, missing };
  }
  const still = missingDebianPackages(missing);
  if (still?.length) return { ok: false, message: `still missing after apt-get: ${still.join(' ')}`, missing: still };
  return { ok: true, message: `installed ${missing.join(' ')}`, installed: missing };
}

// When run directly: check for `start` (default) or `test`, exit 1 with the message when something is missing.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const purpose = process.argv.includes('test') ? 'test' : 'start';
  const dryRun = process.argv.includes('--dry-run') || process.env.RADARM_PREREQS_DRY_RUN === '1';
  const assumeMissing = (process.env.RADARM_PREREQS_ASSUME_MISSING || '').split(/\s+/).filter(Boolean);
  // Pretending packages are missing also pretends that code-server and pandas are not there yet.
  const groups = assumeMissing.length ? groupsFor(purpose, { codeServerInstalled: false, pythonHasPandas: false }) : undefined;
  const res = ensurePrereqs(purpose, { dryRun, assumeMissing, groups });
  if (!res.ok) {
    console.error(`\n${res.message}\n`);
    process.exit(1);
  }
  if (res.installed) console.error(`[prereqs] ${res.message}`);
}
