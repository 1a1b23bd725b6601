// Database sources as plain data: which files are databases, parsing `name=URL`, the URL without its password
// for anything shown or stored, and whether the kernel needs the network for them.
import * as path from 'node:path';
import type { DatabaseSource, ExecutionResult } from './types';

/** SQLite (and DuckDB, when the duckdb module is installed) files are data files like CSVs. */
export const DATABASE_FILE_EXTENSIONS = ['.sqlite', '.sqlite3', '.db', '.duckdb'] as const;

export function isDatabaseFile(file: string): boolean {
  return (DATABASE_FILE_EXTENSIONS as readonly string[]).includes(path.extname(file).toLowerCase());
}

export type DatabaseEngine = 'postgresql' | 'mysql' | 'sqlite' | 'duckdb';

const SCHEMES: Record<string, DatabaseEngine> = {
  postgresql: 'postgresql',
  postgres: 'postgresql',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
  duckdb: 'duckdb',
};

/** The engine of a URL (`postgresql+psycopg2://…` counts as postgresql), or undefined when unsupported. */
export function engineOf(url: string): DatabaseEngine | undefined {
  const m = /^([a-z][a-z0-9]*)(\+[a-z0-9_]+)?:\/\//i.exec(url.trim());
  return m ? SCHEMES[m[1].toLowerCase()] : undefined;
}

function parsed(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** The URL with its password removed (for display, storage and messages). */
export function withoutPassword(url: string): string {
  const u = parsed(url);
  if (!u || !u.password) return url;
  u.password = '';
  return u.toString();
}

/** The password in the URL, decoded; undefined when it has none. */
export function passwordOf(url: string): string | undefined {
  const u = parsed(url);
  return u?.password ? decodeURIComponent(u.password) : undefined;
}

/** A default name: the database in the URL's path, else the engine. */
export function defaultName(url: string): string {
  const engine = engineOf(url);
  if (engine === 'sqlite' || engine === 'duckdb') return path.basename(url.replace(/^[^:]+:\/\/\/?/, '')) || engine;
  const db = parsed(url)?.pathname.replace(/^\//, '');
  return (db && decodeURIComponent(db)) || engine || 'db';
}

/**
 * `URL` or `name=URL` (CLI --db, the Add Database command) → a source, or a message saying what is wrong.
 * `password` (RADARM_DB_PASSWORD, SecretStorage) is used when the URL carries none.
 */
export function parseDatabaseArg(arg: string, password?: string): DatabaseSource | { error: string } {
  const m = /^([^=:/]+)=(.+)$/s.exec(arg.trim());
  const name = m ? m[1].trim() : undefined;
  const url = (m ? m[2] : arg).trim();
  if (!engineOf(url))
    return {
      error:
        `not a database URL: "${withoutPassword(url)}". Use postgresql://user@host:5432/dbname, ` +
        'mysql://user@host:3306/dbname (MariaDB too) or sqlite:///path/file.sqlite, optionally as name=URL',
    };
  // A server needs a host, or a unix socket directory as ?host=/var/run/postgresql (or ?unix_socket=… for MySQL).
  const u = parsed(url);
  const socket = u?.searchParams.get('host') || u?.searchParams.get('unix_socket');
  if (engineOf(url) !== 'sqlite' && engineOf(url) !== 'duckdb' && !u?.hostname && !socket)
    return { error: `the database URL "${withoutPassword(url)}" has no host, e.g. postgresql://user@localhost:5432/dbname` };
  const source: DatabaseSource = { name: name || defaultName(url), url };
  if (!passwordOf(url) && password) source.password = password;
  return source;
}

/**
 * The environment variable with the password of the source named `name` when several are given (CLI and
 * `radarm serve` --db NAME=URL, taken-away code): RADARM_DB_PASSWORD_<NAME>, the name in capitals with every
 * other character as _ ("sales-eu" → RADARM_DB_PASSWORD_SALES_EU). RADARM_DB_PASSWORD serves every source
 * that has no variable of its own.
 */
export function passwordVariable(name: string): string {
  const tail = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return tail ? `RADARM_DB_PASSWORD_${tail}` : 'RADARM_DB_PASSWORD';
}

/** The password for a named source from the environment: its own variable, else RADARM_DB_PASSWORD. */
export function passwordFromEnv(name: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return (name ? env[passwordVariable(name)] : undefined) || env.RADARM_DB_PASSWORD || undefined;
}

/** Whether the kernel must reach the network (or a server's socket) for these sources. */
export function needsNetwork(sources: readonly DatabaseSource[] | undefined): boolean {
  return (sources ?? []).some((s) => {
    const e = engineOf(s.url);
    return e === 'postgresql' || e === 'mysql';
  });
}

/** Every password of these sources, to mask in anything printed (but not 1-3 characters: masking every "a" in
 *  the output would garble it more than it protects). */
export function databaseSecrets(sources: readonly DatabaseSource[] | undefined): string[] {
  const out: string[] = [];
  for (const s of sources ?? []) {
    const p = passwordOf(s.url) ?? s.password;
    if (p && p.length >= 4) out.push(p);
  }
  return out;
}

/** The text with every secret (and its URL-encoded form) replaced by ***. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('***');
  return out;
}

/** Masks the secrets in every text field of an execution result (in place). */
export function maskResult(r: ExecutionResult, secrets: readonly string[]): void {
  const m = (t: string) => maskSecrets(t, secrets);
  r.stdout = m(r.stdout);
  r.stderr = m(r.stderr);
  if (r.value !== undefined) r.value = m(r.value);
  if (r.error) r.error = { name: r.error.name, message: m(r.error.message), traceback: m(r.error.traceback) };
  if (r.notes) r.notes = r.notes.map(m);
  if (r.tables) r.tables = JSON.parse(m(JSON.stringify(r.tables))) as ExecutionResult['tables'];
}
