// The panel's progress lines, errors with actions, figures with Open/Save/Copy, regenerate, edit and
// resend, and recall, in the real bundle in headless Chromium; screenshots at the default sidebar
// width (300 px) in light and dark themes go to test-artifacts/.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RadarmEvent } from '../../src/protocol/events';
import { chartHtml } from '../../src/vscode/figure-html';
import { agentMultiEvents, plotlyJson, pngDataUrl } from './fixtures';
import { DIST, contentEvents, openPanel, panelState, panelSuite, stream, turnRecord, type OpenOptions, type Panel } from './harness';

const EMOJI = /\p{Extended_Pictographic}/u;

describe('chat panel actions and progress in Chromium', function () {
  this.timeout(60_000);
  const suite = panelSuite();

  async function panel(opts: OpenOptions = {}, state = panelState()): Promise<Panel> {
    const p = await suite.open({ width: 300, ...opts });
    await p.host({ type: 'init', state: { ...state, plotlyUri: `${suite.server.origin}/plotly.min.js` } });
    await p.frames();
    return p;
  }

  const startTurn = (p: Panel, id: string, question: string, over = {}) =>
    p.host({ type: 'turnStart', turn: turnRecord(id, question, over) });

  const done = (reply: string, over: Partial<{ image: string; plotly_json: string; generated_code: string }> = {}): RadarmEvent[] => [
    { type: 'complete', data: { reply, generated_code: null, execution_result: null, image: null, plotly_json: null, ...over } },
    { type: 'done' },
  ];

  it('stage announcements stand apart from the reasoning, with codicons and no emoji', async () => {
    const p = await panel({ locale: 'zh-cn' }, panelState({ locale: 'zh-cn' }));
    await startTurn(p, 't1', '哪个地区的销售额最高？');
    await stream(p, 't1', [
      { type: 'thinking', stage: 'system', content: '📂 正在加载 1 个数据文件...' },
      { type: 'thinking', stage: 'planner', content: '🧠 架构师正在规划...' },
      { type: 'thinking', stage: 'planner', content: '先看数据的结构。' },
    ]);
    await p.frames();
    const planner = p.page.locator('.stage-planner');
    assert.equal(await planner.locator('.stage-announcement').innerText(), '架构师正在规划...');
    assert.equal(await planner.locator('.stage-announcement .codicon-lightbulb').count(), 1);
    assert.equal(await planner.locator('.thinking-text').innerText(), '先看数据的结构。', 'reasoning is its own block');
    assert.equal(await p.page.locator('.note .codicon-folder-opened').count(), 1);
    const text = await p.page.locator('.messages').innerText();
    assert.doesNotMatch(text, EMOJI, `an emoji is shown: ${text}`);
  });

  it('shows a retry line, then the seconds code has been running next to a Stop that posts cancel', async () => {
    const p = await panel();
    await startTurn(p, 'r1', 'Which region sells most?');
    await stream(p, 'r1', [
      { type: 'status', stage: 'code_generation', kind: 'retry', content: 'Retrying in 2 s, attempt 2 of 4', attempt: 2, attempts: 4, delayMs: 2000 },
      { type: 'thinking', stage: 'execution', content: '⚙️ Running the code…' },
      { type: 'status', stage: 'execution', kind: 'running', content: 'Running the code…', startedAt: Date.now() - 12_000 },
    ]);
    await p.frames();
    assert.equal(await p.page.locator('.note-refresh .note-text').innerText(), 'Retrying in 2 s, attempt 2 of 4');
    const elapsed = p.page.locator('.composer .button.stop .composer-elapsed');
    assert.match(await elapsed.innerText(), /^1[2-3] s$/);
    assert.match(await p.page.locator('.turn .live').innerText(), /Running code ·\s*1[2-3] s/);
    // It ticks: wait for the next second to show.
    const first = await elapsed.innerText();
    await p.page.waitForFunction((t) => document.querySelector('.composer-elapsed')?.textContent !== t, first, { timeout: 3000 });
    await p.screenshot('panel-running-300-dark');
    await p.page.getByRole('button', { name: 'Stop' }).click();
    await p.waitForPosted('cancel', { turnId: 'r1' });
    await stream(p, 'r1', [{ type: 'content', stage: 'execution', content: 'KeyboardInterrupt' }]);
    await p.frames();
    assert.equal(await p.page.locator('.composer-elapsed').count(), 0, 'the counter goes when the output arrives');
  });

  it('after Stop the partial text stays visible, not folded inside its stage', async () => {
    const p = await panel();
    await startTurn(p, 's1', 'Plan it');
    await stream(p, 's1', [
      { type: 'thinking', stage: 'planner', content: '🧠 Planner is planning…' },
      ...contentEvents('planner', '1. Read the CSV\n2. Group by region and'),
    ]);
    await p.frames();
    await p.host({ type: 'events', turnId: 's1', events: [{ type: 'error', content: 'Stopped.', code: 'cancelled' }, { type: 'done' }] });
    await p.host({ type: 'turnEnd', turnId: 's1', stopped: true });
    await p.frames();
    const planner = p.page.locator('.stage-planner');
    assert.equal(await planner.locator('.stage-header').getAttribute('aria-expanded'), 'true');
    assert.match(await planner.locator('.markdown').innerText(), /Group by region and/);
    assert.equal(await p.page.locator('.error-box.stopped').count(), 1);
  });

  it('shows the failure once, in the turn, with the actions its code calls for', async () => {
    const p = await panel();
    const cases: { code: string; buttons: string[] }[] = [
      { code: 'auth', buttons: ['Set API Key'] },
      { code: 'network', buttons: ['Retry'] },
      { code: 'stall', buttons: ['Retry', 'Open Settings'] },
      { code: 'no_provider', buttons: ['Open Settings'] },
      { code: 'data', buttons: ['Add data files', 'Retry', 'Show Log'] },
    ];
    for (const [i, c] of cases.entries()) {
      await startTurn(p, `e${i}`, `question ${i}`);
      // The text mentions 401 for every code: the buttons must follow the code, not the text.
      await stream(p, `e${i}`, [{ type: 'error', content: `Failed (${c.code}; KeyError: 401)`, code: c.code } as RadarmEvent, { type: 'done' }]);
      await p.frames();
      const box = p.page.locator('.error-box').nth(i);
      const labels = (await box.locator('.error-actions button').allInnerTexts()).map((s) => s.trim());
      assert.deepEqual(labels, c.buttons, `buttons for ${c.code}`);
    }
    assert.equal(await p.page.locator('.banner').count(), 0, 'no banner above the composer repeats it');
    assert.equal(await p.page.getByText('Failed (auth; KeyError: 401)').count(), 1, 'the text is shown once');
    await p.page.locator('.error-box').nth(0).getByRole('button', { name: 'Set API Key' }).click();
    await p.waitForPosted('setApiKey', { providerId: 'deepseek' });
    await p.page.locator('.error-box').nth(1).getByRole('button', { name: 'Retry' }).click();
    await p.waitForPosted('retry', { turnId: 'e1' });
    await p.page.locator('.error-box').nth(2).getByRole('button', { name: 'Open Settings' }).click();
    await p.waitForPosted('openSettings', { query: 'radarm.stallTimeout' });
    await p.page.locator('.error-box').nth(4).getByRole('button', { name: 'Add data files' }).click();
    await p.waitForPosted('pickDataFiles');
    await p.page.locator('.error-box').nth(4).getByRole('button', { name: 'Show Log' }).click();
    await p.waitForPosted('showLog');
    await p.screenshot('panel-errors-300-dark');
  });

  it('a figure fills the panel width and has Open, Save and Copy; Copy says so where images cannot be copied', async () => {
    const p = await panel();
    await startTurn(p, 'f1', 'Plot sales');
    await stream(p, 'f1', [...contentEvents('response', 'Here is the chart.'), ...done('Here is the chart.', { image: pngDataUrl(240, 120) })]);
    await p.frames();
    const fig = p.page.locator('.artifact.figure');
    const img = await fig.locator('img').boundingBox();
    const turn = await p.page.locator('.turn .response').boundingBox();
    assert.ok(img && turn && img.width >= turn.width - 4, `the image is ${img?.width}px in a ${turn?.width}px answer`);
    await fig.getByRole('button', { name: 'Open full size in an editor tab' }).click();
    await p.waitForPosted('figure', { turnId: 'f1', kind: 'image', action: 'open' });
    await fig.getByRole('button', { name: 'Save as PNG' }).click();
    await p.waitForPosted('figure', { turnId: 'f1', kind: 'image', action: 'save' });
    // A webview without image clipboard support (older Chromium builds have no ClipboardItem):
    // the panel says so instead of pretending.
    await p.page.evaluate(() => delete (window as { ClipboardItem?: unknown }).ClipboardItem);
    await fig.getByRole('button', { name: 'Copy image' }).click();
    await p.page.locator('.figure-note').waitFor();
    assert.match(await p.page.locator('.figure-note').innerText(), /may not copy images/);
  });

  it('copies the figure as a PNG image where the clipboard is allowed', async () => {
    const ctx = await suite.browser.newContext({ viewport: { width: 300, height: 760 } });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.origin });
    try {
      const p = await openPanel(ctx, suite.server, {});
      await p.host({ type: 'init', state: panelState() });
      await startTurn(p, 'c1', 'Plot');
      await stream(p, 'c1', done('ok', { image: pngDataUrl(64, 32) }));
      await p.frames();
      await p.page.getByRole('button', { name: 'Copy image' }).click();
      await p.page.getByRole('button', { name: 'Copied' }).waitFor();
      const clip = await p.page.evaluate(async () => {
        const items = await navigator.clipboard.read();
        const blob = await items[0].getType('image/png');
        const bytes = new Uint8Array(await blob.arrayBuffer());
        return { types: items[0].types, sig: Array.from(bytes.slice(1, 4)) };
      });
      assert.deepEqual(clip.types, ['image/png']);
      assert.deepEqual(clip.sig, [0x50, 0x4e, 0x47], 'PNG bytes on the clipboard');
      assert.deepEqual(p.errors, []);
      await p.page.close();
    } finally {
      await ctx.close();
    }
  });

  it('a Plotly chart has no mode bar over the plot, and Open / Save post for the chart', async () => {
    const p = await panel();
    await startTurn(p, 'p1', 'Chart it');
    await stream(p, 'p1', done('A chart.', { plotly_json: plotlyJson() }));
    await p.page.locator('.chart .main-svg').first().waitFor({ timeout: 20_000 });
    assert.equal(await p.page.locator('.chart .modebar').count(), 0, 'no mode bar in the panel');
    const chart = p.page.locator('.artifact.chart');
    await chart.getByRole('button', { name: 'Save as HTML' }).click();
    await p.waitForPosted('figure', { turnId: 'p1', kind: 'chart', action: 'save' });
    await chart.getByRole('button', { name: 'Open full size in an editor tab' }).click();
    await p.waitForPosted('figure', { turnId: 'p1', kind: 'chart', action: 'open' });
  });

  it('a chart saved as HTML draws with every network request refused (plotly.js is inside the file)', async () => {
    const page = await suite.context.newPage();
    try {
      const requests: string[] = [];
      await page.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      const html = chartHtml(plotlyJson(), readFileSync(join(DIST, 'plotly.min.js'), 'utf8'), 'Chart – sales');
      await page.setContent(html, { waitUntil: 'load' });
      await page.locator('#chart .main-svg').first().waitFor({ timeout: 20_000 });
      assert.equal(await page.locator('#chart .point, #chart .bars path').count() > 0, true, 'the bars are drawn');
      assert.equal(await page.locator('#chart .modebar').count(), 1, 'the full mode bar in the saved file');
      assert.deepEqual(requests, [], 'nothing was fetched');
    } finally {
      await page.close();
    }
  });

  it('regenerates any answer and edits and resends an earlier question', async () => {
    const p = await panel();
    for (const id of ['a', 'b']) {
      await startTurn(p, id, `question ${id}`);
      await stream(p, id, [...contentEvents('response', `answer ${id}`), ...done(`answer ${id}`)]);
    }
    await p.frames();
    const turns = p.page.locator('.turn');
    await turns.nth(0).locator('.regenerate').click();
    await p.waitForPosted('regenerate', { turnId: 'a' });
    assert.match((await turns.nth(0).locator('.regenerate').getAttribute('title'))!, /later turns are removed/);
    await turns.nth(0).locator('.request').hover();
    await turns.nth(0).locator('.edit-question').click();
    const box = turns.nth(0).locator('textarea.edit-input');
    assert.equal(await box.inputValue(), 'question a');
    await box.fill('question a, per month');
    await p.screenshot('panel-edit-300-dark');
    await box.press('Enter');
    await p.waitForPosted('editResend', { turnId: 'a', text: 'question a, per month' });
    assert.equal(await turns.nth(0).locator('textarea.edit-input').count(), 0, 'the editor closes');
    // Escape cancels an edit without posting.
    await turns.nth(1).locator('.request').hover();
    await turns.nth(1).locator('.edit-question').click();
    await turns.nth(1).locator('textarea.edit-input').press('Escape');
    assert.equal((await p.posted()).filter((m) => m.type === 'editResend').length, 1);
  });

  it('↑ and ↓ in an empty composer recall earlier questions; typed text is left alone', async () => {
    const p = await panel();
    for (const id of ['x', 'y', 'z']) {
      await startTurn(p, id, `question ${id}`);
      await stream(p, id, done('ok'));
    }
    await p.frames();
    const ta = p.page.locator('textarea.input').last();
    await ta.focus();
    await ta.press('ArrowUp');
    assert.equal(await ta.inputValue(), 'question z');
    await ta.press('ArrowUp');
    assert.equal(await ta.inputValue(), 'question y');
    await ta.press('ArrowDown');
    assert.equal(await ta.inputValue(), 'question z');
    await ta.press('ArrowDown');
    assert.equal(await ta.inputValue(), '');
    await ta.fill('my own text');
    await ta.press('ArrowUp');
    assert.equal(await ta.inputValue(), 'my own text', 'typed text is not replaced');
  });

  it('at 300 px the header lines stay on one line, the model picker shows the model name, and nothing scrolls sideways once the chart is drawn (light English, dark Chinese)', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const locale = theme === 'dark' ? 'zh-cn' : 'en';
      const p = await panel({ theme, width: 300, locale }, panelState({ locale }));
      await startTurn(p, 'h1', 'Which region has the highest total sales?', { model: 'deepseek-reasoner-long-model-name' });
      const events = agentMultiEvents({ withImage: true, withChart: true });
      const split = events.findIndex((e) => e.type === 'content' && e.stage === 'executor') + 5;
      await stream(p, 'h1', events.slice(0, split));
      await p.frames();
      const role = p.page.locator('.response > .role');
      const box = await role.boundingBox();
      assert.ok(box && box.height <= 24, `the answer header is ${box?.height}px high (wrapped)`);
      const toolbar = await p.page.locator('.composer-toolbar').boundingBox();
      assert.ok(toolbar && toolbar.height <= 32, `the composer toolbar is ${toolbar?.height}px high`);
      const picked = await p.page.locator('.provider-select').evaluate((el: HTMLSelectElement) => el.selectedOptions[0].text);
      assert.equal(picked.trim(), 'deepseek-chat');
      await p.screenshot(`panel-streaming-300-${theme}`);
      await stream(p, 'h1', events.slice(split));
      await p.page.locator('.chart .main-svg').first().waitFor({ timeout: 20_000 });
      await p.frames();
      const scroll = p.page.locator('.messages');
      await scroll.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await p.screenshot(`panel-done-300-${theme}`);
      const overflow = await p.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, 'nothing scrolls sideways');
    }
  });
});
