// The real webview bundle in headless Chromium: malformed host messages, the CSP, a page reload and a long
// restored history.
import * as assert from 'node:assert/strict';
import type { RadarmEvent } from '../../src/protocol/events';
import { STRINGS } from '../../webview/i18n';
import { contentEvents, panelState, stream, turnRecord } from './harness';
import { usePanelSuite } from './panel-suite';

describe('chat panel in Chromium: bad input and what survives', function () {
  this.timeout(60_000);
  const suite = usePanelSuite();
  const { panel, startTurn } = suite;

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
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 50));
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
    assert.equal(await p.page.locator('.turn').count(), 80);
    assert.equal(await p.page.locator('.turn').last().locator('.answer strong').innerText(), '79');
  });
});
