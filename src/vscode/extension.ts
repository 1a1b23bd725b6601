// Extension entry point: wires the LLM service, the agent modes and the Python kernel into the chat
// controller, the sidebar view and the commands. Everything created here is disposed on deactivate
// (the kernel's Python process included: no orphans).
import { registerPreviewData } from './preview-data';
import * as vscode from 'vscode';
import { createKernel } from '../kernel';
import { closeLlmNetwork, configureLlmNetwork, createLlmService, VSCODE_KNOBS } from '../llm';
import { createApiKeys, type ApiKeys } from './api-keys';
import { ChatController, confirmRun } from './chat-controller';
import { registerChatParticipant } from './chat-participant';
import { ChatViewProvider } from './chat-view';
import { registerCommands } from './commands';
import { registerExportReport } from './export-report';
import { createDatabaseRegistry, registerDatabaseCommands, type DatabaseRegistry } from './databases';
import { createDataFileIndex, type DataFileIndex } from './data-files';
import { participantDatabases } from './participant-databases';
import { HistoryStore } from './history-store';
import { createVscodeLmProviderList, withVscodeLm } from './lm-provider';
import { disposeRadarmLog, radarmLog } from './log';
import { readSettings } from './settings';
import { workspaceKernel } from './workspace-kernel';

/** What activate() returns: used by the extension-host tests and open to other extensions. */
export interface RadarmApi {
  controller: ChatController;
  keys: ApiKeys;
  files: DataFileIndex;
  view: ChatViewProvider;
  history: HistoryStore;
  /** The workspace's database connections (tests; like `keys`, it reaches SecretStorage). */
  databases: DatabaseRegistry;
  /** The id of the @radarm chat participant, when this VS Code has the chat API. */
  chatParticipant?: string;
}

let controller: ChatController | undefined;

export function activate(context: vscode.ExtensionContext): RadarmApi {
  const settings = () => readSettings((k) => vscode.workspace.getConfiguration('radarm').get(k));

  applyNetworkSettings();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (['http.proxy', 'http.noProxy', 'http.proxyStrictSSL', 'radarm.poolSize'].some((s) => e.affectsConfiguration(s)))
        applyNetworkSettings();
      if (e.affectsConfiguration('radarm.providers')) reportProviderProblems();
      if (LIMIT_SETTINGS.some((k) => e.affectsConfiguration(k))) reportSettingProblems();
    }),
  );

  const version = String(context.extension.packageJSON?.version ?? '0');
  radarmLog().info(`Radarm ${version} activated in VS Code ${vscode.version}`);
  // vscode-lm providers (Copilot's models) go through vscode.lm, every other kind through the HTTP service.
  const llm = withVscodeLm(
    createLlmService({
      userAgent: `radarm-vscode/${version} (VS Code ${vscode.version})`,
      // Error messages name settings and commands here, never CLI flags.
      knobs: VSCODE_KNOBS,
      // Read per request, so a changed radarm.maxResponseMB applies from the next call.
      get maxResponseBytes() {
        return settings().maxResponseBytes;
      },
    }),
  );
  const vscodeLm = createVscodeLmProviderList();
  const keys = createApiKeys(context.secrets);
  const files = createDataFileIndex();
  const history = new HistoryStore(
    context.storageUri ?? context.globalStorageUri,
    () => ({ maxTurns: settings().historyLimit }),
    vscode.l10n.t('Interrupted: the window was reloaded or closed while this answer was running.'),
  );
  let view!: ChatViewProvider;
  const databases = createDatabaseRegistry(context.workspaceState, context.secrets);
  controller = new ChatController({ llm, createKernel, vscodeLm, databases }, history, keys, files, context.workspaceState, () =>
    view.uri('plotly.min.js'),
  );
  view = new ChatViewProvider(context.extensionUri, controller);
  ChatViewProvider.register(context, view);
  context.subscriptions.push(...registerCommands({ controller, view, keys, files }), files, vscodeLm);
  context.subscriptions.push(...registerDatabaseCommands(databases, controller));
  context.subscriptions.push(...registerPreviewData({ extensionUri: context.extensionUri, createKernel, pythonPath: () => settings().pythonPath, databases }));
  context.subscriptions.push(registerExportReport(controller, context.extensionUri));
  const chatParticipant = registerChatParticipant(context, {
    // The panel's kernel recipe: radarm.pythonPath, else the Python extension's interpreter, else PATH.
    createKernel: () => workspaceKernel(createKernel, settings, () => []),
    // The panel's connections: those chosen in its picker, else every one added to the workspace.
    databases: participantDatabases(databases, () => controller?.selectedFiles ?? []),
    settings: () => {
      const s = settings();
      return {
        defaultMode: s.defaultMode,
        maxRounds: s.maxRounds,
        stallTimeoutMs: s.stallTimeoutMs,
        timeoutMs: s.requestTimeoutMs,
        execTimeoutMs: s.executionTimeoutMs,
        stream: s.enableStream,
        confirmRun: s.confirmBeforeRunningCode ? confirmRun : undefined,
      };
    },
  });
  void vscode.commands.executeCommand('setContext', 'radarm.busy', false);
  void files.refresh();
  reportProviderProblems();
  reportSettingProblems();
  return { controller, keys, files, view, history, databases, chatParticipant: chatParticipant?.id };
}

export async function deactivate(): Promise<void> {
  const c = controller;
  controller = undefined;
  await c?.dispose();
  await closeLlmNetwork();
  disposeRadarmLog();
}

/** VS Code's proxy settings (and our pool size) → the LLM service's shared dispatcher. */
function applyNetworkSettings(): void {
  const http = vscode.workspace.getConfiguration('http');
  const noProxy = http.get<string[]>('noProxy') ?? [];
  configureLlmNetwork({
    proxy: http.get<string>('proxy') || undefined,
    noProxy: noProxy.length ? noProxy.join(',') : undefined,
    strictSSL: http.get<boolean>('proxyStrictSSL') !== false,
    connections: readSettings((k) => vscode.workspace.getConfiguration('radarm').get(k)).poolSize,
  });
}

const LIMIT_SETTINGS = ['radarm.requestTimeout', 'radarm.stallTimeout', 'radarm.poolSize', 'radarm.maxRounds', 'radarm.executionTimeout', 'radarm.historyLimit', 'radarm.maxResponseMB'];

/** A limit outside its range is refused (its default is used) and said once, with a way to fix it. */
function reportSettingProblems(): void {
  const { settingProblems } = readSettings((k) => vscode.workspace.getConfiguration('radarm').get(k));
  if (!settingProblems.length) return;
  const text = settingProblems
    .map((p) => vscode.l10n.t('{0} is {1}, outside {2} to {3}; Radarm uses {4}', p.setting, JSON.stringify(p.value), p.min, p.max, p.used))
    .join('; ');
  const open = vscode.l10n.t('Open Settings');
  void vscode.window.showWarningMessage(vscode.l10n.t('Radarm refused some settings: {0}.', text), open).then((picked) => {
    if (picked === open) void vscode.commands.executeCommand('workbench.action.openSettings', settingProblems[0].setting);
  });
}

function reportProviderProblems(): void {
  const { providerProblems } = readSettings((k) => vscode.workspace.getConfiguration('radarm').get(k));
  if (!providerProblems.length) return;
  const open = vscode.l10n.t('Open Settings');
  void vscode.window
    .showWarningMessage(vscode.l10n.t('Radarm ignored some entries of radarm.providers: {0}', providerProblems.join('; ')), open)
    .then((picked) => {
      if (picked === open) void vscode.commands.executeCommand('workbench.action.openSettings', 'radarm.providers');
    });
}
