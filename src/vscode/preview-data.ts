// "Radarm: Preview Data": a data file's column profile and first rows in an editor tab. An editor tab, not the
// chat panel: a profile of many columns needs the width, it stays open beside the chat while the user asks,
// and several files can be compared side by side. It reuses the panel's HTML builder, CSP and table component
// (its own small bundle, preview.js) and has its own kernel process, so a long turn in the chat never delays it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KernelOptions, PythonKernel } from '../kernel';
import type { PreviewMessage } from '../protocol/preview';
import { parseWebviewMessage } from '../protocol/messages';
import { resourceOrigins } from './chat-view';
import { DATA_EXCLUDE, DATA_GLOB, isDataFile } from './data-files';
import { buildWebviewHtml, toLocale } from './webview-html';

export const PREVIEW_COMMAND = 'radarm.previewData';

export interface PreviewDeps {
  extensionUri: vscode.Uri;
  createKernel: (opts: KernelOptions) => PythonKernel;
  pythonPath: () => string | undefined;
}

async function chooseFile(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return path.isAbsolute(arg) || !folder ? vscode.Uri.file(arg) : vscode.Uri.joinPath(folder.uri, arg);
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isDataFile(active)) return active;
  const files = await vscode.workspace.findFiles(DATA_GLOB, DATA_EXCLUDE, 5000);
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder: vscode.l10n.t('Choose a data file to preview') },
  );
  return picked?.uri;
}

export function registerPreviewData(deps: PreviewDeps): vscode.Disposable[] {
  let kernel: PythonKernel | undefined;
  const root = vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webview');
  const getKernel = () =>
    (kernel ??= deps.createKernel({
      ...(deps.pythonPath() ? { pythonPath: deps.pythonPath() } : {}),
      cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd(),
    }));

  async function preview(arg: unknown): Promise<void> {
    // The preview kernel starts while the user picks a file (Python + pandas take most of a cold first screen).
    void getKernel().start().catch(() => undefined);
    const uri = await chooseFile(arg);
    if (!uri) return;
    const name = path.basename(uri.fsPath);
    const locale = toLocale(vscode.env.language);
    const panel = vscode.window.createWebviewPanel('radarm.preview', vscode.l10n.t('Preview: {0}', name), vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [root],
    });
    const w = panel.webview;
    const asUri = (f: string) => w.asWebviewUri(vscode.Uri.joinPath(root, f)).toString();
    w.html = buildWebviewHtml({
      cspSource: resourceOrigins(w.cspSource),
      scriptUri: asUri('preview.js'),
      styleUri: asUri('preview.css'),
      codiconsUri: asUri('codicon.css'),
      locale,
    });
    const t0 = performance.now();
    const result: Promise<PreviewMessage> = getKernel()
      .preview!(uri.fsPath)
      .then(
        (p): PreviewMessage => ({ type: 'preview', preview: p, ms: performance.now() - t0 }),
        (err: unknown): PreviewMessage => ({ type: 'previewError', name, message: err instanceof Error ? err.message.replace(/^Error: /, '') : String(err) }),
      );
    w.onDidReceiveMessage(async (raw: unknown) => {
      const msg = parseWebviewMessage(raw);
      if (msg?.type === 'ready') {
        await w.postMessage({ type: 'previewLoading', name, locale } satisfies PreviewMessage);
        await w.postMessage(await result);
      } else if (msg?.type === 'copy') await vscode.env.clipboard.writeText(msg.text);
      else if (msg?.type === 'insertCode') await vscode.commands.executeCommand('radarm.insertCode', msg.code);
    });
  }

  return [
    vscode.commands.registerCommand(PREVIEW_COMMAND, (arg: unknown) => preview(arg)),
    { dispose: () => void kernel?.dispose() },
  ];
}
