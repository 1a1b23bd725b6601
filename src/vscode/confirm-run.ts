// The modal "Run this code?" (radarm.confirmBeforeRunningCode), showing the code before it runs.
import * as vscode from 'vscode';

const t = vscode.l10n.t;

export async function confirmRun(code: string): Promise<boolean> {
  const run = t('Run');
  const lines = code.split('\n');
  const detail = lines.length > 40 ? `${lines.slice(0, 40).join('\n')}\n… (${lines.length - 40} more lines)` : code;
  try {
    const picked = await vscode.window.showWarningMessage(t('Run this code?'), { modal: true, detail }, run);
    return picked === run;
  } catch {
    return false; // no dialog could be shown (e.g. VS Code refuses modals during tests): do not run
  }
}
