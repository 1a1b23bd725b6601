// Where an export (notebook, report) goes: the command's target URI, or a save dialog in the workspace folder;
// nothing when there is no conversation yet (said once) or the dialog is cancelled.
import * as vscode from 'vscode';

const t = vscode.l10n.t;

export interface ExportDialog {
  /** The file name offered, before the date: `radarm-report-` → `radarm-report-2026-11-29.html`. */
  prefix: string;
  extension: string;
  title: string;
  filters: Record<string, string[]>;
}

export async function exportTarget(turnCount: number, target: unknown, dialog: ExportDialog): Promise<vscode.Uri | undefined> {
  if (!turnCount) {
    void vscode.window.showInformationMessage(t('There is no conversation to export yet.'));
    return undefined;
  }
  if (target instanceof vscode.Uri) return target;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `${dialog.prefix}${new Date().toISOString().slice(0, 10)}.${dialog.extension}`;
  return vscode.window.showSaveDialog({
    title: dialog.title,
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: dialog.filters,
  });
}
