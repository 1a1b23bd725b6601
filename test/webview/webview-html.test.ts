// The webview HTML builder: a strict CSP with a fresh nonce, our three files, nothing inline.
import * as assert from 'node:assert/strict';
import { buildWebviewHtml, contentSecurityPolicy, makeNonce, toLocale } from '../../src/vscode/webview-html';

const opts = {
  cspSource: 'https://*.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.css',
  codiconsUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/codicon.css',
  plotlyUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/plotly.min.js',
};

describe('webview HTML builder', () => {
  it('builds a document whose only script carries the CSP nonce', () => {
    const html = buildWebviewHtml({ ...opts, nonce: 'abcdefghijklmnopqrstuvwx' });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1].replace(/&#39;|&apos;/g, "'");
    assert.equal(csp, contentSecurityPolicy(opts.cspSource, 'abcdefghijklmnopqrstuvwx'));
    assert.match(csp, /^default-src 'none'; script-src 'nonce-abcdefghijklmnopqrstuvwx'; /);
    assert.match(csp, /font-src https:\/\/\*\.vscode-cdn\.net;/);
    assert.match(csp, /img-src https:\/\/\*\.vscode-cdn\.net data: blob:;/);
    assert.match(csp, /connect-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*(unsafe-inline|\*|https?:)/);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], /nonce="abcdefghijklmnopqrstuvwx" src="[^"]+main\.js"/);
    assert.equal(scripts[0][2], '', 'no inline script');
    assert.match(html, /<link rel="stylesheet" href="[^"]+codicon\.css"/);
    assert.match(html, /<link rel="stylesheet" href="[^"]+main\.css"/);
    assert.match(html, /data-plotly-uri="[^"]+plotly\.min\.js"/);
    assert.doesNotMatch(html, /\s(style|on\w+)="/, 'no inline styles or handlers');
  });

  it('uses a fresh random nonce per render', () => {
    const a = buildWebviewHtml(opts);
    const b = buildWebviewHtml(opts);
    const nonce = (h: string) => /nonce="([^"]+)"/.exec(h)![1];
    assert.notEqual(nonce(a), nonce(b));
    assert.match(makeNonce(), /^[A-Za-z0-9_-]{32}$/);
  });

  it('escapes URIs and sets the language', () => {
    const html = buildWebviewHtml({ ...opts, scriptUri: 'https://x/"><script>alert(1)</script>', locale: 'zh-cn' });
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /<html lang="zh-CN">/);
    assert.match(html, /data-locale="zh-cn"/);
  });

  it("accepts origins and 'self', and refuses anything that could widen the policy", () => {
    assert.doesNotThrow(() => buildWebviewHtml({ ...opts, cspSource: "'self' https://*.vscode-cdn.net" }));
    assert.doesNotThrow(() => buildWebviewHtml({ ...opts, cspSource: 'http://127.0.0.1:5000' }));
    for (const bad of ['', "https://a; script-src *", "'unsafe-inline'", "https://a 'unsafe-eval'", 'https://a,b'])
      assert.throws(() => buildWebviewHtml({ ...opts, cspSource: bad }), /not a valid CSP source list/, bad);
    assert.throws(() => buildWebviewHtml({ ...opts, nonce: 'short' }), /nonce/);
  });

  it('maps VS Code languages to the panel locale', () => {
    assert.equal(toLocale('zh-cn'), 'zh-cn');
    assert.equal(toLocale('zh-CN'), 'zh-cn');
    assert.equal(toLocale('zh-tw'), 'zh-cn');
    assert.equal(toLocale('en'), 'en');
    assert.equal(toLocale('ja'), 'en');
    assert.equal(toLocale(undefined), 'en');
  });
});
