// `@column` and `#file` completion in the real composer in Chromium: keyboard-only flow, exact names with
// spaces and Chinese, Escape, and no completion action while an input method is composing.
import * as assert from 'node:assert/strict';
import type { MentionSources } from '../../src/protocol/mentions';
import { buildReport } from '../../src/report';
import { ARTIFACTS, panelState, panelSuite, type OpenOptions, type Panel } from './harness';

const SOURCES: MentionSources = {
  type: 'mentionSources',
  columns: [
    { file: 'data/sales.csv', names: ['region', '销售 额', 'order date', 'revenue'] },
    { file: 'data/book.xlsx', sheet: '订单', names: ['数量', 'revenue'] },
  ],
  tables: [{ name: 'orders', source: 'shop.sqlite', columns: ['order id', 'amount', '客户 名'] }],
};

describe('composer mentions in Chromium', function () {
  this.timeout(60_000);
  const suite = panelSuite();

  async function panel(opts: OpenOptions = {}): Promise<Panel> {
    const p = await suite.open(opts);
    const state = panelState({ mode: 'ask', ...(opts.locale ? { locale: opts.locale } : {}) });
    state.dataFiles = { available: ['data/sales.csv', 'data/客户 名单.xlsx', 'other/log.json'], selected: ['data/sales.csv'] };
    await p.host({ type: 'init', state });
    await p.host(SOURCES);
    await p.frames();
    return p;
  }

  const options = (p: Panel) => p.page.$$eval('.mention-item .mention-name', (els) => els.map((e) => (e as HTMLElement).innerText));
  const activeOption = (p: Panel) => p.page.locator('.mention-item.active .mention-name').innerText();

  it('@ completes column names with arrows and Enter, and the question reaches the host with the exact backquoted name', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const p = await panel({ theme, width: 300 });
      const ta = p.page.locator('textarea');
      await ta.click();
      await p.page.keyboard.type('sum of @');
      assert.deepEqual(await options(p), ['region', '销售 额', 'order date', 'revenue', '数量', 'orders']);
      await p.page.keyboard.type('d');
      assert.deepEqual(await options(p), ['order date', 'orders', 'orders.order id'], 'filtered by substring; a table column by its own name');
      await p.page.keyboard.press('Backspace');
      await p.page.keyboard.type('re');
      assert.deepEqual(await options(p), ['region', 'revenue']);
      await p.page.keyboard.press('ArrowDown');
      assert.equal(await activeOption(p), 'revenue');
      await p.screenshot(`mentions-300-${theme}`);
      await p.page.keyboard.press('ArrowDown');
      assert.equal(await activeOption(p), 'region', 'arrows wrap around');
      await p.page.keyboard.press('ArrowUp');
      assert.equal(await activeOption(p), 'revenue');
      await p.page.keyboard.press('Escape');
      assert.equal(await p.page.locator('.mention-menu').count(), 0, 'Escape dismisses');
      assert.equal(await ta.inputValue(), 'sum of @re', 'Escape keeps the text');
      // Back to a fresh @: pick the Chinese column with a space via Tab.
      await p.page.keyboard.press('Backspace');
      await p.page.keyboard.press('Backspace');
      await p.page.keyboard.press('Backspace');
      await p.page.keyboard.type('@销售');
      assert.deepEqual(await options(p), ['销售 额']);
      await p.page.keyboard.press('Tab');
      assert.equal(await ta.inputValue(), 'sum of @`销售 额` ');
      assert.deepEqual(
        await p.page.$$eval('.mention-chip .chip-label', (els) => els.map((e) => (e as HTMLElement).innerText)),
        ['销售 额'],
      );
      await p.page.keyboard.type('by #客户');
      assert.deepEqual(await options(p), ['data/客户 名单.xlsx']);
      await p.page.keyboard.press('Enter');
      assert.equal(await ta.inputValue(), 'sum of @`销售 额` by #`data/客户 名单.xlsx` ');
      // With the menu closed, Enter sends as usual.
      await p.page.keyboard.press('Enter');
      const sent = await p.waitForPosted('send');
      assert.equal(sent.text, 'sum of @`销售 额` by #`data/客户 名单.xlsx`');
    }
  });

  it('IME: keys during a composition never pick a completion; the menu follows the committed text', async () => {
    const p = await panel({ locale: 'zh-cn' });
    const ta = p.page.locator('textarea');
    await ta.click();
    await p.page.keyboard.type('@');
    assert.equal(await p.page.locator('.mention-menu').count(), 1);
    const cdp = await p.page.context().newCDPSession(p.page);
    await cdp.send('Input.imeSetComposition', { text: 'xiao', selectionStart: 4, selectionEnd: 4 });
    // Enter and Tab that belong to the IME (keyCode 229) must not insert a mention.
    for (const key of ['Enter', 'Tab']) {
      await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key, code: key, windowsVirtualKeyCode: 229 });
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key, code: key, windowsVirtualKeyCode: 229 });
    }
    await cdp.send('Input.insertText', { text: '销售' });
    await p.frames();
    assert.equal(await ta.inputValue(), '@销售', 'nothing was inserted during the composition');
    assert.deepEqual(await options(p), ['销售 额'], 'after the commit the menu filters by the committed word');
    // A synthetic keydown Enter flagged as composing (Chromium's order) is ignored too.
    await ta.evaluate((el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true })));
    assert.equal(await ta.inputValue(), '@销售');
    await p.page.keyboard.press('Enter');
    assert.equal(await ta.inputValue(), '@`销售 额` ');
    assert.deepEqual((await p.posted()).filter((m) => m.type === 'send'), [], 'accepting a completion does not send');
  });

  it('ignores a malformed mentionSources message and shows "no matches" for an unknown column', async () => {
    const p = await panel();
    await p.host({ type: 'mentionSources', columns: [{ file: 'x', names: [1, 2] }], tables: [] });
    const ta = p.page.locator('textarea');
    await ta.click();
    await p.page.keyboard.type('@region');
    assert.deepEqual(await options(p), ['region'], 'the earlier valid sources stay');
    await p.page.keyboard.type('zzz');
    assert.equal(await p.page.locator('.mention-empty').count(), 1);
    // An email-like word is not a trigger.
    await ta.fill('');
    await p.page.keyboard.type('mail a@b');
    assert.equal(await p.page.locator('.mention-menu').count(), 0);
    // Names that arrive while the menu is open (the host's Python read comes a moment later) are listed at once.
    await ta.fill('');
    await p.page.keyboard.type('@late');
    assert.equal(await p.page.locator('.mention-empty').count(), 1);
    await p.host({ ...SOURCES, tables: [...SOURCES.tables, { name: 'late_table', source: 'pg', columns: ['x'] }] });
    await p.frames();
    assert.deepEqual(await options(p), ['late_table']);
  });

  it('@ offers database tables, a table\'s columns as table.column, sheets of a workbook; the textarea is an ARIA combobox', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const p = await panel({ theme, width: 300 });
      const ta = p.page.locator('textarea');
      await ta.click();
      assert.equal(await ta.getAttribute('role'), 'combobox');
      assert.equal(await ta.getAttribute('aria-expanded'), 'false');
      await p.page.keyboard.type('total of @ord');
      assert.deepEqual(await options(p), ['order date', 'orders', 'orders.order id']);
      assert.equal(await p.page.locator('.mention-item.mention-table .mention-detail').innerText(), 'shop.sqlite', 'a table names its source');
      assert.equal(await p.page.locator('.mention-title').innerText(), 'Columns and tables · ↑↓ to choose, Enter or Tab to insert, Esc to close');
      await p.page.keyboard.press('ArrowDown');
      assert.equal(await ta.getAttribute('aria-expanded'), 'true');
      const activeId = await ta.getAttribute('aria-activedescendant');
      assert.equal(await p.page.locator(`#${activeId}`).getAttribute('aria-selected'), 'true');
      assert.equal(await p.page.locator(`#${activeId} .mention-name`).innerText(), 'orders', 'the active descendant is the highlighted option');
      assert.equal(await p.page.locator(`[aria-controls="${await ta.getAttribute('aria-controls')}"]`).count(), 1);
      assert.equal(await p.page.locator('#mention-menu[role=listbox] [role=option]').count(), 3);
      await p.screenshot(`mentions-tables-300-${theme}`);
      // `@orders.` lists the table's columns; they insert as the exact table.column name.
      await p.page.keyboard.type('ers.');
      assert.deepEqual(await options(p), ['orders.order id', 'orders.amount', 'orders.客户 名']);
      await p.page.keyboard.type('客');
      await p.page.keyboard.press('Enter');
      assert.equal(await ta.inputValue(), 'total of @`orders.客户 名` ');
      await p.page.keyboard.type('@数');
      assert.deepEqual(await options(p), ['数量']);
      assert.equal(await p.page.locator('.mention-item .mention-detail').innerText(), 'book.xlsx › 订单', 'a workbook column names its sheet');
      await p.page.keyboard.press('Escape');
    }
  });

  it('a sent question shows its mentions as chips; Copy, a copied selection and Edit-and-resend keep the exact tokens', async () => {
    const question = 'sum @`销售 额` by #`data/客户 名单.xlsx` for @`orders.amount`';
    for (const theme of ['light', 'dark'] as const) {
      const p = await panel({ theme, width: 300 });
      const turn = { id: `q-${theme}`, question, mode: 'ask' as const, dataFiles: ['data/sales.csv'], events: [], startedAt: Date.now() };
      await p.host({ type: 'turnStart', turn });
      await p.host({ type: 'events', turnId: turn.id, events: [
        { type: 'complete', data: { reply: 'Total: 42', generated_code: null, execution_result: null, image: null, plotly_json: null } },
        { type: 'done' },
      ] });
      await p.frames();
      const q = p.page.locator('.turn .question');
      assert.deepEqual(await q.locator('.mention-chip .chip-label').allInnerTexts(), ['销售 额', 'data/客户 名单.xlsx', 'orders.amount']);
      assert.deepEqual(
        await q.locator('.mention-chip').evaluateAll((els) => els.map((e) => e.getAttribute('title'))),
        ['@`销售 额`', '#`data/客户 名单.xlsx`', '@`orders.amount`'],
      );
      assert.match(await q.innerText(), /^sum\s+销售 额\s+by\s+data\/客户 名单\.xlsx\s+for\s+orders\.amount$/);
      await p.screenshot(`mentions-sent-300-${theme}`);
      // Copy question: the text exactly as sent.
      await p.page.locator('.turn .request').hover();
      await p.page.locator('.turn .request [aria-label="Copy question"]').first().click();
      await p.waitForPosted('copy', { text: question });
      // A selection of the bubble copies as the sent text too (each chip as its token).
      const copied = await q.evaluate((el) => {
        let got = '';
        const grab = (e: ClipboardEvent) => (got = e.clipboardData?.getData('text/plain') ?? '');
        document.addEventListener('copy', grab);
        const range = document.createRange();
        range.selectNodeContents(el);
        const sel = window.getSelection()!;
        sel.removeAllRanges();
        sel.addRange(range);
        document.execCommand('copy');
        document.removeEventListener('copy', grab);
        sel.removeAllRanges();
        return got;
      });
      assert.equal(copied, question);
      // Edit and resend: the box holds the exact tokens, their chips show under it, and @ completes there too.
      await p.page.locator('.turn .edit-question').click();
      const box = p.page.locator('textarea.edit-input');
      assert.equal(await box.inputValue(), question);
      assert.deepEqual(await p.page.locator('.edit-box .mention-chip .chip-label').allInnerTexts(), ['销售 额', 'data/客户 名单.xlsx', 'orders.amount']);
      await box.press('End');
      await p.page.keyboard.type(' and @reve');
      assert.deepEqual(await p.page.locator('.edit-box .mention-item .mention-name').allInnerTexts(), ['revenue']);
      assert.equal(await box.getAttribute('aria-activedescendant'), `mention-edit-${turn.id}-0`);
      await p.page.keyboard.press('Enter');
      assert.equal(await box.inputValue(), `${question} and @\`revenue\` `);
      assert.deepEqual(await p.page.locator('.edit-box .mention-chip .chip-label').allInnerTexts(), ['销售 额', 'data/客户 名单.xlsx', 'orders.amount', 'revenue']);
      await p.page.keyboard.press('Enter');
      await p.waitForPosted('editResend', { turnId: turn.id, text: `${question} and @\`revenue\`` });
    }
  });

  it('the HTML report shows a question\'s mentions as the same chips, offline, in light and dark', async () => {
    const question = 'sum @`销售 额` by #`data/客户 名单.xlsx` for @`orders.amount`';
    const turn = { id: 'r', question, mode: 'ask' as const, dataFiles: [], startedAt: 0, events: [
      { type: 'complete' as const, data: { reply: 'Total: **42**', generated_code: null, execution_result: null, image: null, plotly_json: null } },
      { type: 'done' as const },
    ] };
    const html = await buildReport('html', [turn], { title: 'Mentions' });
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await suite.browser.newContext({ offline: true, colorScheme: scheme, viewport: { width: 420, height: 260 } });
      try {
        const page = await ctx.newPage();
        await page.setContent(html);
        assert.deepEqual(await page.locator('.question .mention').allInnerTexts(), ['销售 额', 'data/客户 名单.xlsx', 'orders.amount']);
        assert.deepEqual(await page.locator('.question .mention').evaluateAll((els) => els.map((e) => e.getAttribute('title'))), ['@`销售 额`', '#`data/客户 名单.xlsx`', '@`orders.amount`']);
        await page.screenshot({ path: `${ARTIFACTS}/mentions-report-${scheme}.png` });
      } finally {
        await ctx.close();
      }
    }
  });
});
