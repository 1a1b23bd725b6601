// What each message from the panel's webview does: a table of small actions over the controller and
// VS Code commands. Messages arrive validated (protocol/message-parse.ts).
import * as vscode from 'vscode';
import type { WebviewToHost } from '../protocol/messages';
import type { Mode } from '../protocol/vocabulary';
import { radarmLog } from './log';

/** What the messages act on: the sidebar controller (chat-controller.ts), seen from here. */
export interface PanelActions {
  webviewLoaded(): Promise<void>;
  runTurn(question: string, mode: Mode, dataFiles: string[]): Promise<unknown>;
  stop(): boolean;
  retry(turnId: string): Promise<void>;
  rerunFrom(turnId: string, text?: string): Promise<unknown>;
  copyText(text: string): Thenable<void>;
  setSelectedFiles(files: string[]): Promise<void>;
  setMode(mode: Mode): Promise<void>;
  pickProvider(id: string): Promise<void>;
  newChat(): Promise<void>;
  provider(): { id: string } | undefined;
  figure(msg: Extract<WebviewToHost, { type: 'figure' }>): Promise<unknown>;
  resolveFile(name: string): vscode.Uri | undefined;
}

type Handlers = { [K in WebviewToHost['type']]: (c: PanelActions, msg: Extract<WebviewToHost, { type: K }>) => PromiseLike<unknown> | void };

const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand(command, ...args);

const HANDLERS: Handlers = {
  ready: (c) => c.webviewLoaded(),
  // Not awaited: a turn runs for a while, and the webview's next message (Stop) must get through.
  send: (c, m) => void c.runTurn(m.text, m.mode, m.dataFiles),
  cancel: (c) => void c.stop(),
  retry: (c, m) => void c.retry(m.turnId),
  insertCode: (_, m) => run('radarm.insertCode', m.code),
  copy: (c, m) => c.copyText(m.text),
  pickDataFiles: () => run('radarm.pickDataFiles'),
  showLog: () => radarmLog().show(true),
  addDatabase: () => run('radarm.addDatabase'),
  setDataFiles: (c, m) => c.setSelectedFiles(m.files),
  setMode: (c, m) => c.setMode(m.mode),
  setProvider: (c, m) => c.pickProvider(m.id),
  newChat: (c) => c.newChat(),
  setApiKey: (c, m) => run('radarm.setApiKey', m.providerId ?? c.provider()?.id),
  openSettings: (_, m) => run('workbench.action.openSettings', m.query ?? 'radarm.'),
  regenerate: (c, m) => void c.rerunFrom(m.turnId),
  editResend: (c, m) => void c.rerunFrom(m.turnId, m.text),
  figure: (c, m) => c.figure(m),
  openFile: (c, m) => {
    const uri = c.resolveFile(m.path);
    return uri && run('vscode.open', uri);
  },
  // A file chip resolves to its file; a dataset chip ("folder/*.csv") or a connection chip ("db:<name>") goes as it is.
  previewData: (c, m) => run('radarm.previewData', c.resolveFile(m.path) ?? m.path),
  exportNotebook: () => run('radarm.exportNotebook'),
  clearHistory: () => run('radarm.clearHistory'),
};

export async function handlePanelMessage(controller: PanelActions, msg: WebviewToHost): Promise<void> {
  const handler = HANDLERS[msg.type] as (c: PanelActions, m: WebviewToHost) => PromiseLike<unknown> | void;
  await handler(controller, msg);
}
