// The sidebar's "Chat" webview view. It only hosts the panel: HTML with a strict CSP (webview-html.ts),
// resources from dist/webview only, and every message validated before the controller sees it.
// retainContextWhenHidden is off: when shown again the webview posts `ready` and gets the whole
// state back in `init` (the host is the source of truth, so nothing is lost while hidden).
import * as vscode from 'vscode';
import type { HostToWebview } from '../protocol/messages';
import { parseWebviewMessage } from '../protocol/message-parse';
import type { ChatController, ChatViewPort } from './chat-controller';
import { buildWebviewHtml, toLocale } from './webview-html';

export const CHAT_VIEW_ID = 'radarm.chat';

export class ChatViewProvider implements vscode.WebviewViewProvider, ChatViewPort {
  private view: vscode.WebviewView | undefined;
  private readonly root: vscode.Uri;

  constructor(
    extensionUri: vscode.Uri,
    private readonly controller: ChatController,
  ) {
    this.root = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  }

  static register(context: vscode.ExtensionContext, provider: ChatViewProvider): void {
    context.subscriptions.push(
      vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, provider, { webviewOptions: { retainContextWhenHidden: false } }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.controller.attachView(this);
    const webview = view.webview;
    webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [this.root] };
    webview.html = buildWebviewHtml({
      cspSource: resourceOrigins(webview.cspSource),
      scriptUri: this.uri('main.js'),
      styleUri: this.uri('main.css'),
      codiconsUri: this.uri('codicon.css'),
      plotlyUri: this.uri('plotly.min.js'),
      locale: toLocale(vscode.env.language),
    });
    const subs = [
      webview.onDidReceiveMessage((raw: unknown) => {
        const msg = parseWebviewMessage(raw);
        if (!msg) return; // malformed or unknown: ignored
        this.controller.handleMessage(msg).catch((err) => console.error('radarm: webview message failed:', err));
      }),
      view.onDidChangeVisibility(() => {
        // Hidden without retained context: the document is gone; it posts `ready` when shown again.
        if (!view.visible) this.controller.webviewGone();
      }),
    ];
    view.onDidDispose(() => {
      subs.forEach((s) => s.dispose());
      if (this.view === view) {
        this.view = undefined;
        this.controller.attachView(undefined);
      }
    });
  }

  uri(file: string): string {
    return this.view ? this.view.webview.asWebviewUri(vscode.Uri.joinPath(this.root, file)).toString() : '';
  }

  post(message: HostToWebview): boolean {
    if (!this.view?.visible) return false;
    void this.view.webview.postMessage(message);
    return true;
  }

  async reveal(): Promise<void> {
    if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }
}

/**
 * The origins of webview.cspSource without keywords: code-server reports `'self' https://*.vscode-cdn.net`,
 * and buildWebviewHtml accepts origins only. Our resources always come from asWebviewUri's origin, so
 * dropping 'self' loses nothing.
 */
export function resourceOrigins(cspSource: string): string {
  const origins = cspSource.split(/\s+/).filter((s) => s && !/^'.*'$/.test(s));
  return origins.length ? origins.join(' ') : cspSource;
}
