// Insert Generated Code: into the active text editor at the cursor (replacing a selection), else into a
// new untitled Python document, with the prelude (imports, data loading) the target lacks. Returns the
// document written to.
import * as vscode from 'vscode';
import type { DataFileRead } from '../protocol/events';
import { preludeForTarget } from './code-prelude';

export async function insertCode(code: string, files: readonly DataFileRead[] = []): Promise<vscode.Uri> {
  const editor = vscode.window.activeTextEditor;
  const body = code.endsWith('\n') ? code : `${code}\n`;
  const target = editor && !isReadOnly(editor.document) ? editor.document : undefined;
  const text = preludeForTarget(body, files, target) + body;
  if (editor && target) {
    const ok = await editor.edit((b) => {
      for (const sel of editor.selections) b.replace(sel, text);
    });
    if (ok) {
      await vscode.window.showTextDocument(editor.document, editor.viewColumn);
      return editor.document.uri;
    }
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'python', content: text });
  await vscode.window.showTextDocument(doc);
  return doc.uri;
}

// Output panes and other non-file documents are not where code should go.
const isReadOnly = (doc: vscode.TextDocument) => !['file', 'untitled', 'vscode-remote', 'vscode-notebook-cell'].includes(doc.uri.scheme);
