// The VS Code host's words for what the engine reports as codes: preflight problems (naming the
// provider by its label, settings and commands by their names; never CLI flags) and the labels of the
// actions offered with an error.
import * as vscode from 'vscode';
import type { PreflightTexts } from '../engine/preflight';
import type { ErrorAction } from '../protocol/error-actions';

const t = vscode.l10n.t;

export const vscodePreflightTexts = (): PreflightTexts => ({
  no_provider: () => t('No LLM provider is configured. Add one in the setting radarm.providers.'),
  no_key: (p) => t('No API key is set for {0}. Run "Radarm: Set API Key" to add one.', p.provider.label ?? p.provider.id),
  untrusted: () =>
    t(
      'This workspace is in Restricted Mode, so Radarm will not run generated code here. Ask mode still works. To use the agent modes, trust this folder (command "Workspaces: Manage Workspace Trust").',
    ),
  data: (p) => t('The data file {0} is no longer in the workspace. Pick the data files again.', p.file),
  database: () => t('A chosen database connection no longer exists. Pick the data sources again, or run "Radarm: Add Database".'),
});

export function actionLabel(action: ErrorAction): string {
  switch (action.kind) {
    case 'setApiKey':
      return t('Set API Key');
    case 'retry':
      return t('Retry');
    case 'openSettings':
      return t('Open Settings');
    case 'showLog':
      return t('Show Log');
    case 'pickDataFiles':
      return t('Add Data Files');
  }
}
