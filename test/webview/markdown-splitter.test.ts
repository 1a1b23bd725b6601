// The incremental markdown splitter: however the text is cut into deltas, rendering its blocks
// one by one gives exactly markdown-it's render of the whole text, and the open block stays small.
import * as assert from 'node:assert/strict';
import { BlockSplitter, MAX_OPEN_BLOCK, createMarkdown } from '../../webview/markdown';
import { MARKDOWN_DOC, EXPLANATION } from './fixtures';
import { prng } from './harness';

const md = createMarkdown({ copy: 'Copy', insert: 'Insert' });

function renderStreamed(text: string, seed: number, maxDelta: number) {
  const rnd = prng(seed);
  const s = new BlockSplitter();
  let html = '';
  let maxOpen = 0;
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(rnd() * maxDelta);
    s.push(text.slice(i, i + n));
    i += n;
    for (const b of s.takeClosed()) html += md.render(b);
    maxOpen = Math.max(maxOpen, s.openText().length);
  }
  s.end();
  for (const b of s.takeClosed()) html += md.render(b);
  assert.equal(s.openText(), '');
  return { html, maxOpen };
}

const DOCS: Record<string, string> = {
  'the kitchen-sink document': MARKDOWN_DOC,
  'a Chinese explanation with a table': EXPLANATION,
  'an unterminated fence': 'Intro\n\n```python\nx = 1\n\n\ny = 2\n',
  'a fence inside a list item': '1. step\n\n   ```python\n   a = 1\n\n   b = 2\n   ```\n\n2. next\n\nafter',
  'nested lists and blank lines': '- a\n  - b\n\n    para under b\n\n- c\n\nText\n\n* x\n* y\n',
  'headings right after text': 'para\n# H1\ntext\n## H2\n\n---\n\nend',
  'CRLF line endings': 'para one\r\nsame para\r\n\r\n```\r\ncode\r\n\r\nmore\r\n```\r\n\r\n- a\r\n\r\n- b\r\n',
  'trailing spaces and tabs': 'line one  \nline two\n\t\n\tcode?\n\nnext',
  'long backtick fence with inner fence': '````md\n```js\nx\n```\n\n````\n\nafter',
};

describe('markdown block splitter', () => {
  for (const [name, doc] of Object.entries(DOCS)) {
    it(`renders ${name} exactly as markdown-it does, for any delta sizes`, () => {
      const want = md.render(doc);
      for (let seed = 1; seed <= 40; seed++) {
        const { html } = renderStreamed(doc, seed, 1 + (seed % 12));
        assert.equal(html, want, `seed ${seed}`);
      }
      assert.equal(renderStreamed(doc, 1, doc.length).html, want, 'one delta');
    });
  }

  it('matches markdown-it on 3,000 random documents built from tricky lines', () => {
    const pieces = [
      'text', '中文段落', '- a', '* b', '+ p', '1. c', '2) d', '10. ten', '1.', '-', '  - nested', '   - deep',
      '  indented', '    code', '     five', '\t tab', '> q', '>', '> - q', '  > q2', '```', '````', '~~~', '~~~~',
      '```py', '    ```', ' ```', '- ```', '# h', '---', '===', '***', '| a | b |', '|---|---|', '| x |', '<div>',
      'a  ', '`x`', '', '', '', '',
    ];
    const rnd = prng(42);
    for (let t = 0; t < 3000; t++) {
      const n = 2 + Math.floor(rnd() * 24);
      const doc = Array.from({ length: n }, () => pieces[Math.floor(rnd() * pieces.length)]).join('\n');
      assert.equal(renderStreamed(doc, t, 1 + (t % 5)).html, md.render(doc), JSON.stringify(doc));
    }
  });

  it('keeps the open block bounded on a huge loose list (the cost per token stays flat)', () => {
    const doc = Array.from({ length: 3000 }, (_, i) => `- item ${i} with some words in it\n\n`).join('');
    const { maxOpen } = renderStreamed(doc, 3, 8);
    assert.ok(maxOpen <= MAX_OPEN_BLOCK + 200, `open block reached ${maxOpen} chars`);
  });

  it('keeps the open block small for a long document of paragraphs (LF and CRLF)', () => {
    const doc = Array.from({ length: 2000 }, (_, i) => `段落 ${i}：销售额增长了 ${i}%。${i % 2 ? '\r\n\r\n' : '\n\n'}`).join('');
    const { html, maxOpen } = renderStreamed(doc, 5, 6);
    assert.equal(html, md.render(doc));
    assert.ok(maxOpen < 100, `open block reached ${maxOpen} chars`);
  });
});
