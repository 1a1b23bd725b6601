// Insert and Copy hand out code that runs on its own: the prelude (imports and the data read as the
// kernel read it) goes in front unless the target already has it. Paths are written relative to where
// the code will run: a notebook's folder for a notebook cell, else the workspace folder (VS Code runs
// Python files from there by default).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DataFileRead } from '../protocol/events';
import type { TurnRecord } from '../protocol/messages';
import { preludeFor } from '../agent/prelude';
import { completeOf } from '../agent/notebook';

/** The data files the turn that produced `code` ran on (else the latest turn's that recorded some). */
export function dataFilesForCode(turns: readonly TurnRecord[], code: string): DataFileRead[] {
  const completes = turns.map((t) => completeOf(t.events));
  const own = completes.find((d) => d?.generated_code?.trim() === code.trim() && d.data_files?.length);
  if (own) return own.data_files!;
  for (let i = completes.length - 1; i >= 0; i--) if (completes[i]?.data_files?.length) return completes[i]!.data_files!;
  return [];
}

/** Whether `text` is the code of one of the turns (Copy of a code block vs. Copy of an answer). */
export function isGeneratedCode(turns: readonly TurnRecord[], text: string): boolean {
  return turns.some((t) => completeOf(t.events)?.generated_code?.trim() === text.trim());
}

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
