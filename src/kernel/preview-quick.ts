// Preview Data's pandas-free first screen: one short-lived Python process running radarm_preview_quick.py
// (standard library only: ~30 ms to start where pandas needs ~0.5 s more), and the list of an SQLite file's
// tables for the table picker. The kernel's pandas profile follows and replaces what this returns.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { isDataPreview, type DataPreview, type PreviewErrorCode } from '../protocol/preview';
import { kernelEnv } from './env';
import { findRunner } from './runner-path';

/** A preview that failed, with a machine-readable code (thrown by the kernel's preview and by quickPreview). */
export class PreviewFailure extends Error {
  constructor(
    message: string,
    readonly code: PreviewErrorCode,
  ) {
    super(message);
    this.name = 'PreviewFailure';
  }
}

export interface QuickOptions {
  pythonPath: string;
  /** The kernel's runner.py (its folder holds radarm_preview_quick.py); found next to the bundle by default. */
  runnerPath?: string;
  /** Killed after this long (default 10 s): a hang becomes code "timeout". */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** "quick-unsupported": no quick reader for this input (Parquet, .xls, big JSON); the pandas profile answers. */
export type QuickResult =
  | { ok: true; preview: DataPreview }
  | { ok: false; code: PreviewErrorCode | 'quick-unsupported' | 'quick-failed'; message: string };

const MAX_STDOUT = 32 << 20;

function runQuick(opts: QuickOptions, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  const dir = path.dirname(findRunner(opts.runnerPath));
  // -c with the folder on sys.path (not the script itself): the module's bytecode is cached, the script's is not.
  const code = `import sys; sys.path.insert(0, ${JSON.stringify(dir)}); import radarm_preview_quick as q; q.main()`;
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let done = false;
    const finish = (v: Record<string, unknown>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(v);
    };
    // cwd: our own folder. With -c, Python puts the working directory first on sys.path: a workspace's csv.py
    // must never shadow the standard library.
    const child = spawn(opts.pythonPath, ['-c', code, JSON.stringify(request)], { cwd: dir, env: kernelEnv(process.env), stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ ok: false, code: 'timeout', message: `reading the first rows took longer than ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    const onAbort = () => {
      child.kill('SIGKILL');
      finish({ ok: false, code: 'failed', message: 'cancelled' });
    };
    opts.signal?.addEventListener('abort', onAbort);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.length > MAX_STDOUT) {
        child.kill('SIGKILL');
        finish({ ok: false, code: 'quick-failed', message: 'the first screen was too large' });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    child.on('error', (e) => finish({ ok: false, code: 'python', message: `could not start ${opts.pythonPath}: ${e.message}` }));
    child.on('close', (status) => {
      try {
        finish(JSON.parse(out) as Record<string, unknown>);
      } catch {
        finish({ ok: false, code: 'quick-failed', message: `the quick reader exited with ${status}: ${err.trim().split('\n').pop() ?? ''}` });
      }
    });
  });
}

/** The first screen of a file, a dataset (folder or glob) or an SQLite table, without pandas. Never rejects. */
export async function quickPreview(opts: QuickOptions, source: { path: string; table?: string }): Promise<QuickResult> {
  const r = await runQuick(opts, { path: source.path, ...(source.table !== undefined ? { table: source.table } : {}) });
  if (r.ok === true) {
    if (isDataPreview(r.preview)) return { ok: true, preview: r.preview };
    return { ok: false, code: 'quick-failed', message: 'the quick reader sent a malformed preview' };
  }
  const code = typeof r.code === 'string' ? (r.code as (QuickResult & { ok: false })['code']) : 'quick-failed';
  return { ok: false, code, message: String(r.message ?? 'the quick reader failed') };
}

/** The tables and views of an SQLite file, opened read-only. */
export async function sqliteTables(opts: QuickOptions, file: string): Promise<string[]> {
  const r = await runQuick(opts, { op: 'tables', path: file });
  if (r.ok === true && Array.isArray(r.tables)) return r.tables.filter((t): t is string => typeof t === 'string');
  throw new PreviewFailure(String(r.message ?? 'could not list the tables'), r.code === 'not-found' ? 'not-found' : 'database');
}
