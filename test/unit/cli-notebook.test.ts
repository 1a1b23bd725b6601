// `radarm chat --save-notebook FILE` (dist/cli.js, a real child process against the fake LLM server and the
// real Python kernel): the notebook's code cells, run in order by a fresh Python from the notebook's
// folder, reproduce the answer — with a GBK, semicolon-separated, decimal-comma CSV in another folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { textSteps } from '../helpers/fake-llm-server';
import { runNotebook } from '../helpers/run-notebook';
import { runCli, useCliFixture } from '../helpers/cli-process';
const PYTHON = process.env.RADARM_TEST_PYTHON ?? '/usr/bin/python3';

const run = (args: string[], cwd: string) => runCli(args, { cwd });

describe('CLI --save-notebook', function () {
  this.timeout(60_000);
  const fx = useCliFixture('radarm-cli-nb-');
  const { server, base } = fx;
  let dir: string;

  before(() => {
    dir = fx.dir;
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, 'notebooks'));
    // Decimal commas in the last column, as European and some Chinese exports write them.
    const csv = '地区;销售额\n华东;120,5\n华南;98\n华东;30\n';
    // GBK bytes, written by Python so that they are what a real export holds.
    spawnSync(PYTHON, ['-c', `open(${JSON.stringify(join(dir, 'data', 'sales.csv'))}, "wb").write(${JSON.stringify(csv)}.encode("gbk"))`]);
  });

  it('saves question, code, output and chart; a fresh Python run of its code cells from its folder gives the same answer', async () => {
    server.setHandler((req) =>
      req.stage === 'code_generation'
        ? {
            steps: textSteps(
              '```python\ntotals = df.groupby("地区")["销售额"].sum()\nfig, ax = plt.subplots()\ntotals.plot.bar(ax=ax)\nprint("最高", totals.idxmax(), totals.max())\n```',
              12,
            ),
          }
        : { steps: [{ text: '华东最高，150.5。' }] },
    );
    const nbFile = join(dir, 'notebooks', 'answer.ipynb');
    const r = await run(
      [...base, '--mode', 'agent_single', '--data', 'data/sales.csv', '--python', PYTHON, '--save-notebook', 'notebooks/answer.ipynb', '哪个地区销售额最高？'],
      dir,
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /notebook saved to .*answer\.ipynb/);
    const nb = JSON.parse(readFileSync(nbFile, 'utf8'));
    const text = JSON.stringify(nb);
    assert.doesNotMatch(text, /shown to the user/, 'no notes meant for the model');
    const code = nb.cells.filter((c: any) => c.cell_type === 'code');
    assert.equal(code.length, 2, 'the set-up cell, then the generated code');
    const setup = code[0].source.join('');
    assert.match(setup, /pd\.read_csv\("\.\.\/data\/sales\.csv", encoding="gb18030", sep=";", decimal=","\)/);
    assert.match(setup, /import matplotlib\.pyplot as plt/);
    const outputs = code[1].outputs;
    assert.match(outputs[0].text.join(''), /最高 华东 150\.5/);
    assert.ok(outputs.some((o: any) => o.data?.['image/png']), 'the chart is in the notebook');
    assert.ok(nb.cells.some((c: any) => c.cell_type === 'markdown' && c.source.join('').includes('哪个地区销售额最高')));

    const printed = runNotebook(nbFile, PYTHON);
    assert.match(printed[1], /最高 华东 150\.5/, 'the fresh run reproduces the answer');
  });

  it('a turn that fails writes no notebook and says so', async () => {
    server.setHandler(() => ({ status: 401, json: { error: { message: 'bad key' } } }));
    const nbFile = join(dir, 'notebooks', 'failed.ipynb');
    const r = await run([...base, '--mode', 'agent_single', '--data', 'data/sales.csv', '--python', PYTHON, '--save-notebook', nbFile, 'hi'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no notebook written to .*failed\.ipynb: the turn did not complete/);
    assert.equal(existsSync(nbFile), false);
  });

  it('rejects a name that is not .ipynb or a folder that does not exist, with exit code 2', async () => {
    const bad = await run([...base, '--save-notebook', 'out.txt', 'hi'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--save-notebook needs a file name ending in \.ipynb/);
    const nofolder = await run([...base, '--save-notebook', 'nope/out.ipynb', 'hi'], dir);
    assert.equal(nofolder.code, 2);
    assert.match(nofolder.stderr, /--save-notebook: no such folder/);
  });
});
