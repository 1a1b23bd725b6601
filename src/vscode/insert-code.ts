// Insert Generated Code: into the active text editor at the cursor (replacing a selection), else into a
// new untitled Python document. Returns the document written to.
import * as vscode from 'vscode';

export async function insertCode(code: string): Promise<vscode.Uri> {
  const editor = vscode.window.activeTextEditor;
  const text = code.endsWith('\n') ? code : `${code}\n`;
  if (editor && !isReadOnly(editor.document)) {
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
