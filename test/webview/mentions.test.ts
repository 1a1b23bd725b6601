// `@column` and `#file` completion in the real composer in Chromium: keyboard-only flow, exact names with
// spaces and Chinese, Escape, and no completion action while an input method is composing.
import * as assert from 'node:assert/strict';
import type { MentionSources } from '../../src/protocol/mentions';
import { panelState, panelSuite, type OpenOptions, type Panel } from './harness';

const SOURCES: MentionSources = {
  type: 'mentionSources',
  columns: [{ file: 'data/sales.csv', names: ['region', '销售 额', 'order date', 'revenue'] }],
  tables: ['orders'],
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
      assert.deepEqual(await options(p), ['region', '销售 额', 'order date', 'revenue', 'orders']);
      await p.page.keyboard.type('d');
      assert.deepEqual(await options(p), ['order date', 'orders'], 'filtered by substring');
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
  });
});
