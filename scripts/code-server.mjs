// The project's real-VS-Code harness: code-server 4.100.3 from npm (VS Code 1.100.3 with a real Node
// extension host), served on 127.0.0.1 and driven by Debian's headless Chromium through playwright-core.
// Used by scripts/test-vscode.mjs (extension-host mocha tests) and scripts/start.mjs (`npm start`).
//
// The install is cached in .vscode-test/ (ignored by git) and reused; it needs no VS Code download,
// only the npm registry (and, on a fresh machine, the apt packages scripts/prereqs.mjs checks first).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.mjs';
import { ensurePrereqs } from './prereqs.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// RADARM_CODE_SERVER_DIR: another cache folder (the install tests use a temporary one).
export const cacheDir = process.env.RADARM_CODE_SERVER_DIR || join(root, '.vscode-test');
// The last code-server release whose engines.node accepts Node 20.
export const CODE_SERVER_VERSION = '4.100.3';
const installDir = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
const binary = join(installDir, 'node_modules', '.bin', 'code-server');


const log = (...a) => console.error('[code-server]', ...a);

/**
 * Installs code-server into .vscode-test/ unless it is already there; resolves with the path of its binary.
 * Checks the system packages the build needs first (seconds, not minutes into the install). The install is
 * atomic: a private temp folder renamed into place, removed on failure and on Ctrl-C, so that a failed or
 * interrupted install never leaves a half-made folder behind.
 */
export async function ensureCodeServer() {
  if (existsSync(binary)) return binary;
  const pre = ensurePrereqs('start', { groups: ['code-server'], log });
  if (!pre.ok) throw new Error(pre.message);
  log(`installing code-server ${CODE_SERVER_VERSION} into ${installDir} (once; 1.5 to 5 minutes, ~310 MB)…`);
  const t0 = Date.now();
  mkdirSync(cacheDir, { recursive: true });
  removeAbandonedInstalls();
  seedRipgrepCache();
  // Install into a private folder, then rename: a concurrent run never sees a half-installed tree.
  const tmp = mkdtempSync(join(cacheDir, 'install-'));
  writeFileSync(join(tmp, 'owner.pid'), String(process.pid));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  const onSignal = (sig) => {
    cleanup();
    log(`install interrupted (${sig}): nothing was left behind`);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanup);
  try {
    writeFileSync(join(tmp, 'package.json'), JSON.stringify({ name: 'radarm-code-server', private: true }));
    const env = {
      ...process.env,
      npm_config_unsafe_perm: 'true', // its postinstall refuses to run as root otherwise
      npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
      npm_config_nodedir: process.env.npm_config_nodedir || (existsSync('/usr/include/node/node.h') ? '/usr' : ''),
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_update_notifier: 'false',
    };
    if (!env.npm_config_nodedir) delete env.npm_config_nodedir;
    const res = await run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--foreground-scripts', '--no-save'], { cwd: tmp, env });
    if (res.status !== 0 || !existsSync(join(tmp, 'node_modules', '.bin', 'code-server'))) {
      // The log outlives the temp folder, next to it.
      const logFile = join(cacheDir, 'code-server-install.log');
      writeFileSync(logFile, res.output);
      const tail = res.output.trim().split('\n').slice(-25).join('\n');
      throw new Error(
        `installing code-server ${CODE_SERVER_VERSION} failed (npm exit ${res.status}); full log: ${logFile}\n${tail}\n` +
          'On Debian/Ubuntu it needs the packages `node scripts/prereqs.mjs` checks (see .ci/run).',
      );
    }
    rmSync(join(tmp, 'owner.pid'), { force: true });
    try {
      renameSync(tmp, installDir);
    } catch (err) {
      // Another run finished first: use its install.
      if (!existsSync(binary)) throw err;
    }
  } finally {
    cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', cleanup);
  }
  log(`installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return binary;
}

/** Runs a command, collecting its output (bounded), without blocking the event loop (so Ctrl-C is handled). */
function run(cmd, args, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const add = (d) => {
      output += d.toString();
      if (output.length > 4_000_000) output = output.slice(-2_000_000);
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    child.on('error', (err) => resolve({ status: -1, output: `${output}\n${err.message}` }));
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** Temp install folders whose process is gone (killed with SIGKILL, a power cut): removed. */
function removeAbandonedInstalls() {
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith('install-')) continue;
    const dir = join(cacheDir, name);
    let pid = 0;
    try {
      pid = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {}
    if (pid && isAlive(pid)) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

// @vscode/ripgrep's postinstall downloads rg from GitHub, which these machines cannot reach:
// pre-seed its download cache with the system's ripgrep (Debian package `ripgrep`).
function seedRipgrepCache() {
  const rg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => existsSync(p));
  if (!rg) {
    log('warning: no system ripgrep found (apt-get install ripgrep); the install may try to reach GitHub');
    return;
  }
  const target = arch() === 'arm64' ? 'aarch64-unknown-linux-musl' : 'x86_64-unknown-linux-musl';
  const cache = join(tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = join(cache, `ripgrep-v13.0.0-10-${target}.tar.gz`);
  if (existsSync(tarball)) return;
  mkdirSync(cache, { recursive: true });
  const stage = mkdtempSync(join(tmpdir(), 'rg-seed-'));
  cpSync(rg, join(stage, 'rg'));
  const tar = spawnSync('tar', ['czf', tarball, '-C', stage, 'rg']);
  rmSync(stage, { recursive: true, force: true });
  if (tar.status !== 0) log('warning: could not seed the ripgrep cache');
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server (on 127.0.0.1 unless `host` says otherwise) in its own process group, with private user-data and extensions
 * folders under `stateDir`. Resolves once it serves. `stop()` ends the whole group (code-server leaves
 * bootstrap-fork children behind when only its main process is killed).
 */
export async function startCodeServer({
  stateDir,
  port,
  host = '127.0.0.1',
  settings = {},
  env = {},
  disableWorkspaceTrust = true,
  /** VS Code display language, e.g. zh-cn (code-server --locale). */
  locale,
  quiet = true,
}) {
  const bin = await ensureCodeServer();
  port ??= await freePort();
  const userData = join(stateDir, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(join(stateDir, 'extensions'), { recursive: true });
  // Our defaults, then what is already there (npm start keeps the user's settings across runs), then
  // what the caller insists on (the tests).
  const settingsFile = join(userData, 'User', 'settings.json');
  let existing = {};
  try {
    existing = JSON.parse(readFileSync(settingsFile, 'utf8'));
  } catch {}
  const defaults = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'chat.commandCenter.enabled': false,
  };
  writeFileSync(settingsFile, JSON.stringify({ ...defaults, ...existing, ...settings }, null, 2));
  const args = [
    '--auth',
    'none',
    '--bind-addr',
    `${host}:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir',
    userData,
    '--extensions-dir',
    join(stateDir, 'extensions'),
  ];
  if (disableWorkspaceTrust) args.push('--disable-workspace-trust');
  if (locale) args.push('--locale', locale);
  const child = spawn(bin, args, {
    detached: true, // own process group, so stop() can end every child
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(stateDir, 'xdg-config'),
      XDG_DATA_HOME: join(stateDir, 'xdg-data'),
      ...env,
    },
  });
  let output = '';
  const onData = (d) => {
    output += d.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
    if (!quiet) process.stderr.write(d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = false;
  child.on('exit', () => (exited = true));

  const stop = () => {
    if (exited && child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    // Escalate if anything in the group is still alive shortly after.
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 1500).unref();
  };
  // Never leave a code-server behind, even when the caller crashes.
  const killOnExit = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  };
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (true) {
    if (exited) throw new Error(`code-server exited during start-up:\n${output.slice(-4000)}`);
    if (await isServing(url)) break;
    if (Date.now() > deadline) {
      stop();
      throw new Error(`code-server did not serve ${url} within 60 s:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, pid: child.pid, stop, output: () => output, child };
}

async function isServing(url) {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * The workbench URL that opens `folder` with the extension at `extensionDevelopmentPath` loaded
 * (and, when given, runs the test entry `extensionTestsPath`): VS Code web reads both from ?payload=.
 */
export function workbenchUrl(serverUrl, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const { host, origin } = new URL(serverUrl);
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://${host}${extensionDevelopmentPath}`]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${host}${extensionTestsPath}`]);
  const q = [];
  if (folder) q.push(`folder=${encodeURIComponent(folder)}`);
  if (payload.length) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${origin}/${q.length ? `?${q.join('&')}` : ''}`;
}

/** Launches headless Chromium (the system's, never a downloaded one) with a fresh profile. */
export async function launchChromium({ viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = await import('playwright-core');
  const executablePath = chromiumPath();
  const profile = mkdtempSync(join(tmpdir(), 'radarm-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, close };
}

/** The frame (among all, including webview iframes) that contains `selector`. */
export async function findFrame(page, selector, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      try {
        if (await f.$(selector)) return f;
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no frame contains ${selector} after ${timeoutMs} ms`);
}

// When run directly: install (or confirm) code-server and print its version.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // No top-level await: this module is also loaded through require() (tsx).
  ensureCodeServer().then(
    (bin) => console.log(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim()),
    (err) => {
      console.error(`\n${err.message}\n`);
      process.exit(1);
    },
  );
}
