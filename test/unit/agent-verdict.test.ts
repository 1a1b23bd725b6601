import * as assert from 'node:assert/strict';
import { parseVerdict } from '../../src/agent/verdict';

describe('agent verdict parsing', () => {
  it('reads bare JSON', () => {
    assert.deepEqual(parseVerdict('{"verdict": "pass", "feedback": "Total is 600."}'), {
      verdict: 'pass',
      feedback: 'Total is 600.',
      parsed: true,
    });
  });

  it('reads fenced JSON with prose around it', () => {
    const v = parseVerdict('Let me check.\n```json\n{"verdict": "fail", "feedback": "filter to 2025"}\n```\nThat is all.');
    assert.equal(v.verdict, 'fail');
    assert.equal(v.feedback, 'filter to 2025');
  });

  it('reads Chinese prose and Chinese feedback, braces inside strings included', () => {
    const v = parseVerdict('审核结果如下：{"verdict":"fail","feedback":"没有按{地区}分组，请使用 groupby(\\"地区\\")"} 请修改。');
    assert.equal(v.verdict, 'fail');
    assert.equal(v.feedback, '没有按{地区}分组，请使用 groupby("地区")');
  });

  it('tolerates single quotes, trailing commas, unquoted keys, Python booleans and full-width punctuation', () => {
    assert.equal(parseVerdict("{'verdict': 'pass', 'feedback': 'ok',}").verdict, 'pass');
    assert.equal(parseVerdict('{verdict: "fail", feedback: "wrong column",}').feedback, 'wrong column');
    assert.equal(parseVerdict('{"passed": True, "reason": "fine"}').verdict, 'pass');
    const zh = parseVerdict('{“verdict”：“fail”，“feedback”：“缺少图表”}');
    assert.equal(zh.verdict, 'fail');
    assert.equal(zh.feedback, '缺少图表');
  });

  it('normalizes verdict words in either language and takes the last object', () => {
    assert.equal(parseVerdict('{"verdict": "PASSED"}').verdict, 'pass');
    assert.equal(parseVerdict('{"verdict": "通过", "feedback": ""}').verdict, 'pass');
    assert.equal(parseVerdict('{"verdict": "不通过", "feedback": "x"}').verdict, 'fail');
    const v = parseVerdict('Format: {"verdict": "pass"|"fail"}. Mine: {"verdict": "fail", "feedback": "use 2025"}');
    assert.equal(v.verdict, 'fail');
    assert.equal(v.feedback, 'use 2025');
  });

  it('ignores drafts inside <think> sections', () => {
    const v = parseVerdict('<think>{"verdict": "pass"} hmm, but 2025 is missing</think>{"verdict": "fail", "feedback": "2025 only"}');
    assert.equal(v.verdict, 'fail');
    assert.equal(parseVerdict('<think>{"verdict": "pass"}</think>I am not sure.').parsed, false);
  });

  it('falls back to a "verdict: x" line without JSON', () => {
    const v = parseVerdict('Verdict: pass\nFeedback: the sum matches');
    assert.equal(v.verdict, 'pass');
    assert.equal(v.feedback, 'the sum matches');
  });

  it('counts anything unreadable as a fail with a feedback', () => {
    for (const text of ['', 'Looks good to me!', '{"verdict": "maybe"}', '{not json at all']) {
      const v = parseVerdict(text);
      assert.equal(v.verdict, 'fail', text);
      assert.equal(v.parsed, false, text);
      assert.ok(v.feedback.length > 10);
    }
  });
});
