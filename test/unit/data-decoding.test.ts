// The encoding / binary-file decision, one table of real files (test/fixtures/decoding-cases.ts) run through
// both implementations of the rule — TypeScript (the Ask preview) and Python (the kernel, a real /usr/bin/python3)
// — then through the real kernel's load and the preview, so that both decode alike and refuse alike.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { sniffFile } from '../../src/agent/data-sniff';
import { checkDataFile } from '../../src/agent/data-check';
import { previewFile } from '../../src/agent/ask';
import { createKernel, type PythonKernel } from '../../src/kernel';
import { DECODING_CASES, makeDecodingFiles, pinned } from '../fixtures/decoding-cases';
import { TEST_PYTHON } from '../fixtures/kernel-data';

const PY_DIR = path.resolve(__dirname, '../../src/kernel/python');

describe('data decoding: one rule, two languages, real files', function () {
  this.timeout(60_000);
  let files: ReturnType<typeof makeDecodingFiles>;
  let pyDecisions: Record<string, Record<string, unknown>>;

  before(() => {
    files = makeDecodingFiles();
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(PY_DIR)})`,
      'import radarm_sniff',
      'print(json.dumps({f: radarm_sniff.sniff_file(f) for f in sys.argv[1:]}))',
    ].join('\n');
    const out = execFileSync(TEST_PYTHON, ['-c', script, ...DECODING_CASES.map((c) => files.file(c.file))], { encoding: 'utf8' });
    pyDecisions = JSON.parse(out) as Record<string, Record<string, unknown>>;
  });
  after(() => files?.cleanup());

  describe('the TypeScript rule (src/agent/data-sniff.ts)', () => {
    for (const c of DECODING_CASES)
      it(`${c.file} → ${JSON.stringify(c.decision)}`, async () => {
        const d = (await sniffFile(files.file(c.file))) as unknown as Record<string, unknown>;
        assert.deepEqual(pinned(d, c.decision), c.decision);
      });
  });

  describe('the Python rule (radarm_sniff.py on a real Python)', () => {
    for (const c of DECODING_CASES)
      it(`${c.file} → ${JSON.stringify(c.decision)}`, () => {
        assert.deepEqual(pinned(pyDecisions[files.file(c.file)], c.decision), c.decision);
      });
  });

  it('both rules give identical decisions, descriptions included, for every file', async () => {
    for (const c of DECODING_CASES) {
      const ts = await sniffFile(files.file(c.file));
      assert.deepEqual(ts, pyDecisions[files.file(c.file)], c.file);
    }
  });

  describe('the kernel loads them right, or refuses them by name', () => {
    let kernel: PythonKernel;
    before(async () => {
      kernel = createKernel({ cwd: files.dir, pythonPath: TEST_PYTHON, warmup: false });
      await kernel.start();
    });
    after(async () => kernel?.dispose());

    for (const c of DECODING_CASES) {
      const k = c.kernel;
      if (!k) continue;
      const what = 'error' in k ? `refused: ${k.error.source.slice(0, 60)}` : `${k.expr} == ${k.value}`;
      it(`${c.file}: ${what}`, async () => {
        const profile = await kernel.loadData([files.file(c.file)]);
        const info = profile.files[0];
        if ('error' in k) {
          assert.match(info.error ?? '', k.error);
          assert.ok(profile.text.includes(`### ${c.file}: not loaded`), 'the profile names the file that is missing');
          return;
        }
        assert.equal(info.error, undefined, info.error);
        assert.equal(info.encoding, k.encoding ?? c.decision.encoding);
        const r = await kernel.execute(k.expr);
        assert.ok(r.ok, r.text);
        assert.equal(r.value, k.value);
        assert.equal(info.badLines, k.badLines);
        if (k.badLines) {
          assert.match(info.warning ?? '', new RegExp(`^${k.badLines} lines? had bytes that are not valid UTF-8`));
          assert.ok(profile.text.includes(info.warning!), 'the warning reaches the profile (and so the model)');
        }
        assert.equal(info.read?.func, 'read_csv');
        assert.equal(info.read?.kwargs.encoding, info.encoding);
      });
    }
  });

  it('the kernel and the TypeScript check refuse Excel and Parquet files whose bytes are something else, alike', async () => {
    const kernel = createKernel({ cwd: files.dir, pythonPath: TEST_PYTHON, warmup: false });
    try {
      const profile = await kernel.loadData([files.file('text_named.xlsx'), files.file('png_named.parquet')]);
      assert.match(
        profile.files[0].error ?? '',
        /text_named\.xlsx is not an Excel workbook: it looks like text \(UTF-8\) \(its first bytes are 61 2C 62 0A.*rename it to \.csv/,
      );
      assert.match(profile.files[1].error ?? '', /png_named\.parquet is not a Parquet file: it looks like a PNG image/);
      // The check before the first model call words it the same way.
      for (const f of profile.files) assert.equal((await checkDataFile(f.path))?.error, f.error);
    } finally {
      await kernel.dispose();
    }
  });

  describe('the Ask preview decodes with the same decision', () => {
    for (const c of DECODING_CASES.filter((x) => x.preview || x.decision.kind !== 'text'))
      it(`${c.file}: ${c.preview ? `shows ${JSON.stringify(c.preview)}` : 'says why it is not loaded'}`, async () => {
        const text = await previewFile(files.file(c.file));
        if (c.preview) {
          assert.ok(text.includes(c.preview), text);
          assert.doesNotMatch(text, /[\u4e00-\u9fff]/.test(c.preview) ? /\ufffd{2}/ : /[\u3400-\u9fff]/, 'no CJK garbage');
        } else {
          assert.match(text, new RegExp(`\\(not loaded: ${c.file.replace('.', '\\.')} is (empty|not a text data file)`));
        }
      });
  });
});
