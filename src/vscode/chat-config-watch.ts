// What the sidebar chat follows while it lives: settings, workspace trust, API keys, VS Code's language
// models, data files and database connections. Changes are re-posted to the panel, and the chat's
// Python process is restarted when it can no longer serve the new settings.
import * as vscode from 'vscode';
import type { ApiKeys } from './api-keys';
import type { ChatServices } from './chat-ports';
import type { DataFileIndex } from './data-files';
import type { PanelPoster } from './panel-poster';
import type { ProviderChoice } from './provider-choice';

export interface ChatConfigWatch {
  keys: ApiKeys;
  files: DataFileIndex;
  services: ChatServices;
  providers: ProviderChoice;
  poster: Pick<PanelPoster, 'postConfig' | 'postDataFiles'>;
  /** True while a turn runs: the kernel is then left alone. */
  busy(): boolean;
  /** The current kernel was started without network access (no database server configured then). */
  kernelWithoutNetwork(): boolean;
  /** Ends the chat's Python process; the next turn starts a new one. */
  resetKernel(): Promise<void>;
}

export function watchChatConfig(w: ChatConfigWatch): vscode.Disposable[] {
  const { services } = w;
  return [
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('radarm')) return;
      const reopen = e.affectsConfiguration('radarm.pythonPath') || e.affectsConfiguration('radarm.allowDatabaseWrites');
      if (reopen && !w.busy()) void w.resetKernel();
      void w.poster.postConfig();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void w.poster.postConfig()),
    w.keys.onDidChange(() => void w.providers.refreshKeyed().then(() => w.poster.postConfig())),
    ...(services.vscodeLm ? [services.vscodeLm.onDidChange(() => void w.poster.postConfig())] : []),
    w.files.onDidChange(() => w.poster.postDataFiles()),
    ...(services.databases
      ? [
          services.databases.onDidChange(() => {
            w.poster.postDataFiles();
            // A kernel started without network access (sandbox) cannot reach a newly added server.
            if (services.databases?.needsNetwork && w.kernelWithoutNetwork() && !w.busy()) void w.resetKernel();
          }),
        ]
      : []),
  ];
}
