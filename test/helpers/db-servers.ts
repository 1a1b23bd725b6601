/**
 * Real database servers for tests, started at most ONCE per test run (lazily, by the first test that needs
 * them) and stopped when the run ends, however it ends (run-cleanup.ts), with their temporary directories removed:
 *
 *   const pg = await postgres();   // PostgreSQL 15 from Debian: initdb + pg_ctl, a free port, socket in a temp dir
 *   const my = await mariadb();    // MariaDB: mariadb-install-db + mariadbd, a free port, a temp datadir
 *   pg.url                         // postgresql://radarm:PASSWORD@127.0.0.1:PORT/shop  (a real user with a password)
 *   await pg.query('SELECT 1')     // as the superuser, through the server's own client (psql / mariadb)
 *
 * As root (CI), PostgreSQL runs as the `postgres` user (it refuses root) and MariaDB with --user=root.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { atRunEnd, runDir, waitGone } from './run-cleanup';

export const DB_USER = 'radarm';
export const DB_PASSWORD = 'pw-Db-7f3e9a1c';
export const DB_NAME = 'shop';
const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface DbServer {
  engine: 'postgresql' | 'mysql';
  host: string;
  port: number;
  /** Connection URL with the test user's password. */
  url: string;
  /** The same URL without the password. */
  urlWithoutPassword: string;
  /** Runs SQL as the superuser on the `shop` database; returns the rows as tab-separated lines. */
  query(sql: string): string;
  /** The server's process ids (to check that none outlives the run) and its temporary folder. */
  pids(): number[];
  dir: string;
  stop(): Promise<void>;
}

const started = new Map<string, Promise<DbServer>>();
const cleanups: (() => void)[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function sh(cmd: string, args: string[], opts: { input?: string; asUser?: string; cwd?: string } = {}): string {
  const [c, a] = opts.asUser && userInfo().uid === 0 ? ['runuser', ['-u', opts.asUser, '--', cmd, ...args]] : [cmd, args];
  const r = spawnSync(c, a, { encoding: 'utf8', input: opts.input, cwd: opts.cwd ?? '/', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

async function waitFor(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startPostgres(): Promise<DbServer> {
  const run = runDir('radarm-pg-');
  const dir = run.path;
  const asUser = userInfo().uid === 0 ? 'postgres' : undefined;
  if (asUser) {
    const pw = sh('id', ['-u', asUser]).trim();
    const gr = sh('id', ['-g', asUser]).trim();
    chownSync(dir, Number(pw), Number(gr));
  }
  const data = join(dir, 'data');
  const port = await freePort();
  sh(`${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], { asUser });
  sh(`${PG_BIN}/pg_ctl`, ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`, 'start'], { asUser });
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  run.track(postmaster, 'SIGQUIT'); // SIGQUIT: PostgreSQL's immediate shutdown
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      sh(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop'], { asUser });
    } catch {
      /* already down */
    }
    waitGone([postmaster]);
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.push(stopNow);
  const psql = (sql: string, db = DB_NAME) =>
    sh(`${PG_BIN}/psql`, ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', 'postgres', '-d', db], { input: sql, asUser });
  psql(`CREATE USER ${DB_USER} PASSWORD '${DB_PASSWORD}'; CREATE DATABASE ${DB_NAME} OWNER ${DB_USER} ENCODING 'UTF8';`, 'postgres');
  const base = `postgresql://${DB_USER}@127.0.0.1:${port}/${DB_NAME}`;
  return {
    engine: 'postgresql',
    host: '127.0.0.1',
    port,
    url: `postgresql://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${port}/${DB_NAME}`,
    urlWithoutPassword: base,
    query: (sql) => psql(sql),
    pids: () => [postmaster],
    dir,
    stop: async () => stopNow(),
  };
}

async function startMariadb(): Promise<DbServer> {
  const run = runDir('radarm-my-');
  const dir = run.path;
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const port = await freePort();
  const root = userInfo().uid === 0;
  sh('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, ...(root ? ['--user=root'] : []), '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve']);
  const child: ChildProcess = spawn(
    'mariadbd',
    ['--no-defaults', `--datadir=${data}`, `--socket=${sock}`, `--port=${port}`, '--bind-address=127.0.0.1', `--pid-file=${join(dir, 'pid')}`,
      ...(root ? ['--user=root'] : []), '--skip-log-bin', '--innodb-buffer-pool-size=16M', '--innodb-log-file-size=8M', '--skip-name-resolve',
      '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci', `--log-error=${join(dir, 'err.log')}`],
    { stdio: 'ignore' },
  );
  run.track(child.pid!);
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
    waitGone([child.pid!]);
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.push(stopNow);
  const client = (sql: string, db?: string) =>
    sh('mariadb', ['--no-defaults', '-S', sock, '-u', 'root', '--batch', '--skip-column-names', ...(db ? [db] : [])], { input: sql });
  await waitFor(() => existsSync(sock) && spawnSync('mariadb', ['--no-defaults', '-S', sock, '-u', 'root', '-e', 'SELECT 1']).status === 0, 'mariadbd to accept connections');
  client(`CREATE DATABASE ${DB_NAME} CHARACTER SET utf8mb4; CREATE USER '${DB_USER}'@'%' IDENTIFIED BY '${DB_PASSWORD}'; GRANT ALL ON ${DB_NAME}.* TO '${DB_USER}'@'%';`);
  return {
    engine: 'mysql',
    host: '127.0.0.1',
    port,
    url: `mysql://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${port}/${DB_NAME}`,
    urlWithoutPassword: `mysql://${DB_USER}@127.0.0.1:${port}/${DB_NAME}`,
    query: (sql) => client(sql, DB_NAME),
    pids: () => [child.pid!],
    dir,
    stop: async () => {
      stopNow();
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

function once(name: string, start: () => Promise<DbServer>): Promise<DbServer> {
  let p = started.get(name);
  if (!p) {
    p = start();
    started.set(name, p);
  }
  return p;
}

export const postgres = () => once('postgres', startPostgres);
export const mariadb = () => once('mariadb', startMariadb);

/** A port where nothing listens (for "server is down"). */
export const closedPort = freePort;

function stopAll(): void {
  for (const c of cleanups.splice(0)) c();
  started.clear();
}

// At the run's end however it ends: mocha's root after(), exit, SIGTERM/SIGINT/SIGHUP (see run-cleanup.ts).
atRunEnd(stopAll);
