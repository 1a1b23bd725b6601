// Which Python runs the user's code. An explicit interpreter (setting radarm.pythonPath, CLI --python) is used
// as given and never silently replaced. Otherwise the candidates are the Python extension's active interpreter,
// then every `python3`, then every `python`, on PATH; the first with Python >= 3.8 and pandas wins. When none
// qualifies, the error names every interpreter tried, what was wrong with each, and the fix.
import { spawn } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kernelEnv } from './env';

export type PythonSource = 'setting' | 'python-extension' | 'path';

export interface ResolvePythonOptions {
  /** Explicit interpreter (setting radarm.pythonPath, CLI --python): a path, a command on PATH, or a venv folder. */
  pythonPath?: string;
  /** The active interpreter reported by the Python extension (ms-python.python); the VS Code layer passes it. */
  extensionPythonPath?: string;
  /** Environment whose PATH is searched and which the probes run with (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Per-probe time limit (default 15 s: the first run of a fresh interpreter can be slow). */
  probeTimeoutMs?: number;
  /** How messages name the interpreter setting: `radarm.pythonPath` in VS Code, `--python` in the CLI. */
  settingName?: string;
}

/** The interpreter setting's name in messages when the host did not say (both spellings). */
export const DEFAULT_SETTING_NAME = 'radarm.pythonPath (CLI: --python)';

export interface PythonProbe {
  path: string;
  source: PythonSource;
  ok: boolean;
  /** e.g. "3.11.2" */
  version?: string;
  executable?: string;
  pandas?: boolean;
  /** Why it cannot be used, in a few words. */
  problem?: string;
}

export interface ResolvedPython {
  path: string;
  source: PythonSource;
  version: string;
  /** sys.executable as Python reports it. */
  executable: string;
  /** Every interpreter probed, in order (the chosen one included). */
  tried: PythonProbe[];
}

export type KernelStartErrorCode = 'python-not-found' | 'python-unusable' | 'pandas-missing' | 'start-failed' | 'sandbox';

/** Raised when no usable Python is available or the kernel cannot start; `message` says what to do. */
export class KernelStartError extends Error {
  constructor(
    message: string,
    readonly code: KernelStartErrorCode,
    readonly tried: PythonProbe[] = [],
  ) {
    super(message);
    this.name = 'KernelStartError';
  }
}

export const PANDAS_FIX = 'pip install pandas matplotlib';

// Python-2-compatible on purpose: it must report an old interpreter, not fail to parse.
const PROBE = [
  'import sys, json',
  'def has(n):',
  '    try:',
  '        import importlib.util',
  '        return importlib.util.find_spec(n) is not None',
  '    except Exception:',
  '        return False',
  'print(json.dumps({"version": list(sys.version_info[:3]), "executable": sys.executable, "pandas": has("pandas")}))',
].join('\n');

const isWindows = process.platform === 'win32';

/** `~/x` → home; a virtual-environment folder → its interpreter. */
export function normalizePythonPath(p: string): string {
  let out = p.trim();
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) out = path.join(os.homedir(), out.slice(1));
  try {
    if (statSync(out).isDirectory()) {
      const inVenv = isWindows ? path.join(out, 'Scripts', 'python.exe') : path.join(out, 'bin', 'python');
      return inVenv;
    }
  } catch {
    /* not a folder: a file or a command name */
  }
  return out;
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, isWindows ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every `python3` then every `python` on PATH, in PATH order, without duplicates. */
export function pathCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const pathVar = env.PATH ?? env.Path ?? '';
  const dirs = pathVar.split(path.delimiter).filter(Boolean);
  const names = isWindows ? ['python3.exe', 'python.exe'] : ['python3', 'python'];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of names) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (!isExecutable(file)) continue;
      let real = file;
      try {
        real = realpathSync(file);
      } catch {
        /* keep the path */
      }
      if (seen.has(real)) continue;
      seen.add(real);
      out.push(file);
    }
  }
  return out;
}

/** Runs the probe script with one interpreter; never rejects. */
export function probePython(
  pythonPath: string,
  source: PythonSource,
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<PythonProbe> {
  return new Promise((resolve) => {
    const base: PythonProbe = { path: pythonPath, source, ok: false };
    let out = '';
    let err = '';
    let settled = false;
    const done = (p: PythonProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(p);
    };
    let child;
    try {
      child = spawn(pythonPath, ['-c', PROBE], {
        env: kernelEnv(opts.env ?? process.env),
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (e) {
      resolve({ ...base, problem: `cannot be started (${(e as Error).message})` });
      return;
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ ...base, problem: `did not answer within ${Math.round((opts.timeoutMs ?? 15000) / 1000)} s` });
    }, opts.timeoutMs ?? 15000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const problem =
        e.code === 'ENOENT'
          ? 'not found'
          : e.code === 'EACCES'
            ? 'not executable (permission denied)'
            : `cannot be started (${e.code ?? e.message})`;
      done({ ...base, problem });
    });
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      let info: { version?: number[]; executable?: string; pandas?: boolean } | undefined;
      try {
        info = JSON.parse(line);
      } catch {
        info = undefined;
      }
      if (!info || !Array.isArray(info.version)) {
        const why = err.trim().split('\n').pop() || `exit code ${code}`;
        done({ ...base, problem: `does not run as Python (${why.slice(0, 200)})` });
        return;
      }
      const [major, minor] = info.version;
      const version = info.version.join('.');
      const probe: PythonProbe = { ...base, version, executable: info.executable, pandas: !!info.pandas };
      if (major < 3 || (major === 3 && minor < 8)) done({ ...probe, problem: `Python ${version} is too old (3.8 or newer is needed)` });
      else if (!info.pandas) done({ ...probe, problem: `Python ${version} without pandas` });
      else done({ ...probe, ok: true });
    });
  });
}

function describe(p: PythonProbe): string {
  return `${p.path}${p.executable && p.executable !== p.path ? ` (${p.executable})` : ''}: ${p.problem ?? 'ok'}`;
}

/** Builds the actionable error for a failed resolution. */
function resolutionError(tried: PythonProbe[], explicit: boolean, setting = DEFAULT_SETTING_NAME): KernelStartError {
  const list = tried.map((p) => `  • ${describe(p)}`).join('\n');
  const noPandas = tried.filter((p) => p.version && !p.problem?.includes('too old') && p.pandas === false);
  const anyRan = tried.some((p) => p.version);
  if (explicit) {
    const p = tried[0];
    if (!p.version) {
      return new KernelStartError(
        `The Python interpreter set in ${setting} cannot be used: ${describe(p)}.\n` +
          'Fix the path (a python executable or a virtual-environment folder), or clear the setting to let Radarm find one.',
        p.problem === 'not found' ? 'python-not-found' : 'python-unusable',
        tried,
      );
    }
    if (p.pandas === false && !p.problem?.includes('too old')) {
      return new KernelStartError(
        `The Python interpreter set in ${setting} has no pandas: ${describe(p)}.\n` +
          `Fix: run \`${p.path} -m ${PANDAS_FIX}\`, or choose another interpreter in ${setting}.`,
        'pandas-missing',
        tried,
      );
    }
    return new KernelStartError(
      `The Python interpreter set in ${setting} cannot be used: ${describe(p)}.\n` +
        'Choose a Python 3.8+ interpreter that has pandas.',
      'python-unusable',
      tried,
    );
  }
  if (!tried.length) {
    return new KernelStartError(
      'No Python interpreter found (looked for python3 and python on PATH). Install Python 3.8+ with ' +
        `\`${PANDAS_FIX}\`, or set ${setting} to an interpreter that has pandas.`,
      'python-not-found',
    );
  }
  if (noPandas.length) {
    return new KernelStartError(
      `No Python interpreter with pandas found. Tried:\n${list}\n` +
        `Fix: run \`${noPandas[0].path} -m ${PANDAS_FIX}\`, or set ${setting} to an ` +
        'interpreter that has pandas.',
      'pandas-missing',
      tried,
    );
  }
  return new KernelStartError(
    `No usable Python interpreter found. Tried:\n${list}\n` +
      `Install Python 3.8+ and \`${PANDAS_FIX}\`, or set ${setting} to such an interpreter.`,
    anyRan ? 'python-unusable' : 'python-not-found',
    tried,
  );
}

/** Picks the interpreter; rejects with a KernelStartError whose message says what to do. */
export async function resolvePython(opts: ResolvePythonOptions = {}): Promise<ResolvedPython> {
  const probeOpts = { env: opts.env, timeoutMs: opts.probeTimeoutMs };
  const explicit = opts.pythonPath?.trim();
  if (explicit) {
    const probe = await probePython(normalizePythonPath(explicit), 'setting', probeOpts);
    if (!probe.ok) throw resolutionError([probe], true, opts.settingName);
    return { path: probe.path, source: 'setting', version: probe.version!, executable: probe.executable!, tried: [probe] };
  }
  const candidates: { path: string; source: PythonSource }[] = [];
  if (opts.extensionPythonPath?.trim()) {
    candidates.push({ path: normalizePythonPath(opts.extensionPythonPath), source: 'python-extension' });
  }
  for (const p of pathCandidates(opts.env ?? process.env)) {
    if (!candidates.some((c) => c.path === p)) candidates.push({ path: p, source: 'path' });
  }
  // Probed together (each is a short process), chosen in order.
  const probes = await Promise.all(candidates.slice(0, 12).map((c) => probePython(c.path, c.source, probeOpts)));
  const chosen = probes.find((p) => p.ok);
  if (!chosen) throw resolutionError(probes, false, opts.settingName);
  return { path: chosen.path, source: chosen.source, version: chosen.version!, executable: chosen.executable!, tried: probes };
}
