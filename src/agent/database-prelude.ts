// Taken-away code for database sources: the lines that give code outside Radarm the kernel's `sql()`, `db` and
// `dbs[...]` (radarm_sql_run.py), from how the kernel reached each source (profile.files[].read, func "sql").
// SQLAlchemy engines from the URL WITHOUT its password: the generated code reads the password from an environment
// variable, so no secret is ever written into an editor, a notebook or a report. SQLite files need no SQLAlchemy:
// when only SQLite is used and SQLAlchemy is missing, Python's own sqlite3 opens them. Pure.
import { passwordVariable, withoutPassword } from '../kernel/database-sources';

/** How the kernel reached a database source: `read.func === 'sql'`; a server's URL has the driver and no password. */
export interface DatabaseRead {
  func: 'sql';
  kwargs: { engine: 'sqlite' | 'postgresql' | 'mysql'; url?: string };
}

/** A database source of a turn (from its data_files): its name (`key`), the SQLite file (`path`), how it was read. */
export interface DatabaseSourceRead {
  key: string;
  path: string;
  read: DatabaseRead;
}

export const isDatabaseRead = (r: { func: string } | undefined): r is DatabaseRead => r?.func === 'sql';

/** Whether code uses the kernel's database names: sql(...), db or dbs. */
export const usesDatabase = (code: string) => /(?<![.\w])(?:sql\s*\(|dbs?\b)/.test(code);

const isServer = (s: DatabaseSourceRead) => s.read.kwargs.engine !== 'sqlite';
/** SQLAlchemy may be missing only when every source is a SQLite file. */
const onlySqlite = (sources: readonly DatabaseSourceRead[]) => !sources.some(isServer);

/** Imports the database lines need. */
export function databaseImports(sources: readonly DatabaseSourceRead[]): string[] {
  if (!sources.length) return [];
  const out = ['import pandas as pd'];
  if (sources.some(isServer)) out.push('import os', 'import sqlalchemy as sa');
  else
    out.push(
      'import sqlite3',
      [
        'try:',
        '    import sqlalchemy as sa',
        'except ImportError:  # SQLite files need no SQLAlchemy: Python\'s own sqlite3 opens them then',
        '    sa = None',
      ].join('\n'),
    );
  return out;
}

/**
 * The statements that define `db` (the first source), `dbs` (several sources, or code that names `dbs` or a
 * `source=`) and `sql()`, each statement one string (it may span lines).
 */
export function databaseStatements(code: string, sources: readonly DatabaseSourceRead[], pathFor: (file: string) => string): string[] {
  if (!sources.length) return [];
  const several = sources.length > 1;
  const withDbs = several || /\bdbs\b|\bsource\s*=/.test(code);
  const variable = (s: DatabaseSourceRead) => (several ? passwordVariable(s.key) : 'RADARM_DB_PASSWORD');
  const servers = sources.filter(isServer);
  const out: string[] = [];
  out.push(passwordComment(servers, several, variable), connectFunction(sources));
  const connect = (s: DatabaseSourceRead) =>
    isServer(s)
      ? `connect_db(${JSON.stringify(withoutPassword(s.read.kwargs.url ?? ''))}, ${JSON.stringify(variable(s))})`
      : `connect_db(${JSON.stringify(`sqlite:///${pathFor(s.path)}`)})`;
  if (withDbs) {
    out.push(`\ndbs = {\n${sources.map((s) => `    ${JSON.stringify(s.key)}: ${connect(s)},`).join('\n')}\n}`);
    out.push(`db = dbs[${JSON.stringify(sources[0].key)}]`);
  } else out.push(`\ndb = ${connect(sources[0])}`);
  out.push(sqlFunction(sources, withDbs));
  return out;
}

function passwordComment(servers: readonly DatabaseSourceRead[], several: boolean, variable: (s: DatabaseSourceRead) => string): string {
  const head = several ? '\n# The databases, as Radarm read them (dbs[name]; db is the first).' : '\n# The database, as Radarm read it.';
  if (!servers.length) return head;
  if (!several)
    return `${head}\n# No password is written here: it is read from the environment variable RADARM_DB_PASSWORD\n# (export RADARM_DB_PASSWORD=… before running).`;
  const each = servers.map((s) => `# ${variable(s)} for ${JSON.stringify(s.key)}`).join('\n');
  return `${head}\n# No password is written here: each is read from an environment variable (else RADARM_DB_PASSWORD):\n${each}`;
}

function connectFunction(sources: readonly DatabaseSourceRead[]): string {
  const lines = [
    'def connect_db(url, password_variable=None):',
    '    """An engine for the URL; a server\'s password comes from the environment, never from this file."""',
  ];
  if (onlySqlite(sources)) lines.push('    if sa is None:', '        return sqlite3.connect(url[len("sqlite:///"):], check_same_thread=False)');
  if (sources.some(isServer))
    lines.push(
      '    url = sa.engine.make_url(url)',
      '    password = os.environ.get(password_variable or "RADARM_DB_PASSWORD") or os.environ.get("RADARM_DB_PASSWORD")',
      '    if password:',
      '        url = url.set(password=password)',
    );
  lines.push('    return sa.create_engine(url)');
  return lines.join('\n');
}

/** Radarm's sql() outside Radarm: the same call, the rows as a DataFrame (no row cap unless max_rows). */
function sqlFunction(sources: readonly DatabaseSourceRead[], withDbs: boolean): string {
  const lines = [
    '',
    'def sql(query, source=None, max_rows=None, params=None):',
    '    """Runs `query` on db (or dbs[source]) and returns the rows as a DataFrame (at most max_rows rows)."""',
    withDbs ? '    con = db if source is None else dbs[source]' : '    con = db',
  ];
  if (onlySqlite(sources))
    lines.push(
      '    if sa is None:  # a sqlite3 connection',
      '        cur = con.execute(query, params or ())',
      '        if cur.description is None:',
      '            con.commit()',
      '            return pd.DataFrame({"rows_affected": [cur.rowcount]})',
      '        rows = cur.fetchmany(max_rows) if max_rows else cur.fetchall()',
      '        return pd.DataFrame.from_records(rows, columns=[d[0] for d in cur.description])',
    );
  lines.push(
    '    with con.begin() as conn:',
    '        if params is None:  # the text goes to the driver as it is ("%" needs no escaping)',
    '            result = conn.execution_options(no_parameters=True).exec_driver_sql(query)',
    '        else:',
    '            result = conn.exec_driver_sql(query, params)',
    '        if not result.returns_rows:',
    '            return pd.DataFrame({"rows_affected": [result.rowcount]})',
    '        rows = result.fetchmany(max_rows) if max_rows else result.fetchall()',
    '        return pd.DataFrame.from_records([tuple(r) for r in rows], columns=list(result.keys()))',
  );
  return lines.join('\n');
}
