// Builds the chat panel's HTML document with a strict Content-Security-Policy. Pure (no `vscode`
// import): the host passes webview.asWebviewUri(...) strings and webview.cspSource; the Chromium
// tests pass http://127.0.0.1 URLs, so both run the very same policy.
//
// Policy: nothing by default; scripts only with this document's nonce (main.js, and plotly.min.js
// which the panel injects with the same nonce when the first chart arrives); styles, fonts and
// images only from the webview's own resource origin (images also as data: URLs, which is how
// figures arrive); no inline scripts, no remote origins, no network (connect-src 'none').
// Styles also allow 'unsafe-inline' attributes: Plotly (and Preact's style props) set element
// styles, which cannot carry a nonce; style attributes cannot run script.
import { toLocale, type Locale } from '../protocol/vocabulary';

export interface WebviewHtmlOptions {
  /** webview.cspSource (e.g. `https://*.vscode-cdn.net`), or the test server's origin. */
  cspSource: string;
  /** URI of dist/webview/main.js */
  scriptUri: string;
  /** URI of dist/webview/main.css */
  styleUri: string;
  /** URI of dist/webview/codicon.css */
  codiconsUri: string;
  /** URI of dist/webview/plotly.min.js (loaded lazily; also sent in the init state). */
  plotlyUri?: string;
  /** UI language until `init` arrives (vscode.env.language normalised with toLocale). */
  locale?: Locale;
  /** A fresh random nonce per render; generated when absent. */
  nonce?: string;
}

/** A 32-character random nonce (Web Crypto: available in Node 20 and in browsers). */
export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  // base64url without padding: safe inside the CSP header and an attribute.
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Maps a VS Code language tag (vscode.env.language: `zh-cn`, `zh-tw`, `en`…) to a panel locale.
 * Every Chinese variant gets the Simplified Chinese UI (closer for zh-tw readers than English).
 */
export { toLocale };

/** Origins / schemes (`https://*.vscode-cdn.net`, `vscode-resource:`) and the 'self' keyword, space-separated. */
function isSourceList(list: string): boolean {
  const tokens = list.trim().split(/\s+/);
  return tokens[0] !== '' && tokens.every((t) => t === "'self'" || /^[a-z][a-z0-9+.-]*:(\/\/[^\s;,'"]+)?$/i.test(t));
}

const escapeAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The CSP string alone (exported for tests and for hosts that set it as a header). */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data: blob:`,
    "connect-src 'none'",
    "worker-src 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function buildWebviewHtml(opts: WebviewHtmlOptions): string {
  const nonce = opts.nonce ?? makeNonce();
  if (!/^[A-Za-z0-9_\-+/=]{16,}$/.test(nonce)) throw new Error('buildWebviewHtml: the nonce must be ≥16 base64 characters.');
  if (!isSourceList(opts.cspSource))
    throw new Error(`buildWebviewHtml: cspSource "${opts.cspSource}" is not a valid CSP source list (pass webview.cspSource).`);
  const locale = opts.locale ?? 'en';
  const a = escapeAttr;
  return `<!DOCTYPE html>
<html lang="${locale === 'zh-cn' ? 'zh-CN' : 'en'}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${a(contentSecurityPolicy(opts.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${a(opts.codiconsUri)}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${a(opts.styleUri)}">
<title>Radarm</title>
</head>
<body data-locale="${locale}" data-plotly-uri="${a(opts.plotlyUri ?? '')}">
<div id="radarm-root"></div>
<script nonce="${nonce}" src="${a(opts.scriptUri)}"></script>
</body>
</html>
`;
}
