// Where the kernel runs: inside an OS sandbox when the platform offers one, so that generated code cannot read
// the host's secrets (the parent's environment and command line, other processes, the user's home), reach the
// network, or leave processes behind.
//   Linux:   bubblewrap (bwrap): new PID namespace, read-only system, private /tmp and HOME, no network.
//   macOS:   sandbox-exec with the profile below. NOT TESTED: written from Apple's profile language reference,
//            never run in our CI (Linux only). Treat it as a best effort.
//   Windows: no sandbox.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelStartError } from './resolve-python';

export type SandboxMode = 'auto' | 'required' | 'off';
export const SANDBOX_MODES: readonly SandboxMode[] = ['auto', 'required', 'off'];

export interface SandboxSettings {
  /** auto (default): sandbox when available, else run unsandboxed with a notice; required: refuse; off. */
  mode?: SandboxMode;
  /** Let the code reach the network (default false). */
  network?: boolean;
  /** bwrap to use (default /usr/bin/bwrap, then bwrap on PATH). Tests point it at a missing file. */
  bwrapPath?: string;
}

/** What the kernel's info says about isolation, for UIs and logs. */
export interface SandboxInfo {
  kind: 'bwrap' | 'sandbox-exec' | 'none';
  network: boolean;
  /** Set when the code runs unsandboxed although the mode was auto: what is not isolated, and the fix. */
  notice?: string;
}

export interface SandboxPlan {
  info: SandboxInfo;
  /** Wrapper to start instead of the interpreter: `command ...args python runner.py config`. */
  wrapper?: { command: string; args: string[] };
  /** Environment for the wrapped process (already free of secrets). */
  env: NodeJS.ProcessEnv;
  /** bwrap's init does not pass SIGINT on: the runner is interrupted through its request channel instead. */
  inBandInterrupt: boolean;
}

export interface PlanInput extends SandboxSettings {
  pythonPath: string;
  runnerPath: string;
  /** The workspace: readable, not writable. */
  cwd: string;
  /** Further paths to make readable (data files outside the workspace). */
  readable?: string[];
  /** Folders to make writable (those of database files when database writes are allowed). */
  writable?: string[];
  /** The kernel's environment, already free of secrets (kernelEnv). */
  env: NodeJS.ProcessEnv;
  /** Variables the host passes on purpose (KernelOptions.env, already filtered): kept inside the sandbox too. */
  explicitEnv?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

const INSTALL_FIX: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'install bubblewrap (Debian/Ubuntu: `sudo apt install bubblewrap`; Fedora: `sudo dnf install bubblewrap`)',
  darwin: 'sandbox-exec (/usr/bin/sandbox-exec) is part of macOS; it is missing or unusable here',
};

/** What is not isolated when the code runs without a sandbox. Shown once per kernel. */
export function unsandboxedNotice(reason: string, platform: NodeJS.Platform = process.platform): string {
  const fix = INSTALL_FIX[platform] ? ` To isolate it, ${INSTALL_FIX[platform]}, or set radarm.sandbox to "off" to silence this.` : '';
  return (
    `Generated code runs WITHOUT a sandbox (${reason}): it can read the files your user can read, the command ` +
    'lines and environments of your other processes (/proc), and reach the network. Variables whose names or values ' +
    `look like secrets are removed from its own environment.${fix} / 生成的代码未在沙箱中运行：它可以读取您的文件、其他进程的` +
    '命令行和环境变量，并访问网络。'
  );
}

// --- bubblewrap ------------------------------------------------------------------------------------------------

const bwrapProbes = new Map<string, Promise<string | undefined>>();

/** Runs a trivial command under the same kind of bwrap we use; resolves with why it cannot be used, or undefined. */
export function probeBwrap(bwrap: string): Promise<string | undefined> {
  let probe = bwrapProbes.get(bwrap);
  if (!probe) {
    probe = new Promise((resolve) => {
      if (!existsSync(bwrap)) return resolve(`${bwrap} is not installed`);
      const args = ['--unshare-pid', '--unshare-net', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'];
      execFile(bwrap, args, { timeout: 10_000 }, (err, _out, stderr) => {
        // Ubuntu 24.04 and some containers forbid the user namespaces bwrap needs: it is installed but fails.
        resolve(err ? `${bwrap} does not work here: ${(String(stderr).trim() || err.message).split('\n')[0]}` : undefined);
      });
    });
    bwrapProbes.set(bwrap, probe);
  }
  return probe;
}

/** The interpreter's own directories (prefix, site-packages, user site), which may lie under a hidden home. */
export function pythonPaths(python: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const code =
    'import json,os,site,sys\n' +
    'p=[sys.prefix,sys.base_prefix,sys.exec_prefix,os.path.dirname(os.path.realpath(sys.executable))]\n' +
    'try: p.append(site.getusersitepackages())\nexcept Exception: pass\n' +
    'print(json.dumps(p+[x for x in sys.path if x]))';
  return new Promise((resolve) => {
    execFile(python, ['-c', code], { env, timeout: 30_000 }, (err, out) => {
      if (err) return resolve([]);
      try {
        resolve((JSON.parse(String(out)) as string[]).filter((p) => path.isAbsolute(p)));
      } catch {
        resolve([]);
      }
    });
  });
}

/** Directories whose contents are the user's own (keys, tokens, browser profiles): hidden behind empty tmpfs. */
function privateRoots(home: string): string[] {
  const roots = ['/home', '/root', '/run/user', '/var/tmp', '/tmp', '/mnt', '/media'];
  if (home && !roots.some((r) => home === r || home.startsWith(r + '/'))) roots.push(home);
  return roots;
}

const SYSTEM_SECRET_FILES = ['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-'];
const SYSTEM_SECRET_DIRS = ['/etc/ssh', '/etc/ssl/private', '/var/log', '/var/lib/sss', '/var/lib/docker'];

/** True when p is r or lies under r. */
const within = (p: string, r: string) => p === r || p.startsWith(r.endsWith('/') ? r : r + '/');

/**
 * bwrap's argv (before the interpreter): the whole system read-only, the private roots emptied (writable tmpfs,
 * so HOME and /tmp work for caches), then the workspace, the interpreter's directories, the runner and the data
 * files bound read-only on top. New PID, IPC and UTS namespaces (and network unless allowed); no capabilities.
 */
export function bwrapArgs(o: { cwd: string; home: string; network: boolean; readable: string[]; writable?: string[] }): string[] {
  const args = [
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    ...(o.network ? [] : ['--unshare-net']),
    '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    '--ro-bind', '/', '/',
    '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/dev/shm',
  ];
  for (const r of privateRoots(o.home)) if (existsSync(r)) args.push('--tmpfs', r);
  // System secrets that only root can read, in case the editor runs as root (containers, CI): hidden as well.
  for (const f of SYSTEM_SECRET_FILES) if (existsSync(f)) args.push('--ro-bind', '/dev/null', f);
  for (const d of SYSTEM_SECRET_DIRS) if (existsSync(d)) args.push('--tmpfs', d);
  // Only what a tmpfs hid needs binding again; everything else is already visible (read-only) through /.
  const hidden = privateRoots(o.home);
  const binds = [...new Set([o.cwd, ...o.readable].map((p) => path.resolve(p)))]
    .filter((p) => hidden.some((r) => within(p, r)) && existsSync(p))
    .sort((a, b) => a.length - b.length);
  for (const p of binds) args.push('--ro-bind', p, p);
  // Folders of database files the user allowed writes to (SQLite writes its journal beside the file).
  for (const p of [...new Set(o.writable ?? [])].filter((p) => existsSync(p))) args.push('--bind', p, p);
  args.push('--chdir', o.cwd);
  return args;
}

// --- macOS -----------------------------------------------------------------------------------------------------

const sbString = (s: string) => JSON.stringify(s); // SBPL strings use C-style escapes, as JSON does

/**
 * A sandbox-exec profile (SBPL). UNTESTED: no macOS in CI. Denies reading the user's home except the workspace
 * and the interpreter, writing anywhere but a private temp directory, inspecting other processes (their
 * arguments and environments via sysctl), and the network unless allowed.
 */
export function macProfile(o: { cwd: string; home: string; tmp: string; network: boolean; readable: string[] }): string {
  const reads = [o.cwd, ...o.readable].map((p) => `(subpath ${sbString(p)})`).join(' ');
  return [
    '(version 1)',
    '(allow default)',
    `(deny file-read* (subpath ${sbString(o.home)}) (subpath "/Users") (subpath "/Volumes"))`,
    `(allow file-read* ${reads} (subpath ${sbString(o.tmp)}))`,
    '(deny file-write*)',
    `(allow file-write* (subpath ${sbString(o.tmp)}) (literal "/dev/null") (literal "/dev/stdout") (literal "/dev/stderr") (regex #"^/dev/fd/"))`,
    '(deny process-info*)',
    '(allow process-info* (target self))',
    o.network ? '' : '(deny network*)\n(allow network* (remote unix-socket))',
  ].join('\n');
}

// --- the plan --------------------------------------------------------------------------------------------------

/** Variables the sandboxed process keeps: locale, paths, Python and conda/venv settings. Nothing else passes. */
const KEEP =
  /^(PATH|LANG|LANGUAGE|LC_\w+|TZ|TERM|USER|LOGNAME|PYTHON\w*|MPL\w*|VIRTUAL_ENV|CONDA_\w+|LD_LIBRARY_PATH|OMP_NUM_THREADS|MKL_\w+|OPENBLAS_\w+|NUMEXPR_\w+|SSL_CERT_(FILE|DIR)|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|PROJ_(LIB|DATA)|GDAL_DATA|JAVA_HOME|RADARM_\w+)$/;
const PROXY = /^(https?_proxy|no_proxy|all_proxy)$/i;

/** `env` (the user's, filtered) is allow-listed; `explicit` (what the host deliberately passes, filtered) is kept. */
export function sandboxEnv(env: NodeJS.ProcessEnv, network: boolean, home: string, tmp: string, explicit: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && (KEEP.test(k) || (network && PROXY.test(k)))) out[k] = v;
  Object.assign(out, explicit);
  out.HOME = home;
  out.TMPDIR = tmp;
  return out;
}

function findBwrap(explicit?: string): string {
  if (explicit) return explicit;
  if (existsSync('/usr/bin/bwrap')) return '/usr/bin/bwrap';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, 'bwrap');
    if (dir && existsSync(p)) return p;
  }
  return '/usr/bin/bwrap';
}

/** Decides how the kernel is started. Rejects with KernelStartError code 'sandbox' when required but unavailable. */
export async function planSandbox(input: PlanInput): Promise<SandboxPlan> {
  const mode = input.mode ?? 'auto';
  const network = !!input.network;
  const platform = input.platform ?? process.platform;
  const readable = [path.dirname(input.runnerPath), ...(input.readable ?? [])];
  const none = (notice?: string): SandboxPlan => ({ info: { kind: 'none', network: true, ...(notice ? { notice } : {}) }, env: input.env, inBandInterrupt: false });
  if (mode === 'off') return none();

  let unavailable: string;
  if (platform === 'linux') {
    const bwrap = findBwrap(input.bwrapPath);
    const why = await probeBwrap(bwrap);
    if (!why) {
      const home = os.homedir() || '/root';
      const dirs = await pythonPaths(input.pythonPath, input.env);
      const args = bwrapArgs({ cwd: input.cwd, home, network, readable: [...readable, ...dirs, path.dirname(input.pythonPath)], writable: input.writable });
      return { info: { kind: 'bwrap', network }, wrapper: { command: bwrap, args }, env: sandboxEnv(input.env, network, home, '/tmp', input.explicitEnv), inBandInterrupt: true };
    }
    unavailable = why;
  } else if (platform === 'darwin') {
    if (existsSync('/usr/bin/sandbox-exec')) {
      const tmp = await mkdtemp(path.join(os.tmpdir(), 'radarm-kernel-'));
      const dirs = await pythonPaths(input.pythonPath, input.env);
      const profile = macProfile({ cwd: input.cwd, home: os.homedir(), tmp, network, readable: [...readable, ...dirs] });
      return { info: { kind: 'sandbox-exec', network }, wrapper: { command: '/usr/bin/sandbox-exec', args: ['-p', profile] }, env: sandboxEnv(input.env, network, tmp, tmp, input.explicitEnv), inBandInterrupt: false };
    }
    unavailable = '/usr/bin/sandbox-exec is missing';
  } else {
    unavailable = `no sandbox is available on ${platform}`;
  }
  if (mode === 'required') {
    const fix = INSTALL_FIX[platform] ? `Fix: ${INSTALL_FIX[platform]}, or set radarm.sandbox (CLI --sandbox) to "auto" or "off".` : 'Fix: set radarm.sandbox (CLI --sandbox) to "auto" or "off"; Windows has no sandbox.';
    throw new KernelStartError(`Radarm is set to run generated code only in a sandbox (radarm.sandbox = "required"), but ${unavailable}. ${fix}`, 'sandbox');
  }
  return none(unsandboxedNotice(unavailable, platform));
}
