// Insert and Copy hand out code that runs on its own: the prelude (imports and the data read as the
// kernel read it) goes in front unless the target already has it. Paths are written relative to where
// the code will run: a notebook's folder for a notebook cell, else the workspace folder (VS Code runs
// Python files from there by default).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DataFileRead } from '../protocol/events';
import { dataFilesForCode, isGeneratedCode, preludeFor } from '../agent/prelude';

export { dataFilesForCode, isGeneratedCode };

const workspaceDir = (uri?: vscode.Uri) =>
  (uri && vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath) ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

/** The prelude for `code` inserted into `doc` (undefined: a new untitled file; copy: the clipboard). */
export function preludeForTarget(code: string, files: readonly DataFileRead[], doc?: vscode.TextDocument): string {
  if (doc?.uri.scheme === 'vscode-notebook-cell') {
    const nb = vscode.workspace.notebookDocuments.find((n) => n.getCells().some((c) => c.document === doc));
    const existing = nb?.getCells().map((c) => c.document.getText()).join('\n') ?? doc.getText();
    const baseDir = nb && nb.uri.scheme === 'file' ? path.dirname(nb.uri.fsPath) : workspaceDir(nb?.uri);
    return preludeFor(code, files, { existing, baseDir });
  }
  return preludeFor(code, files, { existing: doc?.getText(), baseDir: workspaceDir(doc?.uri) });
}

/** What Copy puts on the clipboard: a turn's code goes with its prelude, so that it runs where it is pasted. */
export function clipboardText(turns: Parameters<typeof isGeneratedCode>[0], text: string): string {
  return isGeneratedCode(turns, text) ? preludeForTarget(text, dataFilesForCode(turns, text)) + text : text;
}
