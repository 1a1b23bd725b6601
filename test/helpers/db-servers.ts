/**
 * Real database servers for tests, started at most ONCE per test run (lazily, by the first test that needs
 * them) and stopped by a mocha root hook at the end, with their temporary directories removed:
 *
 *   const pg = await postgres();   // PostgreSQL 15 from Debian: initdb + pg_ctl, a free port, socket in a temp dir
 *   const my = await mariadb();    // MariaDB: mariadb-install-db + mariadbd, a free port, a temp datadir
 *   pg.url                         // postgresql://radarm:PASSWORD@127.0.0.1:PORT/shop  (a real user with a password)
 *   await pg.query('SELECT 1')     // as the superuser, through the server's own client (psql / mariadb)
 *
 * As root (CI), PostgreSQL runs as the `postgres` user (it refuses root) and MariaDB with --user=root.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

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

function run(cmd: string, args: string[], opts: { input?: string; asUser?: string; cwd?: string } = {}): string {
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
  const dir = mkdtempSync(join(tmpdir(), 'radarm-pg-'));
  const asUser = userInfo().uid === 0 ? 'postgres' : undefined;
  if (asUser) {
    const pw = run('id', ['-u', asUser]).trim();
    const gr = run('id', ['-g', asUser]).trim();
    chownSync(dir, Number(pw), Number(gr));
  }
  const data = join(dir, 'data');
  const port = await freePort();
  run(`${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], { asUser });
  run(`${PG_BIN}/pg_ctl`, ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`, 'start'], { asUser });
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      run(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop'], { asUser });
    } catch {
      /* already down */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.push(stopNow);
  const psql = (sql: string, db = DB_NAME) =>
    run(`${PG_BIN}/psql`, ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', 'postgres', '-d', db], { input: sql, asUser });
  psql(`CREATE USER ${DB_USER} PASSWORD '${DB_PASSWORD}'; CREATE DATABASE ${DB_NAME} OWNER ${DB_USER} ENCODING 'UTF8';`, 'postgres');
  const base = `postgresql://${DB_USER}@127.0.0.1:${port}/${DB_NAME}`;
  return {
    engine: 'postgresql',
    host: '127.0.0.1',
    port,
    url: `postgresql://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${port}/${DB_NAME}`,
    urlWithoutPassword: base,
    query: (sql) => psql(sql),
    stop: async () => stopNow(),
  };
}

async function startMariadb(): Promise<DbServer> {
  const dir = mkdtempSync(join(tmpdir(), 'radarm-my-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const port = await freePort();
  const root = userInfo().uid === 0;
  run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, ...(root ? ['--user=root'] : []), '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve']);
  const child: ChildProcess = spawn(
    'mariadbd',
    ['--no-defaults', `--datadir=${data}`, `--socket=${sock}`, `--port=${port}`, '--bind-address=127.0.0.1', `--pid-file=${join(dir, 'pid')}`,
      ...(root ? ['--user=root'] : []), '--skip-log-bin', '--innodb-buffer-pool-size=16M', '--innodb-log-file-size=8M', '--skip-name-resolve',
      '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci', `--log-error=${join(dir, 'err.log')}`],
    { stdio: 'ignore' },
  );
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.push(stopNow);
  const client = (sql: string, db?: string) =>
    run('mariadb', ['--no-defaults', '-S', sock, '-u', 'root', '--batch', '--skip-column-names', ...(db ? [db] : [])], { input: sql });
  await waitFor(() => existsSync(sock) && spawnSync('mariadb', ['--no-defaults', '-S', sock, '-u', 'root', '-e', 'SELECT 1']).status === 0, 'mariadbd to accept connections');
  client(`CREATE DATABASE ${DB_NAME} CHARACTER SET utf8mb4; CREATE USER '${DB_USER}'@'%' IDENTIFIED BY '${DB_PASSWORD}'; GRANT ALL ON ${DB_NAME}.* TO '${DB_USER}'@'%';`);
  return {
    engine: 'mysql',
    host: '127.0.0.1',
    port,
    url: `mysql://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${port}/${DB_NAME}`,
    urlWithoutPassword: `mysql://${DB_USER}@127.0.0.1:${port}/${DB_NAME}`,
    query: (sql) => client(sql, DB_NAME),
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

// Mocha root hook: registered when a test file imports this helper; runs once after every test.
if (typeof after === 'function') after(stopAll);
process.on('exit', stopAll);
