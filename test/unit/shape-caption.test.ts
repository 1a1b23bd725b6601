// The "N rows × M columns" caption shared by the panel's tables, the data preview and the exported reports.
import * as assert from 'node:assert/strict';
import { shapeCaption } from '../../src/util/shape-caption';
import { reportLabels } from '../../src/report/labels';

describe('shape caption', () => {
  it('English uses the singular for exactly one row or one column and the plural otherwise', () => {
    assert.equal(shapeCaption(1, 1, 'en'), '1 row × 1 column');
    assert.equal(shapeCaption(1, 2, 'en'), '1 row × 2 columns');
    assert.equal(shapeCaption(2, 1, 'en'), '2 rows × 1 column');
    assert.equal(shapeCaption(0, 0, 'en'), '0 rows × 0 columns');
    assert.equal(shapeCaption(300, 12, undefined), '300 rows × 12 columns');
  });

  it('Chinese has no plural forms: 1 行 × 2 列', () => {
    assert.equal(shapeCaption(1, 2, 'zh-cn'), '1 行 × 2 列');
    assert.equal(shapeCaption(1, 1, 'zh-CN'), '1 行 × 1 列');
  });

  it('counts are written by the given number format; an estimated row count gets "≈"', () => {
    const num = (n: number) => n.toLocaleString('en-US');
    assert.equal(shapeCaption(1234567, 1, 'en', { num }), '1,234,567 rows × 1 column');
    assert.equal(shapeCaption(1234567, 3, 'en', { num, approxRows: true }), '≈1,234,567 rows × 3 columns');
    assert.equal(shapeCaption(5000, 3, 'zh-cn', { num, approxRows: true }), '≈5,000 行 × 3 列');
  });

  it('the report labels use it in their language', () => {
    assert.equal(reportLabels('en').shape(1, 1), '1 row × 1 column');
    assert.equal(reportLabels('zh-cn').shape(1, 2), '1 行 × 2 列');
  });
});
