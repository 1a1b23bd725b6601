// The real webview bundle in headless Chromium, fed recorded event streams through the host protocol, under
// the real CSP: how turns render and stream (stages, markdown, charts, reasoning, long streams, history).
// Screenshots go to test-artifacts/.
import * as assert from 'node:assert/strict';
import { createMarkdown } from '../../webview/markdown';
import { STRINGS } from '../../webview/i18n';
import { MARKDOWN_DOC, agentMultiEvents, plotlyJson, pngDataUrl } from './fixtures';
import { contentEvents, costGrowth, panelState, stream, turnRecord } from './harness';
import { usePanelSuite } from './panel-suite';

describe('chat panel in Chromium: rendering and streaming', function () {
  this.timeout(60_000);
  const suite = usePanelSuite();
  const { panel, startTurn } = suite;

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

  it('streams 100,000 tokens into one message with flat per-token cost (last tenth ≤ 1.5× the first, as the benchmark)', async function () {
    this.timeout(120_000);
    const p = await panel();
    const result = await p.page.evaluate(async () => {
      const w = window as unknown as { __radarmPerf: { ms: number; events: number; applyMs: number; layoutMs: number }[] };
      const words = ['销售额', 'revenue ', '增长 ', 'the ', '**华东** ', '`df` ', 'data ', '，', '。\n\n', '- item\n', '\n\n## 小结\n\n', '| a | b |\n|---|---|\n| 1 | 2 |\n\n'];
      const post = (m: unknown) => window.postMessage(m, '*');
      const run = async (id: string, tokens: number) => {
        post({ type: 'turnStart', turn: { id, question: 'q', mode: 'ask', dataFiles: [], events: [] } });
        let n = 0;
        let seed = 7;
        while (n < tokens) {
          const events = [];
          for (let i = 0; i < 50 && n < tokens; i++, n++) {
            seed = (seed * 1103515245 + 12345) & 0x7fffffff;
            events.push({ type: 'content', stage: 'response', content: words[seed % words.length] });
          }
          post({ type: 'events', turnId: id, events });
          // About 300 tokens per frame (~18,000 tokens/s): ~330 frames, so each tenth has enough
          // frames for a median that one preempted frame cannot move.
          if (n % 300 === 0) await new Promise((r) => requestAnimationFrame(r));
        }
        post({ type: 'events', turnId: id, events: [{ type: 'done' }] });
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      };
      await run('warmup', 10_000);
      w.__radarmPerf = [];
      const t0 = performance.now();
      await run('big', 100_000);
      const total = performance.now() - t0;
      const list = document.querySelector('.messages')!;
      return {
        samples: w.__radarmPerf,
        total,
        text: document.querySelectorAll('.answer')[1]?.textContent?.length ?? 0,
        atBottom: list.scrollHeight - list.scrollTop - list.clientHeight < 40,
      };
    });
    const samples = result.samples.filter((s) => s.events > 0);
    assert.ok(samples.length >= 10, `only ${samples.length} frames`);
    assert.ok(result.text > 200_000, `the message has ${result.text} characters`);
    const growth = costGrowth(samples);
    // Where the time goes, first vs last tenth: applying events, rendering into the DOM, style + layout.
    const parts = (xs: typeof samples) => {
      const n = xs.reduce((a, x) => a + x.events, 0) / 1000;
      const sum = (f: (x: (typeof samples)[number]) => number) => (xs.reduce((a, x) => a + f(x), 0) / n).toFixed(1);
      return `apply ${sum((x) => x.applyMs)} / render ${sum((x) => x.ms - x.applyMs - x.layoutMs)} / layout ${sum((x) => x.layoutMs)} µs`;
    };
    const tenth = Math.max(1, Math.floor(samples.length / 10));
    console.log(
      `      100k tokens: ${samples.length} frames, ${Math.round(result.total)} ms, cost growth ${growth.median.toFixed(2)}x; ` +
        `first tenth ${parts(samples.slice(0, tenth))}, last ${parts(samples.slice(-tenth))}`,
    );
    assert.ok(growth.median <= 1.5, `per-token cost grew ${growth.median.toFixed(2)}x (${growth.first.toFixed(1)} → ${growth.last.toFixed(1)} µs)`);
    // The view followed the stream to its end (CSS scroll anchoring, no script per frame).
    assert.ok(result.atBottom, 'the message list is scrolled to the bottom');
  });

  it('applies events without animation frames (a hidden webview gets none)', async () => {
    const p = await panel();
    await p.page.evaluate(() => {
      window.requestAnimationFrame = () => 0; // what a hidden document sees: frames never come
    });
    await startTurn(p, 'h', 'hidden?', { mode: 'ask' });
    await stream(p, 'h', [...contentEvents('response', 'applied **anyway**'), { type: 'done' }]);
    await p.page.locator('.answer strong').waitFor({ timeout: 5000 });
    assert.equal(await p.page.locator('.answer strong').innerText(), 'anyway');
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
