// How the sandbox is planned and what the kernel's environment keeps: pure functions, no processes.
import assert from 'node:assert/strict';
import { parseCliArgs } from '../../src/cli/args';
import { kernelEnv } from '../../src/kernel';
import { bwrapArgs, macProfile, planSandbox, sandboxEnv } from '../../src/kernel/sandbox';
import { parseServeArgs } from '../../src/serve/args';
import { readSettings } from '../../src/vscode/settings';

/** The values that follow each occurrence of `flag` in argv. */
const after = (argv: string[], flag: string, n = 1) =>
  argv.flatMap((a, i) => (a === flag ? [argv.slice(i + 1, i + 1 + n).join(' ')] : []));

describe('kernel: sandbox plan and environment filter', () => {
  it('bwrap argv: new PID namespace, no network, read-only system, private roots emptied, workspace bound read-only', () => {
    const argv = bwrapArgs({ cwd: '/tmp', home: '/root', network: false, readable: ['/usr/lib/python3', '/root'] });
    for (const f of ['--unshare-pid', '--unshare-net', '--die-with-parent', '--new-session']) assert.ok(argv.includes(f), f);
    assert.deepEqual(after(argv, '--cap-drop'), ['ALL']);
    assert.deepEqual(after(argv, '--ro-bind', 2)[0], '/ /');
    assert.ok(after(argv, '--tmpfs').includes('/tmp') && after(argv, '--tmpfs').includes('/root'));
    // Re-bound only what a tmpfs hid (the workspace /tmp, /root); /usr is visible through / already.
    const binds = after(argv, '--ro-bind', 2).slice(1);
    assert.deepEqual(binds.filter((b) => !b.startsWith('/dev/null ')), ['/tmp /tmp', '/root /root']);
    // Root-only system secrets are covered with /dev/null where they exist.
    for (const b of binds.filter((b) => b.startsWith('/dev/null '))) assert.match(b, /^\/dev\/null \/etc\/g?shadow-?$/);
    // The tmpfs comes before the bind that shows the workspace again, or the workspace would be hidden.
    assert.ok(argv.lastIndexOf('/tmp') > argv.indexOf('--tmpfs'));
    assert.deepEqual(after(argv, '--chdir'), ['/tmp']);
    assert.ok(!bwrapArgs({ cwd: '/tmp', home: '/root', network: true, readable: [] }).includes('--unshare-net'));
  });

  it('the sandboxed environment keeps paths, locale and Python settings, and proxies only with the network', () => {
    const env = { PATH: '/bin', LANG: 'zh_CN.UTF-8', PYTHONPATH: '/p', HTTPS_PROXY: 'http://proxy:3128', EDITOR: 'vim', SSH_AUTH_SOCK: '/run/ssh', HOME: '/home/u' };
    assert.deepEqual(sandboxEnv(env, false, '/home/u', '/tmp'), { PATH: '/bin', LANG: 'zh_CN.UTF-8', PYTHONPATH: '/p', HOME: '/home/u', TMPDIR: '/tmp' });
    assert.equal(sandboxEnv(env, true, '/home/u', '/tmp').HTTPS_PROXY, 'http://proxy:3128');
    // What the host passes on purpose (KernelOptions.env, e.g. a data source's settings) is kept.
    assert.equal(sandboxEnv(env, false, '/home/u', '/tmp', { PGHOST: '/run/postgresql' }).PGHOST, '/run/postgresql');
  });

  it('the macOS profile (untested on macOS) denies the home folder, process inspection and the network', () => {
    const p = macProfile({ cwd: '/Users/u/proj', home: '/Users/u', tmp: '/private/tmp/r', network: false, readable: ['/opt/py'] });
    assert.match(p, /\(deny file-read\* \(subpath "\/Users\/u"\)/);
    assert.match(p, /\(allow file-read\* \(subpath "\/Users\/u\/proj"\) \(subpath "\/opt\/py"\)/);
    assert.match(p, /\(deny process-info\*\)/);
    assert.match(p, /\(deny network\*\)/);
    assert.doesNotMatch(macProfile({ cwd: '/w', home: '/Users/u', tmp: '/t', network: true, readable: [] }), /deny network/);
  });

  it('Windows has no sandbox: auto runs with the notice, required refuses, off is silent', async () => {
    const input = { pythonPath: 'python', runnerPath: 'C:/r/runner.py', cwd: 'C:/w', env: {}, platform: 'win32' as const };
    const auto = await planSandbox({ ...input, mode: 'auto' });
    assert.equal(auto.info.kind, 'none');
    assert.match(auto.info.notice ?? '', /no sandbox is available on win32/);
    await assert.rejects(planSandbox({ ...input, mode: 'required' }), (e: Error & { code?: string }) => e.code === 'sandbox' && /Windows has no sandbox/.test(e.message));
    assert.equal((await planSandbox({ ...input, mode: 'off' })).info.notice, undefined);
  });

  it('drops variables whose names or values hold credentials, whatever the name', () => {
    const env = kernelEnv({
      PATH: '/bin',
      DB_PASS: 'a',
      AWS_CREDENTIALS_FILE: 'b',
      BASIC_AUTH: 'c',
      DATABASE_URL: 'postgres://analyst:hunter2@db.internal:5432/sales',
      CACHE: 'redis://:s3cret@cache:6379/0',
      MSSQL: 'Server=db;Database=x;User Id=sa;Password=Pa55;',
      GH: 'ghp_0123456789abcdefghij0123456789abcdef',
      PUBLIC_URL: 'https://example.com/path?q=1',
      GIT_URL: 'ssh://git@github.com/org/repo',
      PLAIN: 'ok',
    });
    assert.deepEqual(
      Object.keys(env).filter((k) => !k.startsWith('PYTHON') && k !== 'MPLBACKEND').sort(),
      ['GIT_URL', 'PATH', 'PLAIN', 'PUBLIC_URL'],
    );
  });

  it('settings, CLI and serve: sandbox auto by default, modes validated, env fallback, and a warning for --api-key', () => {
    assert.deepEqual(readSettings(() => undefined).sandbox, { mode: 'auto', network: false });
    assert.deepEqual(readSettings((k) => ({ sandbox: 'required', 'sandbox.network': true })[k]).sandbox, { mode: 'required', network: true });
    assert.equal(readSettings((k) => (k === 'sandbox' ? 'bogus' : undefined)).sandbox.mode, 'auto');
    const base = ['chat', '--base-url', 'http://127.0.0.1:1/v1', '--model', 'm'];
    const cfg = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const r = parseCliArgs(argv, env);
      if (!('config' in r)) throw new Error(JSON.stringify(r));
      return r.config;
    };
    assert.deepEqual(cfg([...base, 'hi']).sandbox, { mode: 'auto', network: false });
    assert.deepEqual(cfg([...base, '--sandbox', 'required', '--sandbox-network', 'hi']).sandbox, { mode: 'required', network: true });
    assert.deepEqual(cfg([...base, 'hi'], { RADARM_SANDBOX: 'off', RADARM_SANDBOX_NETWORK: '1' }).sandbox, { mode: 'off', network: true });
    assert.deepEqual(parseCliArgs([...base, '--sandbox', 'maybe', 'hi'], {}), { error: '--sandbox must be one of auto, required, off; got "maybe"' });
    const flagged = cfg([...base, '--api-key', 'sk-abc', 'hi']);
    assert.equal(flagged.warnings.length, 1);
    assert.match(flagged.warnings[0], /--api-key.*ps.*RADARM_API_KEY/s);
    assert.ok(!flagged.warnings[0].includes('sk-abc'));
    assert.deepEqual(cfg([...base, 'hi'], { RADARM_API_KEY: 'sk-abc' }).warnings, []);
    const serve = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const r = parseServeArgs(['--base-url', 'http://127.0.0.1:1/v1', '--model', 'm', ...argv], env);
      if (!('config' in r)) throw new Error(JSON.stringify(r));
      return r.config.sandbox;
    };
    assert.deepEqual(serve([]), { mode: 'auto', network: false });
    assert.deepEqual(serve(['--sandbox', 'required']), { mode: 'required', network: false });
    assert.deepEqual(serve([], { RADARM_SANDBOX: 'off', RADARM_SANDBOX_NETWORK: 'true' }), { mode: 'off', network: true });
  });
});
