// Column names for the composer's @ completion, read from real files' headers; mention tokens round-trip.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMentions, isMentionSources, MENTION_LIMITS, mentionParts, mentionToken } from '../../src/protocol/mentions';
import { buildReport } from '../../src/report';
import { columnNames, headerFields, mentionSources } from '../../src/vscode/mention-sources';

describe('mention sources: column names from file headers', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'radarm-mentions-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, data: string | Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };

  it('reads a CSV header with quoted names holding commas, quotes and spaces, and a UTF-8 BOM', async () => {
    const p = file('a.csv', '\ufeffid,"sales, total","say ""hi""",销售 额\n1,2,3,4\n');
    assert.deepEqual(await columnNames(p), ['id', 'sales, total', 'say "hi"', '销售 额']);
  });

  it('detects ; and tab delimiters, reads GB18030 Chinese headers, and JSON Lines keys', async () => {
    assert.deepEqual(await columnNames(file('b.csv', 'a;b c;d\n1;2;3\n')), ['a', 'b c', 'd']);
    assert.deepEqual(await columnNames(file('c.tsv', 'x,1\ty,2\n')), ['x,1', 'y,2']);
    const gb = Buffer.from([0xb5, 0xd8, 0xc7, 0xf8, 0x2c, 0xcf, 0xfa, 0xca, 0xdb, 0xb6, 0xee, 0x0a, 0x31, 0x2c, 0x32, 0x0a]); // 地区,销售额
    assert.deepEqual(await columnNames(file('d.csv', gb)), ['地区', '销售额']);
    assert.deepEqual(await columnNames(file('e.jsonl', '{"城市": "上海", "n": 1}\n{"城市": "北京", "n": 2}\n')), ['城市', 'n']);
  });

  it('lists no columns for formats it does not read here and for unreadable files, without failing', async () => {
    const m = await mentionSources([
      { display: 'x.parquet', path: file('x.parquet', 'PAR1....') },
      { display: 'gone.csv', path: join(dir, 'gone.csv') },
      { display: 'ok.csv', path: file('ok.csv', 'a,b\n') },
    ]);
    assert.ok(isMentionSources(m));
    assert.deepEqual(m.columns, [
      { file: 'x.parquet', names: [] },
      { file: 'gone.csv', names: [] },
      { file: 'ok.csv', names: ['a', 'b'] },
    ]);
  });

  it('mention tokens keep names exact (spaces, Chinese, backquotes) and are found again in the question', () => {
    assert.equal(mentionToken('@', '销售 额'), '@`销售 额`');
    assert.equal(mentionToken('@', 'a`b'), '@``a`b``');
    const q = `sum ${mentionToken('@', '销售 额')} by ${mentionToken('#', 'data/客户 名单.xlsx')} and ${mentionToken('@', 'a`b')}`;
    assert.deepEqual(findMentions(q), [
      { trigger: '@', name: '销售 额' },
      { trigger: '#', name: 'data/客户 名单.xlsx' },
      { trigger: '@', name: 'a`b' },
    ]);
    assert.deepEqual(headerFields('only\n'), ['only']);
  });

  it('splits a question into text and mentions, and the HTML and Markdown reports show the same exact names', async () => {
    const q = 'sum @`销售 额` by #`data/a<b>.csv` & @``a`b``';
    assert.deepEqual(mentionParts(q), [
      { text: 'sum ' },
      { trigger: '@', name: '销售 额', token: '@`销售 额`' },
      { text: ' by ' },
      { trigger: '#', name: 'data/a<b>.csv', token: '#`data/a<b>.csv`' },
      { text: ' & ' },
      { trigger: '@', name: 'a`b', token: '@``a`b``' },
    ]);
    const turn = { id: 't', question: q, mode: 'ask' as const, dataFiles: [], startedAt: 0, events: [{ type: 'complete' as const, data: { reply: 'ok', generated_code: null, execution_result: null, image: null, plotly_json: null } }, { type: 'done' as const }] };
    const html = await buildReport('html', [turn]);
    assert.ok(html.includes('sum <code class="mention" title="@`销售 额`">销售 额</code> by <code class="mention" title="#`data/a&lt;b&gt;.csv`">data/a&lt;b&gt;.csv</code> &amp; <code class="mention" title="@``a`b``">a`b</code>'), html.slice(0, 3000));
    const md = await buildReport('md', [turn]);
    assert.ok(md.includes(`: ${q}`), 'Markdown keeps the tokens, which render as inline code');
  });

  it('the host message caps names per list, per name and in all, and the panel accepts what it sends', async () => {
    const wide = Array.from({ length: 3000 }, (_, i) => `c${i}`);
    const names = { files: [], databases: [{ name: 'db', tables: Array.from({ length: 12 }, (_, i) => ({ name: `t${i}`, columns: wide })) }] };
    const m = await mentionSources([], names);
    assert.equal(m.tables[0].columns.length, MENTION_LIMITS.names);
    assert.equal(m.tables.reduce((n, t) => n + t.columns.length, 0), MENTION_LIMITS.total);
    assert.ok(isMentionSources(m));
  });
});
