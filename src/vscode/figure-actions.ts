// What the panel's figure buttons do on the host: open a turn's figure full size in an editor tab
// (an image in VS Code's image preview; a chart in a webview with the full Plotly mode bar) and
// save it (PNG as it came from the kernel; a chart as self-contained HTML that needs no network).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FigureAction, FigureKind, TurnRecord } from '../protocol/messages';
import { chartHtml, chartTabHtml, decodeImage } from './figure-html';
import { completeOf } from './notebook';

const t = vscode.l10n.t;

export interface FigureHost {
  /** dist/webview, where plotly.min.js is. */
  webviewRoot: vscode.Uri;
  /** Asks where to save (replaceable in tests). */
  saveDialog?: (defaultUri: vscode.Uri, filters: Record<string, string[]>) => Thenable<vscode.Uri | undefined>;
}

export async function figureAction(
  turns: readonly TurnRecord[],
  msg: { turnId: string; kind: FigureKind; action: FigureAction },
  host: FigureHost,
): Promise<vscode.Uri | undefined> {
  const turn = turns.find((x) => x.id === msg.turnId);
  const data = turn && completeOf(turn.events);
  const source = msg.kind === 'image' ? data?.image : data?.plotly_json;
  if (!turn || !source) {
    void vscode.window.showWarningMessage(t('This figure is no longer in the conversation.'));
    return undefined;
  }
  const title = figureTitle(turn.question, msg.kind);
  try {
    if (msg.kind === 'image') return msg.action === 'open' ? await openImage(source, turn.id) : await saveImage(source, title, host);
    return msg.action === 'open' ? openChart(source, title, host) : await saveChart(source, title, host);
  } catch (err) {
    void vscode.window.showErrorMessage(t('The figure could not be saved or opened: {0}', err instanceof Error ? err.message : String(err)));
    return undefined;
  }
}

/** "Chart – Which region has the highest…" */
function figureTitle(question: string, kind: FigureKind): string {
  const q = question.replace(/\s+/g, ' ').trim();
  const short = q.length > 40 ? `${q.slice(0, 39)}…` : q;
  return `${kind === 'chart' ? t('Chart') : t('Figure')} – ${short}`;
}

/** A file name from the title: letters (any script), digits and dashes. */
const fileStem = (title: string) =>
  title.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'radarm-figure';

function defaultUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, name) : vscode.Uri.file(path.join(os.homedir(), name));
}

async function openImage(dataUrl: string, turnId: string): Promise<vscode.Uri> {
  const img = decodeImage(dataUrl);
  if (!img) throw new Error(t('the image is not a base64 data URL'));
  const dir = path.join(os.tmpdir(), 'radarm-figures');
  await mkdir(dir, { recursive: true });
  const uri = vscode.Uri.file(path.join(dir, `${turnId.replace(/[^\w-]/g, '_')}.${img.ext}`));
  await writeFile(uri.fsPath, img.bytes);
  await vscode.commands.executeCommand('vscode.open', uri, { preview: true });
  return uri;
}

async function saveImage(dataUrl: string, title: string, host: FigureHost): Promise<vscode.Uri | undefined> {
  const img = decodeImage(dataUrl);
  if (!img) throw new Error(t('the image is not a base64 data URL'));
  const ask = host.saveDialog ?? ((d, filters) => vscode.window.showSaveDialog({ defaultUri: d, filters }));
  const target = await ask(defaultUri(`${fileStem(title)}.${img.ext}`), { [img.ext.toUpperCase()]: [img.ext] });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, img.bytes);
  return target;
}

async function saveChart(json: string, title: string, host: FigureHost): Promise<vscode.Uri | undefined> {
  const ask = host.saveDialog ?? ((d, filters) => vscode.window.showSaveDialog({ defaultUri: d, filters }));
  const target = await ask(defaultUri(`${fileStem(title)}.html`), { HTML: ['html'] });
  if (!target) return undefined;
  const plotlyJs = await readFile(vscode.Uri.joinPath(host.webviewRoot, 'plotly.min.js').fsPath, 'utf8');
  await vscode.workspace.fs.writeFile(target, Buffer.from(chartHtml(json, plotlyJs, title), 'utf8'));
  return target;
}

function openChart(json: string, title: string, host: FigureHost): undefined {
  const panel = vscode.window.createWebviewPanel('radarm.figure', title, vscode.ViewColumn.Active, {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [host.webviewRoot],
  });
  const webview = panel.webview;
  webview.html = chartTabHtml(json, webview.asWebviewUri(vscode.Uri.joinPath(host.webviewRoot, 'plotly.min.js')).toString(), {
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('base64url'),
    title,
  });
  return undefined;
}

/** dist/webview of this extension (the bundle runs from dist/extension.js). */
export function webviewRoot(): vscode.Uri {
  const ext = vscode.extensions.getExtension('radarm.radarm');
  return ext ? vscode.Uri.joinPath(ext.extensionUri, 'dist', 'webview') : vscode.Uri.file(path.join(__dirname, 'webview'));
}
