// The Radarm commands. Each takes optional arguments so that other extensions, keybindings and the
// tests can run it without its prompts; without them it asks through quick picks and input boxes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Mode } from '../agent/types';
import type { DataFileRead } from '../protocol/events';
import type { TurnRecord } from '../protocol/messages';
import { promptForApiKey, cleanApiKey, type ApiKeys } from './api-keys';
import type { ChatController, ChatViewPort } from './chat-controller';
import { DATA_EXCLUDE, DATA_GLOB, isDataFile, pickDataFiles, type DataFileIndex } from './data-files';
import { insertCode } from './insert-code';
import { conversationToNotebook } from './notebook';
import { exportTarget } from './export-target';
import { dataFilesForCode } from './code-prelude';

const t = vscode.l10n.t;

export interface CommandDeps {
  controller: ChatController;
  view: ChatViewPort;
  keys: ApiKeys;
  files: DataFileIndex;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { controller, view, keys, files } = deps;
  const reg = (id: string, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(id, fn);

  /** Runs a question on some data files in the panel; resolves with the finished turn. */
  async function analyze(uris: vscode.Uri[], question: string | undefined, mode?: Mode): Promise<TurnRecord | undefined> {
    const display = uris.map((u) => files.displayOf(u));
    // Chosen: Python starts and loads the data while the question is typed (and the model is asked).
    await controller.setSelectedFiles(display);
    if (question === undefined) {
      question = await vscode.window.showInputBox({
        title: t('Radarm: Analyze {0}', display.join(', ')),
        prompt: t('What do you want to know about the data? (English or Chinese)'),
        placeHolder: t('e.g. Which city sold the most? Plot monthly sales.'),
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : t('Type a question.')),
      });
      if (!question?.trim()) return undefined;
    }
    await view.reveal();
    return controller.runTurn(question.trim(), mode ?? controller.mode, display);
  }

  /** The data files and the folders holding data files among the explorer's selection; a folder without any: `empty`. */
  async function analyzable(items: readonly unknown[]): Promise<vscode.Uri[] | { empty: vscode.Uri }> {
    const out: vscode.Uri[] = [];
    for (const u of items) {
      if (!(u instanceof vscode.Uri)) continue;
      if (isDataFile(u)) out.push(u);
      else if (await isFolder(u)) {
        if (!(await folderHasData(u))) return { empty: u };
        out.push(u);
      }
    }
    return out;
  }

  return [
    // radarm.analyzeData([uri], [question], [mode]): without a file, a quick pick of the workspace's data files.
    reg('radarm.analyzeData', async (uri?: unknown, question?: unknown, mode?: unknown) => {
      let target = uri instanceof vscode.Uri ? uri : undefined;
      if (!target) {
        const picked = await pickDataFiles(files, { many: false });
        const resolved = picked?.[0] && files.resolve(picked[0]);
        if (!resolved) return undefined;
        target = resolved;
      }
      return analyze([target], typeof question === 'string' ? question : undefined, asMode(mode));
    }),
    // Explorer / editor-title context menu: the clicked file or folder, or every selected one. A folder is one
    // dataset of its part files, as `--data folder` and the picker's `folder/*.csv` entries.
    // radarm.analyzeFile(uri, [selected], [question]): with a question, no prompt.
    reg('radarm.analyzeFile', async (uri?: unknown, selected?: unknown, question?: unknown) => {
      const all = await analyzable(Array.isArray(selected) ? selected : [uri]);
      if ('empty' in all) {
        void vscode.window.showWarningMessage(t('No data files (CSV, TSV, Excel, Parquet, JSON) in the folder {0}.', files.displayOf(all.empty)));
        return undefined;
      }
      const fromEditor = vscode.window.activeTextEditor?.document.uri;
      if (!all.length && fromEditor && isDataFile(fromEditor)) all.push(fromEditor);
      if (!all.length) return vscode.commands.executeCommand('radarm.analyzeData');
      return analyze(all, typeof question === 'string' && question.trim() ? question : undefined);
    }),
    reg('radarm.pickDataFiles', async () => {
      const picked = await pickDataFiles(files, { many: true, selected: (await controller.panelState()).dataFiles.selected });
      if (picked) await controller.setSelectedFiles(picked);
      return picked;
    }),
    reg('radarm.newChat', async () => {
      await controller.newChat();
      await view.reveal();
    }),
    reg('radarm.stop', () => controller.stop()),
    // radarm.setApiKey([providerId], [key]): with a key, stores it without prompting.
    reg('radarm.setApiKey', async (providerId?: unknown, key?: unknown) => {
      // VS Code language models (Copilot) need no key.
      const providers = controller.settings().providers.filter((p) => p.kind !== 'vscode-lm');
      const id = typeof providerId === 'string' ? providerId : undefined;
      if (id && typeof key === 'string') {
        const clean = cleanApiKey(key);
        if (!providers.some((p) => p.id === id)) throw new Error(t('No provider with the id "{0}" in radarm.providers.', id));
        if (!clean) throw new Error(t('That is not an API key (it is empty or has spaces in it).'));
        await keys.set(id, clean);
        return id;
      }
      return promptForApiKey(keys, providers, id);
    }),
    // radarm.insertCode([code], [dataFiles]): the given code, else the latest code of this chat; read with the given
    // data_files (the @radarm Insert button passes its turn's), else those of the panel turn that made the code.
    reg('radarm.insertCode', async (code?: unknown, dataFiles?: unknown) => {
      const text = typeof code === 'string' && code ? code : controller.lastGeneratedCode();
      if (!text) {
        void vscode.window.showInformationMessage(t('This chat has no generated code yet.'));
        return undefined;
      }
      return insertCode(text, isDataFileReads(dataFiles) ? dataFiles : dataFilesForCode(controller.turns, text));
    }),
    // radarm.exportNotebook([targetUri]): without a target, a save dialog.
    reg('radarm.exportNotebook', async (target?: unknown) => {
      const turns = controller.turns;
      const uri = await exportTarget(turns.length, target, {
        prefix: 'radarm-',
        extension: 'ipynb',
        title: t('Export Conversation as Notebook'),
        filters: { [t('Jupyter Notebook')]: ['ipynb'] },
      });
      if (!uri) return undefined;
      const notebookDir = uri.scheme === 'file' ? path.dirname(uri.fsPath) : undefined;
      const nb = conversationToNotebook(turns, { title: turns[0].question.slice(0, 80), notebookDir });
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(nb, null, 1)));
      if (!(target instanceof vscode.Uri)) {
        try {
          await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(uri));
        } catch {
          await vscode.commands.executeCommand('vscode.open', uri);
        }
      }
      return uri;
    }),
    reg('radarm.openChat', async (id?: unknown) => {
      if (typeof id === 'string') return controller.openConversation(id);
      const items = (await controller.listConversations()).map((c) => ({
        label: c.title || t('(untitled chat)'),
        description: new Date(c.updatedAt).toLocaleString(vscode.env.language),
        detail: t('{0} turns', c.turns),
        id: c.id,
      }));
      if (!items.length) {
        void vscode.window.showInformationMessage(t('No earlier chats in this workspace.'));
        return false;
      }
      const picked = await vscode.window.showQuickPick(items, { title: t('Radarm: Open Previous Chat') });
      if (!picked) return false;
      await view.reveal();
      return controller.openConversation(picked.id);
    }),
    // radarm.clearHistory([true]): true skips the confirmation.
    reg('radarm.clearHistory', async (confirmed?: unknown) => {
      if (confirmed !== true) {
        const yes = t('Clear History');
        const picked = await vscode.window.showWarningMessage(
          t('Delete every Radarm chat of this workspace?'),
          { modal: true, detail: t('This cannot be undone. Export a chat as a notebook first to keep it.') },
          yes,
        );
        if (picked !== yes) return false;
      }
      await controller.clearHistory();
      return true;
    }),
  ];
}

const asMode = (m: unknown): Mode | undefined => (m === 'ask' || m === 'agent_single' || m === 'agent_multi' ? m : undefined);

async function isFolder(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) !== 0;
  } catch {
    return false;
  }
}

/** Whether the folder (or a folder inside it) holds a data file: the kernel reads its parts recursively. */
async function folderHasData(folder: vscode.Uri): Promise<boolean> {
  return (await vscode.workspace.findFiles(new vscode.RelativePattern(folder, DATA_GLOB), DATA_EXCLUDE, 1)).length > 0;
}

/** data_files as a complete event carries them (an argument from a chat button: checked, not trusted). */
function isDataFileReads(v: unknown): v is DataFileRead[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((f) => !!f && typeof f.path === 'string' && typeof f.key === 'string' && typeof f.read?.func === 'string' && typeof f.read?.kwargs === 'object')
  );
}
