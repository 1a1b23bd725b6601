// "Radarm: Preview Data": a data file's (or dataset's, or database table's) column profile and first rows in an
// editor tab. An editor tab, not the chat panel: a profile of many columns needs the width, it stays open beside
// the chat while the user asks, and several files can be compared side by side. It reuses the panel's HTML
// builder, CSP and table component (its own small bundle, preview.js) and has its own kernel process, so a long
// turn in the chat never delays it. The first screen comes from a pandas-free reader (src/preview/stream.ts),
// the pandas profile replaces it in place.
import * as vscode from 'vscode';
import type { KernelOptions, PythonKernel } from '../kernel';
import { quickPreview, type QuickResult } from '../kernel/preview-quick';
import { resolvePython } from '../kernel/resolve-python';
import { parseWebviewMessage } from '../protocol/messages';
import type { PreviewMessage } from '../protocol/preview';
import { kernelReaders, previewMessages, type PreviewSource } from '../preview/stream';
import { resourceOrigins } from './chat-view';
import type { DatabaseRegistry } from './databases';
import { databasePreview } from './preview-database';
import { isDataFile } from './data-files';
import { chooseSource, directSource } from './preview-source';
import { pythonExtensionInterpreter } from './python-path';
import { radarmLog } from './log';
import { buildWebviewHtml, toLocale } from './webview-html';

export const PREVIEW_COMMAND = 'radarm.previewData';

export interface PreviewDeps {
  extensionUri: vscode.Uri;
  createKernel: (opts: KernelOptions) => PythonKernel;
  pythonPath: () => string | undefined;
  databases?: DatabaseRegistry;
}

async function untrustedNotice(): Promise<void> {
  const manage = vscode.l10n.t('Manage Workspace Trust');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Preview Data runs Python, which Restricted Mode does not allow here. Trust this folder to preview its data.'),
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
}

export function registerPreviewData(deps: PreviewDeps): vscode.Disposable[] {
  let kernel: PythonKernel | undefined;
  let quickPython: Promise<string> | undefined;
  const root = vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webview');
  const cwd = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  const getKernel = () =>
    (kernel ??= deps.createKernel({
      ...(deps.pythonPath() ? { pythonPath: deps.pythonPath() } : {}),
      cwd: cwd(),
      settingName: 'radarm.pythonPath',
      // A database server's table needs the network in the sandbox.
      needsNetwork: !!deps.databases?.needsNetwork,
    }));
  // The quick reader's interpreter: the kernel's own choice, found once (a probe, no pandas import).
  const python = () =>
    (quickPython ??= (async () => {
      const explicit = deps.pythonPath();
      if (explicit) return explicit;
      const extensionPythonPath = await pythonExtensionInterpreter(vscode.workspace.workspaceFolders?.[0]?.uri);
      return (await resolvePython({ extensionPythonPath, settingName: 'radarm.pythonPath' })).path;
    })().catch((e: unknown) => {
      quickPython = undefined; // asked again next time (the user may fix the setting)
      throw e;
    }));

  function readers(source: PreviewSource & { database?: string }) {
    if (source.database !== undefined) {
      const k = getKernel();
      return { full: () => databasePreview(k, deps.databases!, source.database!, source.table!) };
    }
    const quick = async (s: PreviewSource): Promise<QuickResult> => {
      try {
        return await quickPreview({ pythonPath: await python() }, s);
      } catch {
        return { ok: false, code: 'quick-unsupported', message: 'no interpreter yet' }; // the kernel's error says why
      }
    };
    // An SQLite table has no pandas stage: the quick reader's bounded query is the whole view.
    return source.table !== undefined ? { quick } : kernelReaders(getKernel(), quick);
  }

  async function preview(arg: unknown): Promise<void> {
    // Like the chat, no Python in Restricted Mode: the interpreter may be the workspace's own (.venv).
    if (!vscode.workspace.isTrusted) return void untrustedNotice();
    const t0 = performance.now();
    // Named by the argument: the tab opens at once (its load is most of a cold first screen in VS Code), and the
    // kernel starts with the quick reader. Otherwise the kernel starts while the user picks.
    const active = vscode.window.activeTextEditor?.document.uri; // the palette with a data file open: no pick either
    const known = directSource(arg ?? (active && isDataFile(active) ? active : undefined));
    if (!known) {
      void getKernel().start().catch(() => undefined);
      void python().catch(() => undefined);
    }
    const source = known ?? (await chooseSource(arg, { databases: deps.databases, python, kernel: getKernel }));
    if (!source) return;
    const picked = performance.now(); // a pick's time is the user's, not the preview's: the tab's figure starts here
    const locale = toLocale(vscode.env.language);
    const panel = vscode.window.createWebviewPanel('radarm.preview', vscode.l10n.t('Preview: {0}', source.name), vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      retainContextWhenHidden: false,
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
    // Messages arrive while the tab loads: kept, and sent in order once it says ready (and again after a reload).
    const sent: PreviewMessage[] = [{ type: 'previewLoading', name: source.name, locale }];
    let ready = false;
    let closed = false;
    panel.onDidDispose(() => (closed = true));
    const post = (m: PreviewMessage) => {
      sent.push(m);
      if (ready && !closed) void w.postMessage(m);
    };
    w.onDidReceiveMessage(async (raw: unknown) => {
      const msg = parseWebviewMessage(raw);
      if (msg?.type === 'ready') {
        if (!ready) radarmLog().info(`Preview Data ${source.name}: tab ready at ${Math.round(performance.now() - picked)} ms`);
        ready = true;
        for (const m of sent) await w.postMessage(m);
      } else if (msg?.type === 'copy') await vscode.env.clipboard.writeText(msg.text);
      else if (msg?.type === 'insertCode') await vscode.commands.executeCommand('radarm.insertCode', msg.code);
    });
    for await (const m of previewMessages(source, readers(source), picked)) {
      if (closed) break;
      if (m.type !== 'previewLoading')
        radarmLog().info(`Preview Data ${source.name}: ${m.type === 'preview' ? `${m.stage} view` : `error ${m.code}`} at ${Math.round(m.type === 'preview' ? m.ms : performance.now() - picked)} ms (command at -${Math.round(picked - t0)} ms)`);
      post(m);
    }
  }

  return [
    vscode.commands.registerCommand(PREVIEW_COMMAND, (arg: unknown) => preview(arg)),
    { dispose: () => void kernel?.dispose() },
  ];
}
