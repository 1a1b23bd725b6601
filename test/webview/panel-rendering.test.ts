// The real webview bundle in headless Chromium, fed recorded event streams through the host
// protocol, under the real CSP: how a turn renders (stages, markdown, reasoning, errors, charts, images).
// Screenshots go to test-artifacts/.
import * as assert from 'node:assert/strict';
import { createMarkdown } from '../../webview/markdown';
import { STRINGS } from '../../webview/i18n';
import { MARKDOWN_DOC, agentMultiEvents, plotlyJson, pngDataUrl } from './fixtures';
import { contentEvents, panelState, panelSuite, stream, turnRecord } from './harness';
import { panelOpeners } from './panel-open';

describe('chat panel in Chromium', function () {
  this.timeout(60_000);
  const suite = panelSuite();
  const { panel, startTurn } = panelOpeners(suite);

  it('renders a multi-expert turn with its stages, code, output and usage (Chinese), light and dark', async () => {
    for (const theme of ['dark', 'light', 'high-contrast'] as const) {
      const p = await panel({ theme, locale: 'zh-cn' }, panelState({ locale: 'zh-cn' }));
      await startTurn(p, 't1', '哪个地区的销售额最高？');
      const events = agentMultiEvents({ withImage: true });
      const split = events.findIndex((e) => e.type === 'content' && e.stage === 'explanation') + 20;
      await stream(p, 't1', events.slice(0, split));
      await p.frames();
      // Mid-stream: a live indicator, the answer region is busy, the explanation is streaming.
      const live = p.page.locator('.turn .live');
      assert.equal(await live.count(), 1);
      assert.match(await live.innerText(), /处理中/);
      assert.equal(await p.page.locator('.response').getAttribute('aria-busy'), 'true');
      assert.equal(await p.page.locator('.response').getAttribute('aria-live'), 'polite');
      await p.screenshot(`panel-streaming-${theme}`);
      await stream(p, 't1', events.slice(split));
      await p.frames();
      const titles = await p.page.locator('.stage .stage-title').allInnerTexts();
      assert.deepEqual(titles, ['规划', '执行', '运行', '校验', '解释']);
      assert.equal(await p.page.locator('.note').count(), 1, 'the system announcement is a note');
      assert.match(await p.page.locator('.note').innerText(), /正在加载 1 个数据文件/);
      assert.equal(await p.page.locator('.live').count(), 0, 'no live indicator after done');
      assert.equal(await p.page.locator('.response').getAttribute('aria-busy'), 'false');
      // The answer is the explanation, rendered as markdown with a table.
      const answer = p.page.locator('.answer');
      assert.match(await answer.innerText(), /华东地区的销售额最高/);
      assert.equal(await answer.locator('table').count(), 1);
      assert.equal(await answer.locator('li').count(), 3);
      // Artifacts: code (collapsed, with Insert), output, figure; usage.
      assert.equal(await p.page.locator('.code-artifact').count(), 1);
      assert.match(await p.page.locator('.artifact .output pre').innerText(), /华东\s+1250\.50/);
      assert.match(await p.page.locator('.usage').innerText(), /2,722/);
      // Open the planner stage: its content and its thinking are there.
      await p.page.locator('.stage-planner .stage-header').click();
      assert.match(await p.page.locator('.stage-planner .markdown').innerText(), /按 地区 分组/);
      assert.match(await p.page.locator('.stage-planner .stage-announcement').innerText(), /架构师正在规划/);
      await p.page.locator('.stage-planner .thinking-header').click();
      const reasoning = await p.page.locator('.stage-planner .thinking-text').innerText();
      assert.match(reasoning, /按地区分组求和/);
      assert.doesNotMatch(reasoning, /架构师/, 'the announcement is not glued onto the reasoning');
      await p.page.locator('.code-artifact .disclosure').click();
      await p.screenshot(`panel-done-${theme}`);
    }
  });

  it('streams markdown incrementally and ends with exactly what markdown-it renders for the whole text', async () => {
    const p = await panel();
    await startTurn(p, 'md', 'render this', { mode: 'ask' });
    const events = contentEvents('response', MARKDOWN_DOC, 7);
    // Mid-stream checkpoints: the panel shows a prefix and never throws on half-open syntax.
    const mid = Math.floor(events.length / 2);
    await stream(p, 'md', events.slice(0, mid), 3);
    await p.frames();
    assert.ok((await p.page.locator('.answer').innerText()).length > 20);
    await stream(p, 'md', events.slice(mid), 3);
    await p.host({ type: 'events', turnId: 'md', events: [{ type: 'done' }] });
    await p.frames();
    const labels = STRINGS.en;
    const expected = createMarkdown({ copy: labels.copy, insert: labels.insert }).render(MARKDOWN_DOC);
    const same = await p.page.evaluate((expected) => {
      const answer = document.querySelector('.answer')!;
      const got = [...answer.querySelectorAll(':scope > .md-group > .md-chunk > *, :scope > .md-open > *')].map((e) => e.outerHTML).join('');
      const t = document.createElement('template');
      t.innerHTML = expected;
      const want = [...t.content.children].map((e) => e.outerHTML).join('');
      return { same: got === want, got, want };
    }, expected);
    assert.equal(same.got, same.want);
    // Safety: no raw HTML element, the javascript: link is not a link.
    assert.equal(await p.page.locator('.answer b').count(), 0);
    assert.equal(await p.page.locator('.answer a[href^="javascript"]').count(), 0);
    assert.equal(await p.page.locator('.answer a[href="https://example.com/%E6%8A%A5%E5%91%8A"]').count(), 1);
  });

  it('shows DeepSeek reasoning while it streams, folds it when the answer starts; folds long output', async () => {
    const p = await panel();
    await startTurn(p, 'dr', 'Why?', { mode: 'ask' });
    await stream(p, 'dr', [
      { type: 'thinking', stage: 'explanation', content: 'First, the user asks why. ' },
      { type: 'thinking', stage: 'explanation', content: 'I should look at the seasonal trend.' },
    ]);
    await p.frames();
    const section = p.page.locator('.stage-explanation');
    assert.equal(await section.locator('.stage-title').innerText(), 'Thinking');
    assert.equal(await section.locator('.stage-header').getAttribute('aria-expanded'), 'true');
    assert.match(await section.locator('.thinking-text').innerText(), /seasonal trend/);
    await stream(p, 'dr', contentEvents('response', 'Because of **seasonality**.'));
    await p.frames();
    assert.equal(await section.locator('.stage-header').getAttribute('aria-expanded'), 'false', 'folded once the answer streams');
    assert.match(await section.locator('.thinking-preview').innerText(), /First, the user asks why/);
    const lines = Array.from({ length: 500 }, (_, i) => `row ${i}  value ${i * 3}`).join('\n');
    await stream(p, 'dr', [
      { type: 'complete', data: { reply: 'Because of **seasonality**.', generated_code: null, execution_result: lines, image: null, plotly_json: null } },
      { type: 'done' },
    ]);
    await p.frames();
    const output = p.page.locator('.artifact .output');
    const shown = await output.locator('pre').innerText();
    assert.ok(shown.split('\n').length <= 41, `${shown.split('\n').length} lines shown`);
    const more = output.getByRole('button', { name: /Show all \(\d+ more lines\)/ });
    await more.click();
    assert.match(await output.locator('pre').innerText(), /row 499 {2}value 1497/);
    assert.equal(await output.getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded'), 'true');
    // The user can open the reasoning again.
    await section.locator('.stage-header').click();
    assert.match(await section.locator('.thinking-text').innerText(), /seasonal trend/);
  });

  it('shows an error with Retry when it has no code, and Set API Key when the key was rejected (code auth)', async () => {
    const p = await panel();
    await startTurn(p, 'e1', 'question');
    await stream(p, 'e1', [
      ...contentEvents('response', 'partial answer'),
      { type: 'error', content: 'The connection was reset.' },
      { type: 'done' },
    ]);
    await p.frames();
    const box = p.page.getByRole('alert');
    assert.match(await box.innerText(), /connection was reset/);
    assert.match(await p.page.locator('.answer').innerText(), /partial answer/, 'partial text kept');
    await box.getByRole('button', { name: 'Retry' }).click();
    await p.waitForPosted('retry', { turnId: 'e1' });
    assert.equal(await box.getByRole('button', { name: 'Set API Key' }).count(), 0);
    await startTurn(p, 'e2', 'again');
    await stream(p, 'e2', [
      { type: 'error', content: 'The API key was rejected by DeepSeek (401): set it with "Radarm: Set API Key".', code: 'auth' },
      { type: 'done' },
    ]);
    await p.frames();
    await p.page.getByRole('alert').nth(1).getByRole('button', { name: 'Set API Key' }).click();
    await p.waitForPosted('setApiKey', { providerId: 'deepseek' });
    await p.screenshot('panel-error-dark');
  });

  it('loads plotly.js only when a chart arrives, then draws it; shows the image', async () => {
    const p = await panel({ theme: 'dark', locale: 'zh-cn' }, panelState({ locale: 'zh-cn' }));
    await startTurn(p, 'ch', '画出各地区销售额');
    const events = agentMultiEvents({ withChart: true, withImage: true });
    await stream(p, 'ch', events.slice(0, -2));
    await p.frames();
    assert.equal(await p.page.locator('script[data-radarm="plotly"]').count(), 0, 'no plotly before a chart');
    assert.ok(!suite.server.requests.includes('/plotly.min.js'), 'plotly.min.js not fetched yet');
    await stream(p, 'ch', events.slice(-2));
    await p.page.locator('.chart .js-plotly-plot svg.main-svg').first().waitFor({ timeout: 30_000 });
    assert.equal(await p.page.locator('script[data-radarm="plotly"]').count(), 1);
    // Chinese axis labels reached the SVG intact; the theme overrode python's light template.
    const svgText = await p.page.locator('.chart .js-plotly-plot').innerText();
    assert.match(svgText, /各地区销售额/);
    const bg = await p.page.locator('.chart .main-svg').first().evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.match(bg, /rgba\(0, 0, 0, 0\)|transparent/);
    const img = p.page.locator('.figure img');
    await img.waitFor();
    assert.ok(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth === 240), 'the PNG decoded');
    await p.page.locator('.chart').scrollIntoViewIfNeeded();
    await p.screenshot('panel-chart-dark');
  });

  it('draws WebGL traces (which need eval) as their SVG twins, within the CSP', async () => {
    const fig = JSON.stringify({
      data: [{ type: 'scattergl', mode: 'markers', x: Array.from({ length: 2000 }, (_, i) => i), y: Array.from({ length: 2000 }, (_, i) => Math.sin(i / 50)) }],
      layout: { title: { text: 'px.scatter with 2,000 points' } },
    });
    const p = await panel();
    await startTurn(p, 'gl', 'scatter');
    await stream(p, 'gl', [
      { type: 'complete', data: { reply: 'Done.', generated_code: null, execution_result: null, image: null, plotly_json: fig } },
      { type: 'done' },
    ]);
    await p.page.locator('.chart .js-plotly-plot svg.main-svg').first().waitFor({ timeout: 30_000 });
    assert.ok((await p.page.locator('.chart .scatterlayer .point').count()) > 1000, 'the points are SVG');
    assert.equal(await p.page.locator('.chart-status').count(), 0, 'no error shown');
  });

  it('renders images and chart from history without re-fetching anything remote', async () => {
    const p = await panel({}, panelState({
      turns: [
        turnRecord('old', 'chart?', {
          events: [
            { type: 'complete', data: { reply: 'Here.', generated_code: 'x=1', execution_result: '1', image: pngDataUrl(60, 30), plotly_json: plotlyJson() } },
            { type: 'done' },
          ],
        }),
      ],
    }));
    await p.page.locator('.chart .js-plotly-plot').waitFor({ timeout: 30_000 });
    assert.equal(await p.page.locator('.figure img').count(), 1);
    assert.ok(suite.server.requests.every((r) => !/^https?:/.test(r)));
  });
});
