// The bubblewrap sandbox, with the real /usr/bin/bwrap and the real Python: what generated code can and cannot
// see and reach (host secrets, /proc, the network, the workspace, chosen data files), and what happens without
// bwrap. Sandbox mode 'required' unless a test says otherwise (kernel-sandbox-suite.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelStartError } from '../../src/kernel';
import { processAlive, waitFor } from '../fixtures/kernel-data';
import { ARGV_SECRET, DB_PASSWORD, ENV_SECRET, SECRET_PARENT, sandboxSuite } from './kernel-sandbox-suite';

describe('kernel: sandbox (bubblewrap)', function () {
  this.timeout(90_000);
  const suite = sandboxSuite();
  const { sandboxed } = suite;
  let workspace: string;
  let outside: string;
  before(() => ({ workspace, outside } = suite)); // set by the suite's before(), which runs first

  /** Runs `code` in a kernel started by a separate host process that holds the secrets in its env and argv. */
  function runFromSecretParent(mode: 'required' | 'off', code: string): Promise<{ ppid: number; sandbox: { kind: string }; stdout: string; value?: string; error?: unknown }> {
    const env = { ...process.env, RADARM_API_KEY: ENV_SECRET, DATABASE_URL: `postgres://analyst:${DB_PASSWORD}@db.internal/sales`, DB_PASS: DB_PASSWORD };
    const child = spawn(process.execPath, ['--import', 'tsx', SECRET_PARENT, mode, workspace, '--api-key', ARGV_SECRET], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(code.replaceAll('HOST_PARENT_PID', String(child.pid)));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    return new Promise((resolve, reject) =>
      child.on('close', () => {
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
        else reject(new Error(`the parent printed no result: ${err}`));
      }),
    );
  }

  // Looks everywhere a secret of the host could show: prints the places where one of them was found.
  const secretProbe = () => `
import glob, os
needles = [${JSON.stringify(ARGV_SECRET.slice(0, 8))} + ${JSON.stringify(ARGV_SECRET.slice(8))},
           ${JSON.stringify(ENV_SECRET.slice(0, 7))} + ${JSON.stringify(ENV_SECRET.slice(7))},
           ${JSON.stringify(DB_PASSWORD.slice(0, 5))} + ${JSON.stringify(DB_PASSWORD.slice(5))}]
def grab(p):
    try:
        with open(p, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except Exception:
        return ""
places = {"os.environ": repr(dict(os.environ)),
          "/proc/<ppid>/environ": grab("/proc/%d/environ" % os.getppid()),
          "/proc/<ppid>/cmdline": grab("/proc/%d/cmdline" % os.getppid()),
          "/proc/<host parent>/environ": grab("/proc/HOST_PARENT_PID/environ"),
          "/proc/<host parent>/cmdline": grab("/proc/HOST_PARENT_PID/cmdline"),
          "token file outside the workspace": grab(${JSON.stringify(path.join(outside, 'token.txt'))})}
print("shadow:", len(grab("/etc/shadow")), "ssh keys:", len(glob.glob("/etc/ssh/ssh_host_*_key")))
for p in glob.glob("/proc/[0-9]*"):
    places[p + "/environ"] = grab(p + "/environ")
    places[p + "/cmdline"] = grab(p + "/cmdline")
print(sorted(k for k, v in places.items() if any(n in v for n in needles)))
`;

  it('code cannot read a secret from the host environment, command line or files outside the workspace', async () => {
    const r = await runFromSecretParent('required', secretProbe());
    assert.equal(r.sandbox.kind, 'bwrap');
    assert.equal(r.error, undefined);
    // Root-only system secrets (the tests may run as root) are hidden too.
    assert.equal(r.stdout.trim(), 'shadow: 0 ssh keys: 0\n[]');
  });

  it('the same probe finds the secrets without the sandbox (so the probe itself works)', async () => {
    const r = await runFromSecretParent('off', secretProbe());
    assert.equal(r.sandbox.kind, 'none');
    // (The runner's direct parent is now its supervisor, which holds no secrets; the host parent does.)
    assert.match(r.stdout, /\/proc\/<host parent>\/environ/);
    assert.match(r.stdout, /\/proc\/<host parent>\/cmdline/);
    assert.match(r.stdout, /token file outside the workspace/);
    // Variables with secret names or credential values are filtered out of the kernel's own environment.
    assert.doesNotMatch(r.stdout, /os\.environ/);
  });

  it('/proc lists only the sandbox processes, the home folder is empty and private, the host\'s own variables pass', async () => {
    const k = sandboxed({ env: { DATA_SOURCE_NAME: 'warehouse' } });
    const r = await k.execute('import os\nprint(sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))\nos.listdir(os.path.expanduser("~")) + [os.environ.get("DATA_SOURCE_NAME")]');
    const pids = JSON.parse(r.stdout) as number[];
    assert.ok(pids.length <= 5, `pids: ${pids}`);
    assert.ok(!pids.includes(process.pid));
    assert.equal(r.value, "['warehouse']");
    assert.equal(k.info?.sandbox?.kind, 'bwrap');
    assert.equal(k.info?.sandbox?.network, false);
    // info.pid is the Python process as the host sees it, not the bwrap wrapper around it.
    const pid = k.info!.pid;
    assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /python3?\0.*runner\.py/);
    assert.doesNotMatch(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /bwrap/);
    await k.dispose();
    assert.ok(await waitFor(() => !processAlive(pid), 5000));
  });

  it('has no network: a connection to a port this test listens on fails; with network allowed it succeeds', async () => {
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const code = `import socket\ntry:\n    socket.create_connection(("127.0.0.1", ${port}), timeout=5).close()\n    print("connected")\nexcept OSError as e:\n    print("failed", type(e).__name__)`;
    try {
      const blocked = await sandboxed().execute(code);
      assert.match(blocked.stdout, /^failed/);
      assert.equal(connections, 0);
      const open = await sandboxed({ sandbox: { mode: 'required', network: true } }).execute(code);
      assert.equal(open.stdout.trim(), 'connected');
      assert.equal(connections, 1);
    } finally {
      server.close();
    }
  });

  it('the workspace data is readable but not writable; /tmp and HOME are writable', async () => {
    const k = sandboxed();
    const profile = await k.loadData([path.join(workspace, 'sales.csv')]);
    assert.equal(profile.files[0].rows, 2);
    const r = await k.execute(`
import os
def attempt(p):
    try:
        with open(p, "w") as f:
            f.write("x")
        return "wrote"
    except OSError as e:
        return type(e).__name__
print(attempt("new.csv"), attempt("sales.csv"), attempt("/tmp/scratch.txt"), attempt(os.path.expanduser("~/notes.txt")))
int(df["amount"].sum())`);
    assert.equal(r.stdout.trim(), 'OSError OSError wrote wrote');
    assert.equal(r.value, '218');
    assert.equal(readFileSync(path.join(workspace, 'sales.csv'), 'utf8'), 'region,amount\neast,120\nsouth,98\n');
  });

  it('a data file outside the workspace, under a hidden folder, is readable when chosen', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'radarm-sbx-data-'));
    try {
      writeFileSync(path.join(dir, 'other.csv'), 'k,v\na,1\n');
      const k = sandboxed({ readablePaths: [path.join(dir, 'other.csv')] });
      const profile = await k.loadData([path.join(dir, 'other.csv')]);
      assert.equal(profile.files[0].error, undefined);
      assert.equal(profile.files[0].rows, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a data file chosen later from a hidden folder restarts the sandbox so that it can read it, and says so', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'radarm-sbx-late-'));
    try {
      writeFileSync(path.join(dir, 'late.csv'), 'k,v\na,1\nb,2\n');
      const k = sandboxed();
      await k.execute('x = 1');
      const profile = await k.loadData([path.join(dir, 'late.csv')]);
      assert.equal(profile.files[0].error, undefined);
      assert.equal(profile.files[0].rows, 2);
      const r = await k.execute('len(df)');
      assert.equal(r.value, '2');
      assert.equal(r.restarted, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('"required" without bwrap refuses to run code with a typed error that says how to fix it', async () => {
    const k = sandboxed({ sandbox: { mode: 'required', bwrapPath: '/nonexistent/bwrap' } });
    await assert.rejects(k.execute('1'), (e: unknown) => {
      assert.ok(e instanceof KernelStartError);
      assert.equal(e.code, 'sandbox');
      assert.match(e.message, /\/nonexistent\/bwrap is not installed/);
      assert.match(e.message, /sudo apt install bubblewrap/);
      return true;
    });
  });

  it('"auto" without bwrap runs the code unsandboxed and says once what is not isolated', async () => {
    const k = sandboxed({ sandbox: { mode: 'auto', bwrapPath: '/nonexistent/bwrap' } });
    const first = await k.execute('6 * 7');
    assert.equal(first.value, '42');
    assert.equal(k.info?.sandbox?.kind, 'none');
    const notice = (first.notes ?? []).find((n) => /WITHOUT a sandbox/.test(n));
    assert.ok(notice, `notes: ${first.notes}`);
    assert.match(notice, /environments of your other processes/);
    assert.match(notice, /sudo apt install bubblewrap/);
    const second = await k.execute('1');
    assert.ok(!(second.notes ?? []).some((n) => /WITHOUT a sandbox/.test(n)));
  });

});
