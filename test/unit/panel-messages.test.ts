// The messages the panel's new actions post (validated on the host), the code → actions table of
// failed turns, recall of earlier questions, and the standalone figure documents.
import * as assert from 'node:assert/strict';
import { ERROR_CODES } from '../../src/protocol/events';
import { parseWebviewMessage } from '../../src/protocol/messages';
import { chartHtml, chartTabHtml, decodeImage, scriptJson } from '../../src/vscode/figure-html';
import { parseAnnouncement, stripLeadingEmoji } from '../../webview/announcement';
import { errorActions } from '../../src/protocol/error-actions';
import { recallList, recallStep } from '../../webview/recall';

describe('panel actions: messages, error actions, recall, figure documents', () => {
  it('validates regenerate, editResend, figure and openSettings with a query', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'regenerate', turnId: 't1', extra: 1 }), { type: 'regenerate', turnId: 't1' });
    assert.deepEqual(parseWebviewMessage({ type: 'editResend', turnId: 't1', text: 'new q' }), { type: 'editResend', turnId: 't1', text: 'new q' });
    assert.equal(parseWebviewMessage({ type: 'editResend', turnId: 't1', text: '   ' }), undefined, 'blank text');
    assert.equal(parseWebviewMessage({ type: 'editResend', turnId: '', text: 'q' }), undefined, 'no turn');
    assert.deepEqual(parseWebviewMessage({ type: 'figure', turnId: 't1', kind: 'chart', action: 'save' }), {
      type: 'figure',
      turnId: 't1',
      kind: 'chart',
      action: 'save',
    });
    assert.equal(parseWebviewMessage({ type: 'figure', turnId: 't1', kind: 'chart', action: 'delete' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'figure', turnId: 't1', kind: 'video', action: 'open' }), undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'openSettings' }), { type: 'openSettings' });
    assert.deepEqual(parseWebviewMessage({ type: 'openSettings', query: 'radarm.stallTimeout' }), { type: 'openSettings', query: 'radarm.stallTimeout' });
    assert.equal(parseWebviewMessage({ type: 'openSettings', query: 'editor.fontSize' }), undefined, 'only radarm settings');
  });

  it('chooses error buttons from the code: every code has an entry; auth leads to Set API Key, network to Retry', () => {
    for (const code of ERROR_CODES) assert.ok(Array.isArray(errorActions(code)), code);
    assert.deepEqual(errorActions('auth'), [{ kind: 'setApiKey' }]);
    assert.deepEqual(errorActions('no_key'), [{ kind: 'setApiKey' }]);
    for (const code of ['network', 'timeout', 'stall', 'rate_limit', 'bad_response', 'internal'] as const)
      assert.equal(errorActions(code)[0].kind, 'retry', code);
    assert.deepEqual(errorActions('no_provider'), [{ kind: 'openSettings', query: 'radarm.providers' }]);
    assert.deepEqual(errorActions(null), errorActions('internal'), 'no code: as internal');
  });

  it('recalls distinct questions newest first, and never replaces typed text', () => {
    const list = recallList(['a', 'b', 'a', 'c']);
    assert.deepEqual(list, ['c', 'a', 'b']);
    assert.deepEqual(recallStep(list, -1, '', 'ArrowUp'), { index: 0, text: 'c' });
    assert.deepEqual(recallStep(list, 0, 'c', 'ArrowUp'), { index: 1, text: 'a' });
    assert.deepEqual(recallStep(list, 1, 'a', 'ArrowDown'), { index: 0, text: 'c' });
    assert.deepEqual(recallStep(list, 0, 'c', 'ArrowDown'), { index: -1, text: '' });
    assert.equal(recallStep(list, -1, '', 'ArrowDown'), null, 'nothing below the empty box');
    assert.equal(recallStep(list, 2, 'b', 'ArrowUp'), null, 'nothing older');
    assert.equal(recallStep(list, 0, 'c edited', 'ArrowUp'), null, 'an edited recall is the user\'s text');
    assert.equal(recallStep(list, -1, 'typed', 'ArrowUp'), null);
  });

  it('finds agent announcements (emoji + one line) and maps the emoji to codicons', () => {
    assert.deepEqual(parseAnnouncement('👨‍💻 Executor is writing the code…'), { icon: 'code', text: 'Executor is writing the code…' });
    assert.deepEqual(parseAnnouncement('⚠️ The code failed (KeyError). Retrying, round 2 of 3…'), {
      icon: 'warning',
      text: 'The code failed (KeyError). Retrying, round 2 of 3…',
    });
    assert.equal(parseAnnouncement('I will look at the data.'), null, 'reasoning');
    assert.equal(parseAnnouncement('🧠 one\ntwo'), null, 'more than one line');
    assert.equal(stripLeadingEmoji('📊 2 charts'), '2 charts');
  });

  it('a saved chart is one HTML file with plotly.js inlined and the figure escaped', () => {
    const fig = JSON.stringify({ data: [{ type: 'bar', x: ['</script><script>alert(1)</script>'], y: [1] }], layout: {} });
    const html = chartHtml(fig, 'window.Plotly={newPlot(){}}; var s="</script>";', 'Chart – sales');
    assert.doesNotMatch(html, /<script[^>]*\bsrc=/, 'no external script');
    assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'only the two script elements close');
    assert.match(html, /\\u003c\/script>\\u003cscript>alert/);
    assert.throws(() => chartHtml('{"layout":{}}', '', 't'), /no "data" array/);
    const tab = chartTabHtml(fig, 'https://file+.vscode-resource/plotly.min.js', { cspSource: 'https://x', nonce: 'abc123', title: 't' });
    assert.match(tab, /script-src 'nonce-abc123'/);
    assert.doesNotMatch(tab, /unsafe-eval/);
    assert.equal(scriptJson('<!--'), '"\\u003c!--"');
  });

  it('decodes a PNG data URL to its bytes and extension', () => {
    const d = decodeImage('data:image/png;base64,iVBORw0KGgo=');
    assert.equal(d?.ext, 'png');
    assert.deepEqual([...(d?.bytes.subarray(0, 4) ?? [])], [0x89, 0x50, 0x4e, 0x47]);
    assert.equal(decodeImage('data:image/jpeg;base64,/9j/')?.ext, 'jpg');
    assert.equal(decodeImage('https://example.com/x.png'), undefined);
  });
});
