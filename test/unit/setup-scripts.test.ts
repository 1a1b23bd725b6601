// The set-up scripts a new user meets first (scripts/prereqs.mjs, the code-server install in
// scripts/code-server.mjs, the demo folder of npm start), run as real processes: missing system packages
// are reported in the first seconds with the exact command, a failed or interrupted install leaves no
// half-made folder, and the demo opens outside any git repository with data for every example prompt.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const NODE = process.execPath;
const isRoot = process.getuid?.() === 0;

function node(args: string[], opts: { env?: NodeJS.ProcessEnv; uid?: number; cwd?: string } = {}) {
  const t0 = Date.now();
  const r = spawnSync(NODE, args, { cwd: opts.cwd ?? ROOT, encoding: 'utf8', env: { ...process.env, ...opts.env }, uid: opts.uid, timeout: 60_000 });
  return { ...r, ms: Date.now() - t0 };
}

describe('set-up: system prerequisites (scripts/prereqs.mjs)', function () {
  this.timeout(60_000);

  it('a normal user missing packages is stopped within seconds with the exact sudo apt-get command', () => {
    // Run as nobody when we are root, so that the non-root path is the real one.
    const r = node(['scripts/prereqs.mjs', 'start'], {
      env: { RADARM_PREREQS_ASSUME_MISSING: 'libkrb5-dev libxkbfile-dev' },
      uid: isRoot ? 65534 : undefined,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    assert.match(r.stderr, /Missing Debian packages: libkrb5-dev libxkbfile-dev/);
    assert.match(r.stderr, /sudo apt-get update && sudo apt-get install -y --no-install-recommends libkrb5-dev libxkbfile-dev\n/);
    assert.match(r.stderr, /building code-server's native modules/);
  });

  it('--dry-run says what it would install and installs nothing (as root: without sudo)', () => {
    const r = node(['scripts/prereqs.mjs', 'start', '--dry-run'], { env: { RADARM_PREREQS_ASSUME_MISSING: 'python3-plotly' } });
    assert.equal(r.status, 1);
    const sudo = isRoot ? '' : 'sudo ';
    assert.match(r.stderr, new RegExp(`${isRoot ? 'Would run' : 'Install them with'}:\\n\\n  ${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends python3-plotly\\n`));
    assert.match(r.stderr, /running the generated code/);
  });

  it('without dpkg (not Debian/Ubuntu) it names what is needed and goes on', () => {
    const bin = mkdtempSync(join(tmpdir(), 'radarm-nodpkg-'));
    try {
      const r = node(['scripts/prereqs.mjs', 'test'], { env: { PATH: bin } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /not a Debian\/Ubuntu system \(no dpkg-query\)/);
      assert.match(r.stderr, /Python 3\.8\+ with pandas/);
      assert.match(r.stderr, /Chromium/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('on this machine (packages present) it passes silently and fast', () => {
    const r = node(['scripts/prereqs.mjs', 'test']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });
});

describe('set-up: the code-server install is atomic', function () {
  this.timeout(90_000);
  let registry: Server;
  let url: string;
  let requests = 0;
  let dir: string;

  before(async () => {
    // A registry that never answers: the install hangs until it is interrupted (or npm gives up).
    registry = createServer(() => {
      requests++;
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
  });
  after(() => {
    registry.closeAllConnections();
    registry.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'radarm-cs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const env = (registryUrl: string) => ({
    RADARM_CODE_SERVER_DIR: dir,
    npm_config_registry: registryUrl,
    npm_config_fetch_retries: '0',
    npm_config_fetch_timeout: '3000',
    npm_config_cache: join(dir, 'npm-cache'),
  });

  it('a failed install leaves only its log, and says where it is', () => {
    const r = node(['scripts/code-server.mjs'], { env: env('http://127.0.0.1:9/') });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /installing code-server 4\.100\.3 failed \(npm exit \d+\); full log: .*code-server-install\.log/);
    const left = readdirSync(dir).filter((n) => n !== 'npm-cache');
    assert.deepEqual(left, ['code-server-install.log'], 'no install-* or code-server-* folder');
  });

  it('Ctrl-C during the install removes the temp folder', async () => {
    const child = spawn(NODE, ['scripts/code-server.mjs'], { cwd: ROOT, env: { ...process.env, ...env(url) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Wait until npm asks the registry: the temp folder exists then.
    const t0 = Date.now();
    while (requests === 0 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
    assert.ok(requests > 0, `npm never reached the registry: ${stderr}`);
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('install-')).length, 1, 'installing into a temp folder');
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.match(stderr, /install interrupted \(SIGINT\): nothing was left behind/);
    assert.deepEqual(readdirSync(dir).filter((n) => n !== 'npm-cache'), []);
  });

  it('a temp folder left by a killed install is removed by the next one', () => {
    const stale = join(dir, 'install-stale');
    mkdirSync(stale);
    writeFileSync(join(stale, 'owner.pid'), '999999999');
    node(['scripts/code-server.mjs'], { env: env('http://127.0.0.1:9/') });
    assert.equal(existsSync(stale), false);
  });
});

describe('set-up: the demo folder of npm start', function () {
  this.timeout(60_000);

  it('is copied outside any git repository, and keeps what the user changed', async () => {
    const { demoFolder, insideGitRepo } = await import('../../scripts/demo-folder.mjs');
    const base = mkdtempSync(join(tmpdir(), 'radarm-demo-test-'));
    try {
      assert.equal(insideGitRepo(join(ROOT, 'demo')), true);
      const inRepo = join(ROOT, '.vscode-test-demo-probe');
      const outside = join(base, 'cache', 'radarm-demo');
      const folder = demoFolder({ candidates: [inRepo, outside] });
      assert.equal(folder, outside, 'the candidate inside the checkout is skipped');
      assert.equal(existsSync(inRepo), false);
      assert.ok(existsSync(join(folder, 'sales.csv')) && existsSync(join(folder, 'stores_gbk.csv')));
      assert.equal(insideGitRepo(folder), false);
      writeFileSync(join(folder, 'sales.csv'), 'changed');
      demoFolder({ candidates: [outside] });
      assert.equal(readFileSync(join(folder, 'sales.csv'), 'utf8'), 'changed');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it("answers every example prompt of the welcome screen (region totals, monthly revenue, missing values)", () => {
    const i18n = readFileSync(join(ROOT, 'webview', 'i18n.ts'), 'utf8');
    const examples = [...i18n.matchAll(/example\d: '([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual(examples, [
      'Which region has the highest total sales?',
      'Plot monthly revenue as a line chart',
      'Summarise the columns and missing values',
      '哪个地区的总销售额最高？',
      '用折线图展示每月收入',
      '概括各列及缺失值情况',
    ], 'the examples this test checks against the demo data');
    // What a model writes for each, run on the demo data by the Python that runs generated code.
    const code = String.raw`
import pandas as pd, matplotlib
matplotlib.use("Agg")
df = pd.read_csv("demo/sales.csv")
by_region = df.groupby("region")["sales"].sum().sort_values(ascending=False)
print("region", by_region.index[0], len(by_region))
monthly = df.assign(month=pd.to_datetime(df["date"]).dt.to_period("M")).groupby("month")["sales"].sum()
ax = monthly.plot(kind="line")
print("months", len(monthly))
missing = df.isna().sum()
print("missing", int((missing > 0).sum()), len(df.columns))
stores = pd.read_csv("demo/stores_gbk.csv", encoding="gb18030")
print("stores", sorted(set(stores["city"])) == sorted(set(df["city"])), list(stores.columns)[:3])
`;
    const r = spawnSync(process.env.RADARM_TEST_PYTHON || '/usr/bin/python3', ['-c', code], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^region East 4$/m);
    assert.match(r.stdout, /^months 12$/m);
    assert.match(r.stdout, /^missing 2 9$/m, 'two columns have missing values');
    assert.match(r.stdout, /^stores True \['城市', 'city', '地区'\]$/m);
  });
});
