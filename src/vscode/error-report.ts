// A failed turn is shown once: in the turn, where the panel renders its actions from the error code.
// Only when the panel is hidden (the question came from the palette or the explorer and the sidebar is
// closed) does a notification carry the same text and actions. Every failure also goes to the log.
import * as vscode from 'vscode';
import { errorActions, type ErrorAction } from '../protocol/error-actions';
import type { ErrorEvent } from '../protocol/events';
import { actionLabel } from './host-texts';
import { radarmLog } from './log';

export interface ErrorReportContext {
  /** The panel shows the turn right now. */
  panelVisible: boolean;
  providerId?: string;
  retry: () => void;
}

export function reportTurnError(ev: ErrorEvent, ctx: ErrorReportContext): void {
  if (ev.code === 'cancelled') return;
  radarmLog().error(`Turn failed (${ev.code ?? 'internal'}): ${ev.content}`);
  if (ctx.panelVisible) return;
  const actions = errorActions(ev.code);
  const labels = actions.map(actionLabel);
  void vscode.window.showErrorMessage(ev.content, ...labels).then((picked) => {
    const action = actions[labels.indexOf(picked ?? '')];
    if (action) runErrorAction(action, ctx);
  });
}

export function runErrorAction(action: ErrorAction, ctx: Pick<ErrorReportContext, 'providerId' | 'retry'>): void {
  switch (action.kind) {
    case 'setApiKey':
      void vscode.commands.executeCommand('radarm.setApiKey', ctx.providerId);
      return;
    case 'retry':
      ctx.retry();
      return;
    case 'openSettings':
      void vscode.commands.executeCommand('workbench.action.openSettings', action.query);
      return;
    case 'pickDataFiles':
      void vscode.commands.executeCommand('radarm.pickDataFiles');
      return;
    case 'showLog':
      radarmLog().show(true);
      return;
  }
}
