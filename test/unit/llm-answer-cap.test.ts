import { strict as assert } from 'node:assert';
import { withinByteBudget } from '../../src/llm/answer-cap';
import type { LlmStreamEvent } from '../../src/llm/types';

const content = (c: string): LlmStreamEvent => ({ type: 'content', stage: 'response', content: c });
const thinking = (c: string): LlmStreamEvent => ({ type: 'thinking', stage: 'planner', content: c });
const text = (events: LlmStreamEvent[]) => events.map((e) => ('content' in e ? e.content : '')).join('');

describe('the answer cap cuts the read that crosses it', () => {
  it('keeps whole events that fit and cuts the crossing one at the budget', () => {
    const kept = withinByteBudget([thinking('abc'), content('defgh'), content('ijk')], 6);
    assert.equal(text(kept), 'abcdef');
    assert.deepEqual(kept.map((e) => e.type), ['thinking', 'content']);
  });

  it('cuts between whole characters: a Chinese character (3 bytes) is never split', () => {
    const kept = withinByteBudget([content('销售额')], 7);
    assert.equal(text(kept), '销售');
    assert.equal(Buffer.byteLength(text(kept)), 6);
  });

  it('an exhausted budget keeps nothing, and a budget that fits all keeps the batch as it is', () => {
    assert.deepEqual(withinByteBudget([content('x')], 0), []);
    const batch = [content('ab'), thinking('cd')];
    assert.deepEqual(withinByteBudget(batch, 100), batch);
  });
});
