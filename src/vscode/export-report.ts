// "Radarm: Export Report": the current conversation as one self-contained HTML file (charts, tables, folded
// code; opens offline in any browser) or as Markdown, chosen by the file's extension in the save dialog.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildReport, reportFormatOf } from '../report';
import type { ChatController } from './chat-controller';
import { exportTarget } from './export-target';

const t = vscode.l10n.t;

/** radarm.exportReport([targetUri]): without a target, a save dialog; afterwards an offer to open it. */
export function registerExportReport(controller: ChatController, extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.commands.registerCommand('radarm.exportReport', async (target?: unknown) => {
    const turns = controller.turns;
    const uri = await exportTarget(turns.length, target, {
      prefix: 'radarm-report-',
      extension: 'html',
      title: t('Export Conversation as Report'),
      filters: { [t('HTML report (self-contained)')]: ['html'], [t('Markdown')]: ['md'] },
    });
    if (!uri) return undefined;
    const format = reportFormatOf(uri.path) ?? 'html';
    const text = await buildReport(format, turns, {
      locale: vscode.env.language,
      ...(uri.scheme === 'file' ? { baseDir: path.dirname(uri.fsPath) } : {}),
      loadPlotly: async () =>
        new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'plotly.min.js'))),
    });
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    if (!(target instanceof vscode.Uri)) {
      const open = format === 'html' ? t('Open in Browser') : t('Open');
      void vscode.window.showInformationMessage(t('Report saved: {0}', vscode.workspace.asRelativePath(uri)), open).then((picked) => {
        if (picked !== open) return;
        if (format === 'html') void vscode.env.openExternal(uri);
        else void vscode.commands.executeCommand('vscode.open', uri);
      });
    }
    return uri;
  });
}
