import * as assert from 'node:assert/strict';
import { extractPythonCode, fencedBlocks, looksLikePython } from '../../src/agent/code-extract';

const fence = '```';

describe('agent code extraction', () => {
  it('takes a ```python block out of prose', () => {
    const text = `Here is the code:\n\n${fence}python\nprint(df.shape)\nresult = len(df)\n${fence}\n\nIt prints the shape.`;
    assert.equal(extractPythonCode(text), 'print(df.shape)\nresult = len(df)');
  });

  it('accepts ```py, ```python3 and ~~~python fences', () => {
    assert.equal(extractPythonCode(`${fence}py\nx = 1\n${fence}`), 'x = 1');
    assert.equal(extractPythonCode(`${fence}Python3\nx = 2\n${fence}`), 'x = 2');
    assert.equal(extractPythonCode('~~~python\nx = 3\n~~~'), 'x = 3');
  });

  it('accepts a bare fence that holds code, but not one that holds a table or prose', () => {
    assert.equal(extractPythonCode(`${fence}\nimport pandas as pd\nresult = df["销售额"].sum()\n${fence}`), 'import pandas as pd\nresult = df["销售额"].sum()');
    assert.equal(extractPythonCode(`${fence}\n   region  sales\n0  north    100\n1  south    200\n${fence}`), null);
    assert.equal(extractPythonCode(`${fence}\nThe answer is 42 because the totals add up.\n${fence}`), null);
  });

  it('keeps Chinese text around and inside the code', () => {
    const text = `好的，下面是代码：\n${fence}python\n# 按地区汇总\nresult = df.groupby("地区")["销售额"].sum()\nprint(result)\n${fence}\n以上代码按地区汇总销售额。`;
    assert.equal(extractPythonCode(text), '# 按地区汇总\nresult = df.groupby("地区")["销售额"].sum()\nprint(result)');
  });

  it('prefers the python block over output, shell and json blocks', () => {
    const text = [
      'Install first:', `${fence}bash\npip install pandas\n${fence}`,
      'Code:', `${fence}python\nresult = df.sales.mean()\n${fence}`,
      'Expected output:', `${fence}text\n150.0\n${fence}`,
      `${fence}json\n{"a": 1}\n${fence}`,
    ].join('\n');
    assert.equal(extractPythonCode(text), 'result = df.sales.mean()');
  });

  it('of several independent python blocks takes the last (the corrected one)', () => {
    const text = `Wrong:\n${fence}python\nresult = df["sale"].sum()\n${fence}\nCorrected:\n${fence}python\nresult = df["sales"].sum()\n${fence}`;
    assert.equal(extractPythonCode(text), 'result = df["sales"].sum()');
  });

  it('joins blocks that are steps of one program (the last uses names only earlier ones define)', () => {
    const text = `Step 1:\n${fence}python\ntotals = df.groupby("region")["sales"].sum()\n${fence}\nStep 2:\n${fence}python\nresult = totals.idxmax()\nprint(result)\n${fence}`;
    assert.equal(extractPythonCode(text), 'totals = df.groupby("region")["sales"].sum()\n\nresult = totals.idxmax()\nprint(result)');
  });

  it('uses an unterminated last block only when there is no complete one', () => {
    assert.equal(extractPythonCode(`Code:\n${fence}python\nx = 1\nprint(x)`), 'x = 1\nprint(x)');
    assert.equal(extractPythonCode(`${fence}python\ny = 2\n${fence}\nand more\n${fence}python\nz = `), 'y = 2');
  });

  it('dedents fences inside list items, handles CRLF and strips REPL prompts', () => {
    assert.equal(extractPythonCode(`1. Run:\n   ${fence}python\n   for i in range(3):\n       print(i)\n   ${fence}`), 'for i in range(3):\n    print(i)');
    assert.equal(extractPythonCode(`${fence}python\r\na = 1\r\nprint(a)\r\n${fence}\r\n`), 'a = 1\nprint(a)');
    assert.equal(extractPythonCode(`${fence}python\n>>> a = 2\n>>> print(a)\n2\n${fence}`), 'a = 2\nprint(a)');
  });

  it('ignores drafts inside <think> sections that some endpoints put into the content', () => {
    const text = `<think>Maybe:\n${fence}python\ndraft = 1\n${fence}\nno, better the final.</think>\nFinal:\n${fence}python\nresult = 2\n${fence}`;
    assert.equal(extractPythonCode(text), 'result = 2');
    assert.equal(extractPythonCode(`<think>${fence}python\nx = 1\n${fence}</think>No code here.`), null);
  });

  it('returns null when there is no code at all', () => {
    assert.equal(extractPythonCode('I cannot answer that without the data.'), null);
    assert.equal(extractPythonCode(''), null);
    assert.equal(extractPythonCode(`${fence}python\n\n${fence}`), null);
  });

  it('reports fences with their language and termination', () => {
    const blocks = fencedBlocks(`${fence}python\na\n${fence}\n${fence}\nb`);
    assert.deepEqual(blocks, [
      { lang: 'python', code: 'a', unterminated: false },
      { lang: '', code: 'b', unterminated: true },
    ]);
    assert.equal(looksLikePython('df.head()\nresult = 1'), true);
    assert.equal(looksLikePython('总销售额为 100 元。'), false);
  });
});
