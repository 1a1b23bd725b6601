// The data profile on a big frame, in a real Python: exact figures where they are cheap (numeric nulls, mean,
// min, max), estimates from seeded random samples where exact ones would walk millions of objects (text-column
// nulls, std), each labelled; column names and cells truncated.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { TEST_PYTHON } from '../fixtures/kernel-data';

const PY_DIR = path.resolve(__dirname, '../../src/kernel/python');

function profileOf(build: string): string {
  const script = [
    'import sys',
    `sys.path.insert(0, ${JSON.stringify(PY_DIR)})`,
    'import numpy as np, pandas as pd, radarm_profile',
    build,
    'print(radarm_profile.profile_frame("t", df, "", radarm_profile.FILE_BUDGET))',
  ].join('\n');
  return execFileSync(TEST_PYTHON, ['-c', script], { encoding: 'utf8' });
}

describe('kernel: data profile of big frames', function () {
  this.timeout(30_000);

  it('300,000 rows: text nulls estimated and labelled, numeric nulls and mean/min/max exact, std from a sample', () => {
    const text = profileOf(
      [
        'n = 300000',
        'df = pd.DataFrame({"name": np.where(np.arange(n) % 10 == 0, None, "x"),',
        '                   "v": np.where(np.arange(n) % 4 == 0, np.nan, np.arange(n, dtype=float)),',
        '                   "k": np.arange(n)})',
      ].join('\n'),
    );
    assert.match(text, /name \(object, ~(29|30|31),\d{3} null \(est\.\)\)/, 'about 10 % of 300,000');
    assert.match(text, /v \(float64, 75,000 null\)/, 'numeric nulls are exact');
    assert.match(text, /numeric summary \(std from 100,000 sampled rows\):/);
    // k = 0..299999: exact mean 149999.5, min 0, max 299999 (shown with 4 significant digits)
    assert.match(text, /\nk\s+1\.5e\+05\s+[\d.e+]+\s+0\s+3e\+05/);
  });

  it('small frames keep exact counts and an unlabelled summary', () => {
    const text = profileOf('df = pd.DataFrame({"name": ["a", None, "c"], "v": [1.0, None, 3.0]})');
    assert.match(text, /name \(object, 1 null\)/);
    assert.match(text, /numeric summary:\n/);
  });

  it('column names from the data are truncated in every section', () => {
    const text = profileOf(`df = pd.DataFrame({"${'n'.repeat(200)}": [1, 2], "ok": ["${'c'.repeat(100)}", "d"]})`);
    assert.ok(!text.includes('n'.repeat(61)), 'no column name over 60 characters');
    assert.ok(!text.includes('c'.repeat(25)), 'no cell over 24 characters');
  });
});
