// The real webview bundle in headless Chromium, under the real CSP: malformed host messages, the CSP itself,
// a 100,000-token stream at flat cost, state across reloads, hidden webviews and long histories.
import * as assert from 'node:assert/strict';
import type { RadarmEvent } from '../../src/protocol/events';
import { STRINGS } from '../../webview/i18n';
import { contentEvents, costGrowth, panelState, panelSuite, stream, turnRecord } from './harness';
import { panelOpeners } from './panel-open';

describe('chat panel in Chromium', function () {
  this.timeout(60_000);
  const suite = panelSuite();
  const { panel, startTurn } = panelOpeners(suite);

  it('ignores malformed host messages and keeps working', async () => {
    const p = await panel();
    await startTurn(p, 'ok', 'question');
    const junk: unknown[] = [
      null,
      'events',
      42,
      [],
      { type: 'events' },
      { type: 'events', turnId: 5, events: [] },
      { type: 'events', turnId: 'ok', events: 'tokens' },
      { type: 'events', turnId: 'ok', events: [{ type: 'content', stage: 'nope', content: 'x' }, { type: 'complete', data: {} }] },
      { type: 'init', state: {} },
      { type: 'init', state: { ...panelState(), turns: 'x' } },
      { type: 'turnStart', turn: { id: 'x' } },
      { type: 'config', config: { mode: 'yolo' } },
      { type: 'notice', level: 'fatal', text: 'x' },
      { type: 'dataFiles', available: [1], selected: [] },
      { type: 'prefill', question: 7 },
      { type: '__proto__' },
      { type: 'events', turnId: 'unknown-turn', events: [{ type: 'content', stage: 'response', content: 'lost' }] },
    ];
    for (const m of junk) await p.host(m);
    await p.frames();
    // The page is intact: the one turn, nothing posted in reply, and valid messages still work.
    assert.equal(await p.page.locator('.turn').count(), 1);
    assert.equal(await p.page.locator('.answer').count(), 0);
    await stream(p, 'ok', [...contentEvents('response', 'still **alive**'), { type: 'done' }]);
    await p.frames();
    assert.equal(await p.page.locator('.answer strong').innerText(), 'alive');
    assert.equal(await p.page.locator('textarea').getAttribute('placeholder'), STRINGS.en.placeholder);
    const types = (await p.posted()).map((m) => m.type);
    assert.deepEqual(types, ['ready']);
  });

  it('enforces the CSP: an inline script is blocked and reported', async () => {
    const p = await panel();
    const ran = await p.page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      // An allowed inline script runs during appendChild; a blocked one fires securitypolicyviolation instead.
      const reported = new Promise((r) => document.addEventListener('securitypolicyviolation', r, { once: true }));
      document.body.appendChild(s);
      await reported;
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    assert.equal(ran, false, 'inline script executed');
    const v = await p.violations();
    assert.equal(v.length, 1);
    assert.match(v[0], /script-src/);
    const csp = await p.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp!, /default-src 'none'/);
    assert.match(csp!, /script-src 'nonce-[A-Za-z0-9_-]{16,}'/);
    assert.doesNotMatch(csp!, /unsafe-eval|https?:\/\/(?!127\.0\.0\.1)/);
    // The afterEach check would flag this intended violation (and its console line): clear them.
    await p.page.evaluate(() => ((window as unknown as { __violations: string[] }).__violations.length = 0));
    assert.equal(p.errors.length, 1);
    assert.match(p.errors[0], /Content Security Policy/);
    p.errors.length = 0;
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

  it('survives a page reload: turns, draft and mode come back from setState', async () => {
    const p = await panel();
    await startTurn(p, 'r1', 'What is the total?', { mode: 'ask' });
    await stream(p, 'r1', [...contentEvents('response', 'The total is **42**.'), { type: 'done' }]);
    await p.page.locator('select').first().selectOption('agent_single');
    await p.page.locator('textarea').fill('a draft I was typing');
    // The debounced setState has run.
    await p.page.waitForFunction(() => sessionStorage.getItem('vscode-state')?.includes('a draft I was typing'));
    await p.reload();
    // No init from the host yet: the cached state is shown.
    await p.frames();
    assert.equal(await p.page.locator('.question').innerText(), 'What is the total?');
    assert.equal(await p.page.locator('.answer strong').innerText(), '42');
    assert.equal(await p.page.locator('textarea').inputValue(), 'a draft I was typing');
    assert.equal(await p.page.locator('select').first().inputValue(), 'agent_single');
    // Then the host's init is authoritative for the history.
    await p.host({ type: 'init', state: panelState({ turns: [] }) });
    await p.frames();
    assert.equal(await p.page.locator('.turn').count(), 0);
    assert.equal(await p.page.locator('textarea').inputValue(), 'a draft I was typing', 'the draft is kept');
  });

  it('a cleared composer is saved at once, so a draft the user deleted does not come back after a reload', async () => {
    const p = await panel();
    await p.page.locator('textarea').fill('a draft I will delete');
    await p.page.waitForFunction(() => sessionStorage.getItem('vscode-state')?.includes('a draft I will delete'));
    // Clear it and read the saved state in the same task: no debounce may stand between them.
    const saved = await p.page.evaluate(() => {
      const ta = document.querySelector('textarea')!;
      ta.value = '';
      ta.dispatchEvent(new Event('input', { bubbles: true }));
      return JSON.parse(sessionStorage.getItem('vscode-state') ?? '{}').draft;
    });
    assert.equal(saved, '');
    await p.reload();
    await p.frames();
    assert.equal(await p.page.locator('textarea').inputValue(), '');
  });

  it('applies events without animation frames (a hidden webview gets none)', async () => {
    const p = await panel();
    await p.page.evaluate(() => {
      window.requestAnimationFrame = () => 0; // what a hidden document sees: frames never come
    });
    await startTurn(p, 'h', 'hidden?', { mode: 'ask' });
    await stream(p, 'h', [...contentEvents('response', 'applied **anyway**'), { type: 'done' }]);
    // The answer renders as its deltas arrive (a `<strong>` may exist before its text): wait for the whole word.
    await p.page.locator('.answer strong', { hasText: /^anyway$/ }).waitFor({ timeout: 5000 });
    assert.equal(await p.page.locator('.answer strong').innerText(), 'anyway');
  });

  it('restores a long history from init, rendering only the latest turns until asked', async () => {
    const turns = Array.from({ length: 80 }, (_, i) =>
      turnRecord(`h${i}`, `question ${i}`, {
        mode: 'ask',
        events: [{ type: 'content', stage: 'response', content: `answer **${i}**` }, { type: 'done' }] as RadarmEvent[],
      }),
    );
    const p = await panel({}, panelState({ turns }));
    assert.equal(await p.page.locator('.turn').count(), 30);
    const earlier = p.page.getByRole('button', { name: 'Show 50 earlier turns' });
    await earlier.click();
    // The earlier turns and their answers' markdown render over the next frames (a loaded machine gives fewer
    // of them per second): wait for the latest answer's text instead of reading it at once.
    await p.page.locator('.turn').last().locator('.answer strong', { hasText: /^79$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await p.page.locator('.turn').count(), 80);
  });
});
