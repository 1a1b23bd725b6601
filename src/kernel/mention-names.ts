// Column and table names for the composer's `@` completion that need Python: Excel sheets, Parquet, JSON/JSON Lines
// and database sources (radarm_names.py, a one-shot process beside the kernel, so a busy kernel never delays the
// menu). Bounded: a time limit (the process is killed), a reply-size cap; a password travels on stdin only.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { kernelEnv } from './env';
import { maskSecrets, databaseSecrets } from './database-sources';
import { findRunner } from './runner-path';
import type { DatabaseSource } from './types';

export interface NameGroup {
  /** Excel: the sheet; otherwise null. */
  sheet: string | null;
  columns: string[];
}

export interface MentionNames {
  files: { path: string; groups: NameGroup[]; error?: string }[];
  databases: { name: string; tables: { name: string; columns: string[] }[]; error?: string }[];
}

export interface MentionNamesRequest {
  python: string;
  /** Data files (absolute); SQLite/DuckDB files among them are read as databases. */
  files: string[];
  databases?: DatabaseSource[];
  /** Relative sqlite:/// URLs resolve against it. */
  cwd: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The runner script (its folder holds radarm_names.py); default: findRunner(). */
  runnerPath?: string;
}

/** Formats whose columns radarm_names.py reads (CSV/TSV headers are read by the host itself). */
export const PYTHON_NAME_EXTENSIONS = ['.xlsx', '.xlsm', '.xls', '.parquet', '.pq', '.json', '.jsonl', '.ndjson'];
const REPLY_CAP = 8 * 1024 * 1024;

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function isMentionNames(v: unknown): v is MentionNames {
  const r = v as MentionNames;
  return (
    !!r &&
    Array.isArray(r.files) &&
    Array.isArray(r.databases) &&
    r.files.every((f) => typeof f?.path === 'string' && Array.isArray(f.groups) && f.groups.every((g) => strings(g?.columns))) &&
    r.databases.every((d) => typeof d?.name === 'string' && Array.isArray(d.tables) && d.tables.every((t) => typeof t?.name === 'string' && strings(t.columns)))
  );
}

/** Runs radarm_names.py once; rejects with a message without any password on failure, timeout or abort. */
export function readMentionNames(req: MentionNamesRequest): Promise<MentionNames> {
  const script = path.join(path.dirname(findRunner(req.runnerPath)), 'radarm_names.py');
  const secrets = databaseSecrets(req.databases);
  const mask = (text: string) => maskSecrets(text, secrets);
  return new Promise((resolve, reject) => {
    const child = spawn(req.python, [script], { cwd: req.cwd, env: kernelEnv(process.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: string | undefined;
    const stop = (why: string) => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`listing names took over ${req.timeoutMs ?? 30000} ms`), req.timeoutMs ?? 30000);
    const onAbort = () => stop('cancelled');
    req.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size > REPLY_CAP) stop('the reply was too large');
      else out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 4000) stderr += b.toString('utf8');
    });
    child.on('error', (err) => stop(`cannot run ${req.python}: ${err.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (failure) return reject(new Error(mask(failure)));
      try {
        const reply: unknown = JSON.parse(Buffer.concat(out).toString('utf8'));
        if (isMentionNames(reply)) return resolve(reply);
      } catch {
        // falls through to the error below
      }
      reject(new Error(mask(`radarm_names.py exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`)));
    });
    child.stdin.on('error', () => undefined); // the process may exit before reading everything
    child.stdin.end(JSON.stringify({ files: req.files, databases: req.databases ?? [], workspace: req.cwd }));
  });
}
