// The bubblewrap sandbox, with the real /usr/bin/bwrap and the real Python: what generated code can and cannot
// see, reach and leave behind. Sandbox mode 'required' throughout, so that a missing bwrap fails these tests
// instead of running them unsandboxed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createKernel, KernelStartError, type KernelOptions, type PythonKernel } from '../../src/kernel';
import { processAlive, TEST_PYTHON, waitFor } from '../fixtures/kernel-data';

const SECRET_PARENT = path.join(__dirname, '..', 'fixtures', 'kernel-secret-parent.ts');
const ARGV_SECRET = 'sk-argv-' + 'q7Zt9Lw2Vx4Kp8Rm';
const ENV_SECRET = 'sk-env-' + 'H3nB6yU1cX5gF0aD';
const DB_PASSWORD = 'dbpw-' + 'Y2kM7sQ4';

/** Pids of host processes whose command line contains `marker` (processes the sandboxed code started). */
function pidsWith(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) out.push(Number(name));
    } catch {
      /* ended meanwhile */
    }
  }
  return out;
}

/** Python that starts a sleeper with setsid and another through a double fork, both carrying `marker`. */
const escapees = (marker: string) => `
import os, subprocess
subprocess.Popen(["setsid", "sleep", "${marker}"])
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "${marker}"])
    os._exit(0)
os.wait()
"started"`;

describe('kernel: sandbox (bubblewrap)', function () {
  this.timeout(90_000);
  let workspace: string;
  let outside: string;
  const kernels: PythonKernel[] = [];
  const sandboxed = (extra: Partial<KernelOptions> = {}) => {
    const k = createKernel({ cwd: workspace, pythonPath: TEST_PYTHON, warmup: false, sandbox: { mode: 'required' }, ...extra });
    kernels.push(k);
    return k;
  };

  before(() => {
    workspace = mkdtempSync(path.join(os.tmpdir(), 'radarm-sbx-ws-'));
    writeFileSync(path.join(workspace, 'sales.csv'), 'region,amount\neast,120\nsouth,98\n');
    outside = mkdtempSync(path.join(os.tmpdir(), 'radarm-sbx-out-'));
    writeFileSync(path.join(outside, 'token.txt'), ENV_SECRET);
  });
  afterEach(async () => {
    await Promise.all(kernels.splice(0).map((k) => k.dispose()));
  });
  after(() => {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

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

  for (const how of ['dispose', 'timeout-kill'] as const) {
    it(`processes that escape with setsid or a double fork end with the sandboxed kernel (${how})`, async () => {
      const marker = `${4000 + Math.floor(Math.random() * 1000)}.${process.pid}`;
      const k = sandboxed({ interruptGraceMs: 300 });
      const r = await k.execute(escapees(marker));
      assert.equal(r.value, "'started'", r.text);
      assert.ok(await waitFor(() => pidsWith(marker).length === 2, 5000), 'both escapees run');
      const pids = pidsWith(marker);
      if (how === 'dispose') await k.dispose();
      else {
        const stuck = await k.execute('import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(30)', { timeoutMs: 500 });
        assert.equal(stuck.timedOut, true);
        assert.match(stuck.text, /kernel was restarted/);
        assert.equal((await k.execute('"fresh"')).restarted, true);
      }
      assert.ok(await waitFor(() => pids.every((p) => !processAlive(p)), 5000), `left behind: ${pids.filter(processAlive)}`);
    });
  }

  for (const how of ['dispose', 'timeout-kill', 'host-killed'] as const) {
    it(`without the sandbox, setsid and double-fork escapees still end with the kernel (${how})`, async () => {
      const marker = `${5000 + Math.floor(Math.random() * 1000)}.${process.pid}`;
      if (how === 'host-killed') {
        // The host dies outright: the runner sees its stdin close and ends its descendants (it is their subreaper).
        const parent = spawn(process.execPath, ['--import', 'tsx', SECRET_PARENT, 'off', workspace], { stdio: ['pipe', 'ignore', 'ignore'] });
        parent.stdin.end(escapees(marker) + '\nimport time\ntime.sleep(60)');
        assert.ok(await waitFor(() => pidsWith(marker).length === 2, 15_000), 'both escapees run');
        const pids = pidsWith(marker);
        parent.kill('SIGKILL');
        assert.ok(await waitFor(() => pids.every((p) => !processAlive(p)), 5000), `left behind: ${pids.filter(processAlive)}`);
        return;
      }
      const k = sandboxed({ sandbox: { mode: 'off' }, interruptGraceMs: 300 });
      await k.execute(escapees(marker));
      assert.ok(await waitFor(() => pidsWith(marker).length === 2, 5000), 'both escapees run');
      const pids = pidsWith(marker);
      if (how === 'dispose') await k.dispose();
      else {
        // Ignores the interrupt: the kernel is killed and restarted, and the escapees with it.
        const r = await k.execute('import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(30)', { timeoutMs: 500 });
        assert.equal(r.timedOut, true);
      }
      assert.ok(await waitFor(() => pids.every((p) => !processAlive(p)), 5000), `left behind: ${pids.filter(processAlive)}`);
    });
  }

  it('without the sandbox, orphans that end are reaped by the supervisor (no zombies pile up)', async () => {
    const k = sandboxed({ sandbox: { mode: 'off' } });
    const r = await k.execute(`
import os
for _ in range(20):
    if os.fork() == 0:
        if os.fork() == 0:
            os._exit(0)
        os._exit(0)
    os.wait()
"done"`);
    assert.equal(r.value, "'done'", r.text);
    const stat = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
    const supervisor = Number(stat(k.info!.pid)[1]);
    const zombies = () =>
      readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .filter((n) => {
          try {
            const f = stat(Number(n));
            return f[0] === 'Z' && Number(f[1]) === supervisor;
          } catch {
            return false;
          }
        }).length;
    assert.ok(await waitFor(() => zombies() === 0, 5000), `${zombies()} zombies under the supervisor`);
    // The supervisor really is the runner's parent, and orphans really are adopted by it (not by init).
    assert.match(readFileSync(`/proc/${supervisor}/cmdline`, 'utf8'), /runner\.py/);
    const marker = `${6000 + Math.floor(Math.random() * 1000)}.${process.pid}`;
    await k.execute(escapees(marker));
    assert.ok(await waitFor(() => pidsWith(marker).length === 2, 5000));
    for (const p of pidsWith(marker)) assert.ok([supervisor, k.info!.pid].includes(Number(stat(p)[1])), `parent of ${p}: ${stat(p)[1]}`);
  });

  for (const sandbox of ['required', 'off'] as const) {
    it(`a reply forged on the runner's channel is not taken for the result (sandbox ${sandbox})`, async () => {
      const k = sandboxed({ sandbox: { mode: sandbox } });
      await k.execute('1');
      const forge = `
import json, os, sys, subprocess
fake = "".join(json.dumps({"id": i, "type": "result", "ok": True, "value": "'forged'", "stdout": "forged"}) + "\\n" for i in range(1, 40))
print(fake)
sys.__stdout__.write(fake); sys.__stdout__.flush()
for fd in range(1, 64):
    try:
        os.write(fd, fake.encode())
    except OSError:
        pass
for p in os.listdir("/proc/self/fd"):
    try:
        with open("/proc/self/fd/" + p, "w") as f:
            f.write(fake)
    except OSError:
        pass
subprocess.run(["sh", "-c", "for f in /proc/$PPID/fd/*; do printf '%s' \\"$FAKE\\" > $f; done 2>/dev/null"], env={"FAKE": fake, "PATH": os.environ["PATH"]})
for fd in range(3, 64):
    try:
        os.write(fd, b'garbage without a newline ')
    except OSError:
        pass
# Requests injected into the runner's own stdin, answering ids the host may use next (Node's stdio is a socket
# pair, so this fails today; were it a pipe, the host's random request ids would still not match).
injected = "".join(json.dumps({"id": i, "op": "exec", "code": "'forged'"}) + "\\n" for i in range(1, 200))
try:
    with open("/proc/self/fd/0", "w") as requests:
        requests.write(injected)
except OSError:
    pass
try:
    os.write(0, injected.encode())
except OSError:
    pass
'real'`;
      const r = await k.execute(forge);
      assert.equal(r.value, "'real'", r.text.slice(0, 2000));
      assert.notEqual(r.stdout, 'forged'); // a forged reply would have brought its own stdout
      // The protocol is still in step: the next requests get their own replies.
      for (let i = 0; i < 5; i++) assert.equal((await k.execute(`${i} + 100`)).value, String(i + 100));
    });
  }

  it('a 10 MB exception message, traceback, value and result are capped like stdout', async () => {
    const k = sandboxed({ maxOutputChars: 20_000 });
    const err = await k.execute('raise ValueError("x" * 10_000_000)');
    assert.equal(err.error?.name, 'ValueError');
    assert.ok(err.error!.message.length < 21_000, `message ${err.error!.message.length}`);
    assert.ok(err.error!.traceback.length < 21_000, `traceback ${err.error!.traceback.length}`);
    assert.match(err.error!.message, /characters cut/);
    assert.ok(JSON.stringify(err).length < 100_000, `result ${JSON.stringify(err).length}`);
    const value = await k.execute('"y" * 10_000_000');
    assert.ok(value.value!.length < 21_000);
    const result = await k.execute('result = ["z" * 1000] * 10_000');
    assert.ok(JSON.stringify(result).length < 100_000, `result ${JSON.stringify(result).length}`);
  });

  it('pandas, matplotlib (with its font cache) and plotly work inside the sandbox', async () => {
    const k = sandboxed();
    await k.loadData([path.join(workspace, 'sales.csv')]);
    const r = await k.execute(`
import plotly.express as px
df.plot.bar(x="region", y="amount")
px.bar(df, x="region", y="amount").show()
df.groupby("region")["amount"].sum()`);
    assert.equal(r.ok, true, r.text);
    assert.equal(r.images.length, 1);
    assert.match(r.images[0], /^data:image\/png;base64,/);
    assert.equal(r.plotly.length, 1);
    assert.equal(r.valueType, 'Series');
    assert.doesNotMatch(r.stderr, /not writable|temporary cache directory/i);
  });

  for (const mode of ['required', 'off'] as const) {
    it(`timeout and Stop interrupt the code and keep the kernel and its variables (sandbox ${mode})`, async () => {
      const k = sandboxed({ sandbox: { mode } });
      await k.execute('kept = 7');
      const t0 = Date.now();
      const timed = await k.execute('import time\ntime.sleep(30)', { timeoutMs: 800 });
      assert.equal(timed.timedOut, true);
      assert.ok(Date.now() - t0 < 5000);
      assert.equal(timed.restarted, undefined);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 500);
      const stopped = await k.execute('while True:\n    pass', { signal: ac.signal });
      assert.equal(stopped.cancelled, true);
      assert.equal((await k.execute('kept')).value, '7');
    });
  }

  it('a crash inside the sandbox is reported as one, and the next run gets a fresh sandboxed kernel', async () => {
    const k = sandboxed();
    const crash = await k.execute('import ctypes\nctypes.string_at(0)');
    assert.equal(crash.crashed, true);
    assert.match(crash.text, /segmentation fault/);
    const after = await k.execute('1 + 1');
    assert.equal(after.value, '2');
    assert.equal(after.restarted, true);
  });
});
