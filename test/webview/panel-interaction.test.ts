// The real webview bundle in headless Chromium, under the real CSP: what the user does in the panel
// (Stop, Insert/Copy, IME input, data files, mode and model, notices, prefill) and what it posts to the host.
// Screenshots go to test-artifacts/.
import * as assert from 'node:assert/strict';
import { CODE, EXPLANATION, agentMultiEvents } from './fixtures';
import { contentEvents, panelState, panelSuite, stream } from './harness';
import { panelOpeners } from './panel-open';

describe('chat panel in Chromium', function () {
  this.timeout(60_000);
  const suite = panelSuite();
  const { panel, startTurn } = panelOpeners(suite);

  it('Stop posts cancel for the running turn (button and Escape)', async () => {
    const p = await panel();
    await startTurn(p, 'run1', 'long question');
    await stream(p, 'run1', contentEvents('planner', 'planning a long plan '.repeat(20)));
    await p.frames();
    const stop = p.page.getByRole('button', { name: 'Stop' });
    assert.equal(await stop.count(), 1, 'Stop replaces Send while streaming');
    await stop.click();
    await p.waitForPosted('cancel', { turnId: 'run1' });
    await p.page.locator('textarea').focus();
    await p.page.keyboard.press('Escape');
    const cancels = (await p.posted()).filter((m) => m.type === 'cancel');
    assert.equal(cancels.length, 2);
    // The host ends the turn as cancelled: error + done; Send is back.
    await p.host({
      type: 'events',
      turnId: 'run1',
      events: [{ type: 'error', content: 'Cancelled: the request was stopped.' }, { type: 'done' }],
    });
    await p.host({ type: 'turnEnd', turnId: 'run1', stopped: true });
    await p.frames();
    assert.equal(await p.page.getByRole('button', { name: 'Stop' }).count(), 0);
    assert.equal(await p.page.getByRole('button', { name: 'Send', exact: true }).count(), 1);
  });

  it('Insert and Copy post the exact code (markdown code block and the Code artifact)', async () => {
    const p = await panel();
    await startTurn(p, 'c1', 'code please');
    await stream(p, 'c1', agentMultiEvents());
    await p.frames();
    // The executor stage's fenced block.
    await p.page.locator('.stage-executor .stage-header').click();
    const block = p.page.locator('.stage-executor .code-block');
    await block.getByRole('button', { name: 'Insert into editor' }).click();
    const inserted = await p.waitForPosted('insertCode');
    assert.equal(inserted.code, CODE + '\n');
    await block.getByRole('button', { name: 'Copy' }).click();
    const copied = await p.waitForPosted('copy');
    assert.equal(copied.text, CODE + '\n');
    // The artifact's buttons carry complete.generated_code.
    await p.page.locator('.code-artifact').getByRole('button', { name: 'Insert into editor' }).click();
    await p.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'insertCode').length === 2);
    const all = (await p.posted()).filter((m) => m.type === 'insertCode');
    assert.equal(all[1].code, CODE);
    // Copy answer copies the reply text.
    await p.page.getByRole('button', { name: 'Copy answer' }).click();
    await p.page.waitForFunction(() => (window as unknown as { __posted: { type: string; text?: string }[] }).__posted.some((m) => m.type === 'copy' && m.text?.includes('建议重点关注')));
    const answerCopy = (await p.posted()).filter((m) => m.type === 'copy').pop()!;
    assert.equal(answerCopy.text, EXPLANATION);
  });

  it('IME: Enter while composing does not send; Enter after the composition does; Shift+Enter is a newline', async () => {
    const p = await panel({ locale: 'zh-cn' }, panelState({ locale: 'zh-cn', mode: 'ask' }));
    const ta = p.page.locator('textarea');
    await ta.click();
    // Real Chromium IME path through CDP: a composition is active while Enter is pressed.
    const cdp = await p.page.context().newCDPSession(p.page);
    await cdp.send('Input.imeSetComposition', { text: 'nihao', selectionStart: 5, selectionEnd: 5 });
    // The Enter that confirms the word reaches the page as keyCode 229 (the IME owns it).
    await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 229 });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13 });
    await cdp.send('Input.insertText', { text: '你好' }); // the IME commits
    await p.frames();
    assert.deepEqual((await p.posted()).filter((m) => m.type === 'send'), [], 'Enter during composition sent');
    assert.equal(await ta.inputValue(), '你好');
    // Safari's order: compositionend first, then keydown Enter with isComposing=false, keyCode 229.
    await ta.evaluate((el) => {
      el.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));
      el.dispatchEvent(new CompositionEvent('compositionend', { data: '世界' }));
      const ev = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
      Object.defineProperty(ev, 'keyCode', { get: () => 229 });
      el.dispatchEvent(ev);
    });
    // Chromium's synthetic order: keydown with isComposing=true.
    await ta.evaluate((el) => {
      el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true }));
    });
    await p.frames();
    assert.deepEqual((await p.posted()).filter((m) => m.type === 'send'), []);
    // Shift+Enter adds a line.
    await p.page.keyboard.press('Shift+Enter');
    await p.page.keyboard.type('各地区');
    assert.equal(await ta.inputValue(), '你好\n各地区');
    assert.deepEqual((await p.posted()).filter((m) => m.type === 'send'), []);
    // A plain Enter sends, with mode and data files.
    await p.page.keyboard.press('Enter');
    const sent = await p.waitForPosted('send');
    assert.deepEqual(sent, { type: 'send', text: '你好\n各地区', mode: 'ask', dataFiles: ['data/sales.csv'] });
    assert.equal(await ta.inputValue(), '');
  });

  it('picks data files, switches mode and provider, and everything is reachable by keyboard', async () => {
    const p = await panel({ theme: 'light' });
    await p.page.getByRole('button', { name: 'Add data files' }).click();
    await p.page.getByRole('checkbox', { name: /销售明细/ }).check();
    await p.waitForPosted('setDataFiles', { files: ['data/sales.csv', 'data/销售明细.xlsx'] });
    await p.screenshot('panel-file-picker-light');
    await p.page.keyboard.press('Escape');
    assert.equal(await p.page.locator('.popover').count(), 0);
    await p.page.getByRole('button', { name: 'Remove data/sales.csv' }).click();
    await p.waitForPosted('setDataFiles', { files: ['data/销售明细.xlsx'] });
    await p.page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('ask');
    await p.waitForPosted('setMode', { mode: 'ask' });
    await p.page.getByRole('combobox', { name: 'Model', exact: true }).selectOption('qwen');
    await p.waitForPosted('setProvider', { id: 'qwen' });
    // Keyboard: from the textarea, Tab reaches the mode and model selectors; every button has a name.
    await p.page.locator('textarea').focus();
    const reached: string[] = [];
    for (let i = 0; i < 3; i++) {
      await p.page.keyboard.press('Tab');
      reached.push(await p.page.evaluate(() => document.activeElement?.tagName ?? ''));
    }
    assert.deepEqual(reached.slice(0, 2), ['SELECT', 'SELECT']);
    const unnamed = await p.page.evaluate(() =>
      [...document.querySelectorAll('button')].filter((b) => !(b.getAttribute('aria-label') || b.textContent?.trim())).length,
    );
    assert.equal(unnamed, 0);
    // Welcome examples fill the composer.
    await p.page.getByRole('button', { name: 'Which region has the highest total sales?' }).click();
    // The composer re-renders on its next frame: wait for the value (bounded) rather than reading it at once.
    await p.page
      .waitForFunction(() => document.querySelector('textarea')?.value === 'Which region has the highest total sales?', null, { timeout: 5000 })
      .catch(() => {});
    assert.equal(await p.page.locator('textarea').inputValue(), 'Which region has the highest total sales?');
    await p.screenshot('panel-welcome-light');
  });

  it('database connections are listed with the data files (database icon, name without prefix) and can be added', async () => {
    const p = await panel({}, panelState({ dataFiles: { available: ['data/sales.csv', 'db:warehouse'], selected: ['db:warehouse'] } }));
    const chip = p.page.locator('.chip', { hasText: 'warehouse' });
    assert.equal(await chip.locator('.codicon-database').count(), 1);
    assert.equal((await chip.locator('.chip-label').innerText()).trim(), 'warehouse');
    await p.page.getByRole('button', { name: 'Add data files' }).click();
    await p.page.getByRole('checkbox', { name: /sales\.csv/ }).check();
    await p.waitForPosted('setDataFiles', { files: ['db:warehouse', 'data/sales.csv'] });
    await p.page.getByRole('button', { name: 'Add Database…' }).click();
    await p.waitForPosted('addDatabase', {});
  });

  it('untrusted workspace banner, notices with actions, prefill that runs', async () => {
    // A narrow sidebar, as VS Code opens it.
    const p = await panel({ width: 290 }, panelState({ trusted: false }));
    assert.match(await p.page.locator('.banner.warning').innerText(), /Restricted Mode/);
    await p.host({ type: 'notice', level: 'error', text: 'No API key is set for DeepSeek. Run "Radarm: Set API Key" to add one.', action: 'setApiKey' });
    await p.frames();
    await p.screenshot('panel-narrow-notices-dark');
    await p.page.locator('.banner.error').getByRole('button', { name: 'Set API Key' }).click();
    await p.waitForPosted('setApiKey');
    await p.host({ type: 'prefill', question: 'Summarise data/sales.csv', dataFiles: ['data/sales.csv'], mode: 'agent_single', run: true });
    const sent = await p.waitForPosted('send');
    assert.deepEqual(sent, { type: 'send', text: 'Summarise data/sales.csv', mode: 'agent_single', dataFiles: ['data/sales.csv'] });
  });
});
