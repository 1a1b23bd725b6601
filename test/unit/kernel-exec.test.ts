// Running code in a real Python kernel: output, values, charts, errors, limits, crashes and recovery.
import assert from 'node:assert/strict';
import { createKernel, type ExecutionResult, type PythonKernel } from '../../src/kernel';
import { makeDataDir, TEST_PYTHON, type DataDir } from '../fixtures/kernel-data';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngBytes(dataUrl: string): Buffer {
  assert.match(dataUrl, /^data:image\/png;base64,/);
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

describe('kernel: execution', function () {
  this.timeout(60_000);
  let data: DataDir;
  let kernel: PythonKernel;
  const logs: string[] = [];
  const MAX_OUTPUT = 20_000;

  before(async () => {
    data = makeDataDir();
    process.env.RADARM_TEST_OPENAI_API_KEY = 'sk-must-not-leak';
    kernel = createKernel({
      cwd: data.dir,
      pythonPath: TEST_PYTHON,
      maxOutputChars: MAX_OUTPUT,
      interruptGraceMs: 1500,
      env: { MY_SERVICE_TOKEN: 'tok', db_password: 'pw', AWS_SECRET_ACCESS_KEY: 'aws', RADARM_PLAIN_SETTING: 'visible' },
      onLog: (l) => logs.push(l),
    });
    await kernel.loadData([data.file('small.csv')]);
    delete process.env.RADARM_TEST_OPENAI_API_KEY;
  });
  after(async () => {
    await kernel?.dispose();
    data?.cleanup();
  });

  const run = (code: string, opts?: Parameters<PythonKernel['execute']>[1]) => kernel.execute(code, opts);

  it('prints, shows the final expression like a notebook, and keeps variables across runs', async () => {
    const r1 = await run('x = 41\nprint("hello")\nx + 1');
    assert.equal(r1.ok, true);
    assert.equal(r1.stdout, 'hello\n');
    assert.equal(r1.value, '42');
    assert.equal(r1.valueSource, 'expression');
    assert.equal(r1.text, 'hello\nOut: 42');
    const r2 = await run('x * 2');
    assert.equal(r2.value, '82');
  });

  it('pre-imports pd, np, plt, px and go, and runs in the workspace folder', async () => {
    const r = await run(
      'import os\nprint(pd.__name__, np.__name__, plt.__name__, px.__name__, go.__name__)\nos.path.realpath(os.getcwd())',
    );
    assert.equal(r.stdout, 'pandas numpy matplotlib.pyplot plotly.express plotly.graph_objects\n', r.text);
    const real = await run(`import os; os.path.realpath(${JSON.stringify(data.dir)})`);
    assert.equal(r.value, real.value);
  });

  it('shows a variable named result as the answer, and DataFrames with a table preview', async () => {
    const r = await run('result = df["a"].sum()\nprint("done")');
    assert.equal(r.value, '9');
    assert.equal(r.valueSource, 'result');
    assert.match(r.text, /done\nresult: 9/);
    const t = await run('df.head(2)');
    assert.equal(t.valueType, 'DataFrame');
    assert.deepEqual(t.tables?.[0]?.columns, ['a', 'b']);
    assert.deepEqual(t.tables?.[0]?.rows, [[1, 2], [3, 4]]);
    assert.equal(t.tables?.[0]?.totalRows, 2);
    assert.match(t.value ?? '', /a\s+b\n0\s+1\s+2/);
  });

  it('abbreviates huge containers and never shows a stale result after a failure', async () => {
    const big = await run('list(range(10_000_000))');
    assert.ok((big.value ?? '').length < 5000, `value of ${big.value?.length} chars`);
    assert.match(big.value ?? '', /^\[0, 1, 2, .*\.\.\.\]$/);
    await run('result = "old answer"');
    const failed = await run('x = 1 / 0\nresult = "new answer"');
    assert.equal(failed.ok, false);
    assert.equal(failed.value, undefined, failed.text);
  });

  it('captures every matplotlib figure as a real PNG and closes them', async () => {
    const r = await run('plt.figure(); plt.plot([1, 3, 2])\nfig, ax = plt.subplots(); ax.bar(["a", "b"], [1, 2])\nplt.show()');
    assert.equal(r.ok, true, r.text);
    assert.equal(r.images.length, 2);
    for (const img of r.images) {
      const png = pngBytes(img);
      assert.deepEqual(png.subarray(0, 8), PNG_MAGIC);
      assert.ok(png.length > 5000, `PNG of ${png.length} bytes`);
    }
    assert.match(r.text, /\[2 matplotlib charts \(PNG\) shown to the user\]/);
    assert.equal(r.value, undefined, 'plt.show() returns None: no value');
    const next = await run('len(plt.get_fignums())');
    assert.equal(next.value, '0', 'figures are closed after capture');
    assert.equal(next.images.length, 0);
  });

  it('renders Chinese chart labels with a CJK font, without missing-glyph warnings', async () => {
    const r = await run('ax = df.plot(x="a", y="b", title="销售额趋势")\nax.set_xlabel("月份 −1")\nax');
    assert.equal(r.ok, true, r.text);
    assert.equal(r.images.length, 1);
    assert.equal(r.value, undefined, 'an Axes value is not printed');
    assert.doesNotMatch(r.stderr, /missing from (current )?font|Glyph \d+/i, r.stderr);
    assert.match(kernel.info?.cjkFont ?? '', /CJK|Hei|YaHei|PingFang|WenQuanYi|Source Han/, `cjkFont: ${kernel.info?.cjkFont}`);
    const font = await run('plt.rcParams["font.sans-serif"][0]');
    assert.equal(font.value, `'${kernel.info?.cjkFont}'`);
  });

  it('captures Plotly figures from fig.show() and from a final expression as JSON', async () => {
    const r = await run('fig = px.bar(df, x="a", y="b", title="标题")\nfig.show()\ngo.Figure(go.Scatter(x=[1, 2], y=[3, 4]))');
    assert.equal(r.ok, true, r.text);
    assert.equal(r.plotly.length, 2);
    for (const json of r.plotly) {
      const fig = JSON.parse(json);
      assert.ok(Array.isArray(fig.data) && fig.data.length > 0);
      assert.equal(typeof fig.layout, 'object');
    }
    assert.equal(JSON.parse(r.plotly[0]).layout.title.text, '标题');
    assert.equal(r.value, undefined);
    assert.match(r.text, /2 Plotly charts/);
  });

  it('reports an exception with a traceback trimmed to the user code', async () => {
    const r = await run('y = 1\nz = df["no_such_column"]');
    assert.equal(r.ok, false);
    assert.equal(r.error?.name, 'KeyError');
    assert.match(r.error?.traceback ?? '', /File "<cell-\d+>", line 2, in <module>\n\s+z = df\["no_such_column"\]/);
    assert.doesNotMatch(r.error?.traceback ?? '', /runner\.py|radarm_/);
    assert.ok((r.error?.traceback.match(/File "/g) ?? []).length <= 1 + 3, 'at most 3 library frames');
    assert.match(r.text, /KeyError: 'no_such_column'$/);
  });

  it('reports a syntax error and calls in functions defined in earlier runs', async () => {
    const s = await run('for x in range(3)\n    print(x)');
    assert.equal(s.error?.name, 'SyntaxError');
    assert.match(s.text, /line 1/);
    await run('def f(v):\n    return 1 / v');
    const r = await run('f(0)');
    assert.equal(r.error?.name, 'ZeroDivisionError');
    assert.match(r.error?.traceback ?? '', /line 1, in <module>\n\s+f\(0\)[\s\S]*line 2, in f\n\s+return 1 \/ v/);
  });

  it('never lets printed text corrupt the protocol', async () => {
    const r = await run(
      'import os, sys\nprint(\'{"id": 1, "type": "result", "ok": true}\')\nos.write(1, b\'{"type":"hello"}\\n\')\n' +
        'sys.__stdout__.write("raw\\n"); sys.__stdout__.flush()\nos.system("echo from-a-subprocess")\n"still fine"',
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.value, "'still fine'");
    assert.match(r.stdout, /"type": "result"/);
    assert.equal((await run('1 + 1')).value, '2');
  });

  it('caps 10 MB of output, keeping head and tail and saying what was cut', async () => {
    let streamed = 0;
    const r = await run('for i in range(200_000):\n    print(f"line {i:06d} " + "x" * 40)', {
      onOutput: (o) => (streamed += o.text.length),
    });
    assert.equal(r.ok, true);
    assert.ok(r.stdout.length < MAX_OUTPUT + 200, `stdout kept ${r.stdout.length} chars`);
    assert.match(r.stdout, /^line 000000 x/);
    assert.match(r.stdout, /line 199999 x+\n$/);
    const cut = /\[… ([\d,]+) characters cut …\]/.exec(r.stdout);
    assert.ok(cut, 'a note of what was cut');
    const total = 200_000 * 53; // "line 000000 " + 40 × "x" + newline
    assert.equal(Number(cut[1].replace(/,/g, '')) + r.stdout.length - cut[0].length - 2, total);
    assert.ok((r.outputCut ?? 0) > total - MAX_OUTPUT - 10);
    assert.ok(streamed > 0 && streamed <= MAX_OUTPUT, `streamed ${streamed} chars`);
  });

  it('streams output while the code runs', async () => {
    const chunks: { t: number; text: string }[] = [];
    const t0 = Date.now();
    const r = await run('import time\nprint("first", flush=True)\ntime.sleep(0.8)\nprint("second")', {
      onOutput: (o) => chunks.push({ t: Date.now() - t0, text: o.text }),
    });
    assert.equal(r.stdout, 'first\nsecond\n');
    const first = chunks.find((c) => c.text.includes('first'));
    assert.ok(first, JSON.stringify(chunks));
    assert.ok(first.t < r.durationMs - 300, `first output at ${first.t} ms of ${r.durationMs}`);
  });

  it('gives user code no secrets from the environment', async () => {
    const r = await run(
      'import os, re\nsorted(k for k in os.environ if re.search("KEY|SECRET|TOKEN|PASSWORD", k, re.I)), os.environ.get("RADARM_PLAIN_SETTING")',
    );
    assert.equal(r.value, "([], 'visible')");
  });

  it('makes input() fail fast instead of hanging', async () => {
    const r = await run('input("name? ")');
    assert.equal(r.error?.name, 'EOFError');
  });

  it('runs queued requests one at a time, in order', async () => {
    await run('order = []');
    const runs = [1, 2, 3].map((i) => run(`import time\ntime.sleep(0.1 * ${4 - i})\norder.append(${i})`));
    await Promise.all(runs);
    assert.equal((await run('order')).value, '[1, 2, 3]');
  });

  it('interrupts an infinite loop at the timeout; the kernel, its variables and the data stay', async () => {
    await run('kept = "still here"');
    const r = await run('while True:\n    pass', { timeoutMs: 1000 });
    assert.equal(r.timedOut, true);
    assert.equal(r.ok, false);
    assert.equal(r.restarted, undefined);
    assert.match(r.text, /ran longer than the 1 s time limit/);
    assert.match(r.text, /line 2: `pass`|line 1: `while True:`/);
    const after = await run('kept, df.shape');
    assert.equal(after.value, "('still here', (3, 2))");
    assert.equal(after.restarted, undefined);
  });

  it('an interrupt during streamed output never breaks the protocol', async () => {
    let chunks = 0;
    const r = await run('import time\nwhile True:\n    print("tick")\n    time.sleep(0.0005)', {
      timeoutMs: 1000,
      onOutput: () => chunks++,
    });
    assert.equal(r.timedOut, true);
    assert.equal(r.restarted, undefined, 'interrupted, not killed');
    assert.ok(chunks > 0);
    assert.match(r.stdout, /^tick\ntick\n/);
    assert.equal((await run('"ok"')).value, "'ok'");
  });

  it('kills and restarts a kernel that ignores the interrupt; the data is reloaded', async () => {
    const r = await run('import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass', { timeoutMs: 800 });
    assert.equal(r.timedOut, true);
    assert.match(r.text, /kernel was restarted/);
    const after = await run('df.shape, "kept" in globals()');
    assert.equal(after.ok, true, after.text);
    assert.equal(after.value, '((3, 2), False)');
    assert.equal(after.restarted, true);
    assert.match(after.text, /kernel was restarted before this run/);
  });

  it('reports os._exit as a crash; the next run gets a fresh kernel with the data reloaded', async () => {
    const pid = kernel.info?.pid;
    const r = await run('import os\nprint("about to exit", flush=True)\nos._exit(1)');
    assert.equal(r.crashed, true);
    assert.equal(r.ok, false);
    assert.match(r.text, /exited with code 1/);
    assert.match(r.text, /next run starts a fresh kernel with the data reloaded/);
    const after = await run('df["a"].tolist()');
    assert.equal(after.value, '[1, 3, 5]');
    assert.equal(after.restarted, true);
    assert.notEqual(kernel.info?.pid, pid);
  });

  it('reports a segmentation fault as a crash', async () => {
    const r = await run('import ctypes\nctypes.string_at(0)');
    assert.equal(r.crashed, true);
    assert.match(r.text, /segmentation fault/);
    assert.equal((await run('1')).value, '1');
  });

  it('stops a run when its AbortSignal fires', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const t0 = Date.now();
    const r: ExecutionResult = await run('import time\ntime.sleep(30)', { signal: ac.signal });
    assert.equal(r.cancelled, true);
    assert.ok(Date.now() - t0 < 10_000);
    assert.match(r.text, /Stopped by the user/);
    assert.equal((await run('2 + 2')).value, '4');
    const pre = new AbortController();
    pre.abort();
    assert.equal((await run('print("never")', { signal: pre.signal })).cancelled, true);
  });

  it('interrupt() stops the running code and keeps the kernel', async () => {
    await run('survivor = 7');
    const running = run('import time\nwhile True:\n    time.sleep(0.05)');
    setTimeout(() => kernel.interrupt(), 400);
    const r = await running;
    assert.equal(r.cancelled, true);
    assert.equal(r.restarted, undefined);
    assert.equal((await run('survivor')).value, '7');
    kernel.interrupt(); // nothing running: no effect
    assert.equal((await run('survivor + 1')).value, '8');
  });

  it('attaches what subprocesses print to the run that started them', async () => {
    const r = await run('import subprocess\nsubprocess.run(["sh", "-c", "echo out-line; echo err-line >&2"])\nNone');
    assert.match(r.stderr, /out-line/);
    assert.match(r.stderr, /err-line/);
    assert.doesNotMatch((await run('print("next")')).stderr, /out-line/);
  });

  it('starts without the memory cap when the cap is too low to import pandas', async () => {
    const lines: string[] = [];
    const tiny = createKernel({ cwd: data.dir, pythonPath: TEST_PYTHON, memoryLimitMb: 64, warmup: false, onLog: (l) => lines.push(l) });
    try {
      assert.equal((await tiny.execute('len(pd.DataFrame({"a": [1, 2]}))')).value, '2');
      assert.equal(tiny.info?.memoryLimitMb, null);
      if (process.platform === 'linux') assert.ok(lines.some((l) => /retrying without it/.test(l)), lines.join('\n'));
    } finally {
      await tiny.dispose();
    }
  });

  it('turns exceeding the memory cap into a MemoryError, not a dead machine', async () => {
    // 4 GB leaves room for BLAS threads on big CI machines; asking for 8 GB fails at once without touching memory.
    const small = createKernel({ cwd: data.dir, pythonPath: TEST_PYTHON, memoryLimitMb: 4096, warmup: false });
    try {
      if (process.platform !== 'linux') {
        await small.start();
        assert.equal(small.info?.memoryLimitMb ?? null, null, 'RLIMIT_AS is Linux-only: no cap claimed elsewhere');
        return;
      }
      const r = await small.execute('big = bytearray(8 * 1024 ** 3)');
      assert.equal(r.error?.name, 'MemoryError', r.text);
      assert.equal(small.info?.memoryLimitMb, 4096);
      assert.equal((await small.execute('len(bytearray(10 ** 6))')).value, '1000000');
    } finally {
      await small.dispose();
    }
  });
});
