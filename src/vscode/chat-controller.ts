// The chat's host side: holds the conversation (history + one Python kernel per chat), runs turns
// through the agent modes, streams their events to the webview in batches, persists history, and
// answers every (validated) message the webview posts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentContext, Mode, Turn } from '../agent/types';
import type { KernelOptions, PythonKernel } from '../kernel/types';
import type { LlmClient } from '../llm/types';
import { errorMessage, type RadarmEvent } from '../protocol/events';
import { coalesceEvents, type HostToWebview, type PanelState, type ProviderInfo, type TurnRecord, type WebviewToHost } from '../protocol/messages';
import { toLocale } from './webview-html';
import type { ApiKeys } from './api-keys';
import type { DataFileIndex } from './data-files';
import { createEventBatcher, type EventBatcher } from './event-batcher';
import { compactTurns } from './history-compact';
import { newConversationId, type Conversation, type HistoryStore } from './history-store';
import { completeOf } from './notebook';
import { dataFilesForCode, isGeneratedCode, preludeForTarget } from './code-prelude';
import { figureAction, webviewRoot } from './figure-actions';
import { pythonExtensionInterpreter } from './python-path';
import { readSettings, type ProviderSetting, type RadarmSettings } from './settings';
import { runToEnd } from './turn-runner';
import { isDatabaseEntry, type DatabaseRegistry } from './databases';
import { pickDefaultProvider } from '../llm/vscode-lm';

/** The services a turn needs; injected so that the wiring lives in extension.ts. */
export interface ChatServices {
  llm: LlmClient;
  runMode: (mode: Mode, ctx: AgentContext, question: string, signal?: AbortSignal) => AsyncIterable<RadarmEvent>;
  createKernel: (opts: KernelOptions) => PythonKernel;
  /** Database connections of this workspace (Radarm: Add Database); absent in tests that need none. */
  databases?: DatabaseRegistry;
  /** VS Code's language models (Copilot) as extra providers; absent or empty without them. */
  vscodeLm?: { readonly providers: readonly ProviderSetting[]; readonly onDidChange: vscode.Event<void> };
}

/** What the controller needs from the sidebar view. */
export interface ChatViewPort {
  /** Posts to the webview when it is live; false when it is hidden or not loaded (the message is dropped). */
  post(message: HostToWebview): boolean;
  /** Shows the panel (opens the sidebar container). */
  reveal(): Promise<void>;
}

interface RunningTurn {
  turn: TurnRecord;
  abort: AbortController;
  batcher: EventBatcher;
  finished: Promise<TurnRecord>;
}

/** Turns sent in `init`: the webview folds older ones, but the payload stays bounded. */
const INIT_TURNS = 200;

const t = vscode.l10n.t;

export class ChatController implements vscode.Disposable {
  private conversation: Conversation = emptyConversation();
  private running: RunningTurn | undefined;
  private kernel: PythonKernel | undefined;
  /** The kernel was created without KernelOptions.needsNetwork (no database server configured then). */
  private kernelWithoutNetwork = false;
  private view: ChatViewPort | undefined;
  private webviewReady = false;
  private readonly disposables: vscode.Disposable[] = [];
  private loaded: Promise<void>;

  constructor(
    private readonly services: ChatServices,
    private readonly store: HistoryStore,
    private readonly keys: ApiKeys,
    private readonly files: DataFileIndex,
    private readonly memento: vscode.Memento,
    private readonly plotlyUri: (view: ChatViewPort) => string,
  ) {
    this.loaded = this.restore();
    void this.refreshKeyed();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('radarm')) return;
        const reopen = e.affectsConfiguration('radarm.pythonPath') || e.affectsConfiguration('radarm.allowDatabaseWrites');
        if (reopen && !this.running) void this.disposeKernel();
        void this.postConfig();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.postConfig()),
      keys.onDidChange(() => void this.refreshKeyed().then(() => this.postConfig())),
      ...(services.vscodeLm ? [services.vscodeLm.onDidChange(() => void this.postConfig())] : []),
      files.onDidChange(() => this.postDataFiles()),
      ...(services.databases
        ? [
            services.databases.onDidChange(() => {
              this.postDataFiles();
              // A kernel started without network access (sandbox) cannot reach a newly added server.
              if (services.databases?.needsNetwork && this.kernelWithoutNetwork && !this.running) void this.disposeKernel();
            }),
          ]
        : []),
    );
  }

  // ------------------------------------------------------------------------------------------
  // State

  settings(): RadarmSettings {
    const cfg = vscode.workspace.getConfiguration('radarm');
    const s = readSettings((k) => cfg.get(k));
    const lm = this.services.vscodeLm?.providers ?? [];
    return lm.length ? { ...s, providers: [...s.providers, ...lm] } : s;
  }

  /** Ids of the configured providers that have a key stored (kept for the synchronous default choice). */
  private keyed = new Set<string>();
  private async refreshKeyed(): Promise<void> {
    const ids = this.settings().providers.filter((p) => p.kind !== 'vscode-lm').map((p) => p.id);
    const has = await Promise.all(ids.map(async (id) => !!(await this.keys.get(id))));
    this.keyed = new Set(ids.filter((_, i) => has[i]));
  }

  get turns(): readonly TurnRecord[] {
    return this.conversation.turns;
  }

  get conversationId(): string {
    return this.conversation.id;
  }

  /** Asks the user before generated code runs (radarm.confirmBeforeRunningCode); replaceable for tests. */
  confirmRunner: (code: string) => Promise<boolean> = confirmRun;

  /** The chat's Python process, once started (diagnostics and tests). */
  get kernelInfo(): PythonKernel['info'] {
    return this.kernel?.info;
  }

  get busy(): boolean {
    return !!this.running;
  }

  get mode(): Mode {
    const m = this.memento.get<Mode>('radarm.mode');
    return m === 'ask' || m === 'agent_single' || m === 'agent_multi' ? m : this.settings().defaultMode;
  }

  /** The chosen data files and database connections ("db:<name>") for the next question. */
  get selectedFiles(): string[] {
    return (this.memento.get<string[]>('radarm.selectedFiles') ?? []).filter((f) => this.knownSource(f));
  }

  /** A data file of the workspace, or a database connection (listed next to the files). */
  private knownSource(entry: string): boolean {
    return isDatabaseEntry(entry) ? !!this.services.databases?.entries.includes(entry) : !!this.files.resolve(entry);
  }

  private get availableSources(): string[] {
    return [...this.files.available, ...(this.services.databases?.entries ?? [])];
  }

  /**
   * The provider in use: the one picked in this workspace, else the default setting, else (no key stored
   * for any provider) a VS Code language model such as Copilot's, else the first.
   */
  provider(settings = this.settings()): ProviderSetting | undefined {
    const picked = this.memento.get<string>('radarm.providerId');
    const byId = (id?: string) => (id ? settings.providers.find((p) => p.id === id) : undefined);
    return (
      byId(picked) ??
      pickDefaultProvider({
        configured: settings.providers.filter((p) => p.kind !== 'vscode-lm'),
        vscodeLm: settings.providers.filter((p) => p.kind === 'vscode-lm'),
        defaultId: settings.defaultProvider,
        hasKey: (p) => this.keyed.has(p.id),
        needsKey: (p) => p.requiresKey,
      }) ??
      settings.providers[0]
    );
  }

  /** Code of the latest turn that produced some. */
  lastGeneratedCode(): string | undefined {
    for (let i = this.conversation.turns.length - 1; i >= 0; i--) {
      const code = completeOf(this.conversation.turns[i].events)?.generated_code;
      if (code) return code;
    }
    return undefined;
  }

  whenRestored(): Promise<void> {
    return this.loaded;
  }

  private async restore(): Promise<void> {
    try {
      const conv = await this.store.loadCurrent();
      if (conv && !this.conversation.turns.length) this.conversation = conv;
    } catch (err) {
      console.error('radarm: could not read the chat history:', errorMessage(err));
    }
  }

  // ------------------------------------------------------------------------------------------
  // The webview

  attachView(view: ChatViewPort | undefined): void {
    this.view = view;
    this.webviewReady = false;
  }

  /** Called when the webview goes away (hidden with retainContextWhenHidden off, or disposed). */
  webviewGone(): void {
    this.webviewReady = false;
  }

  private post(message: HostToWebview): boolean {
    return this.webviewReady && !!this.view?.post(message);
  }

  async handleMessage(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready': {
        await this.loaded;
        const state = await this.panelState();
        // From here on synchronous: the snapshot holds the running turn's events so far, so pending
        // batches are dropped, and later events go out as batches after init (none in between).
        state.turns = compactTurns(this.conversation.turns, { maxTurns: INIT_TURNS });
        state.busyTurnId = this.running?.turn.id ?? null;
        this.running?.batcher.discard();
        this.webviewReady = true;
        this.post({ type: 'init', state });
        void this.files.refresh();
        return;
      }
      case 'send':
        void this.runTurn(msg.text, msg.mode, msg.dataFiles);
        return;
      case 'cancel':
        this.stop();
        return;
      case 'retry': {
        const turn = this.conversation.turns.find((x) => x.id === msg.turnId);
        if (turn) void this.runTurn(turn.question, turn.mode, turn.dataFiles);
        return;
      }
      case 'regenerate':
      case 'editResend':
        void this.rerunFrom(msg.turnId, msg.type === 'editResend' ? msg.text : undefined);
        return;
      case 'figure':
        await figureAction(this.conversation.turns, msg, { webviewRoot: webviewRoot() });
        return;
      case 'insertCode':
        await vscode.commands.executeCommand('radarm.insertCode', msg.code);
        return;
      case 'copy':
        // A turn's code is copied with its prelude, so that it runs where it is pasted.
        await vscode.env.clipboard.writeText(
          isGeneratedCode(this.conversation.turns, msg.text)
            ? preludeForTarget(msg.text, dataFilesForCode(this.conversation.turns, msg.text)) + msg.text
            : msg.text,
        );
        return;
      case 'pickDataFiles':
        await vscode.commands.executeCommand('radarm.pickDataFiles');
        return;
      case 'addDatabase':
        await vscode.commands.executeCommand('radarm.addDatabase');
        return;
      case 'setDataFiles':
        await this.setSelectedFiles(msg.files);
        return;
      case 'setMode':
        await this.memento.update('radarm.mode', msg.mode);
        return;
      case 'setProvider':
        if (this.settings().providers.some((p) => p.id === msg.id)) {
          await this.memento.update('radarm.providerId', msg.id);
          await this.postConfig();
        }
        return;
      case 'newChat':
        await this.newChat();
        return;
      case 'setApiKey':
        await vscode.commands.executeCommand('radarm.setApiKey', msg.providerId ?? this.provider()?.id);
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', msg.query ?? 'radarm.');
        return;
      case 'openFile': {
        const uri = this.files.resolve(msg.path);
        if (uri) await vscode.commands.executeCommand('vscode.open', uri);
        return;
      }
      case 'exportNotebook':
        await vscode.commands.executeCommand('radarm.exportNotebook');
        return;
      case 'clearHistory':
        await vscode.commands.executeCommand('radarm.clearHistory');
        return;
    }
  }

  async panelState(): Promise<PanelState> {
    const settings = this.settings();
    return {
      locale: toLocale(vscode.env.language),
      turns: compactTurns(this.conversation.turns, { maxTurns: INIT_TURNS }),
      mode: this.mode,
      providers: await this.providerInfos(settings),
      providerId: this.provider(settings)?.id ?? '',
      dataFiles: { available: this.availableSources, selected: this.selectedFiles },
      busyTurnId: this.running?.turn.id ?? null,
      trusted: vscode.workspace.isTrusted,
      plotlyUri: this.view ? this.plotlyUri(this.view) : '',
    };
  }

  private async providerInfos(settings: RadarmSettings): Promise<ProviderInfo[]> {
    return Promise.all(
      settings.providers.map(async (p) => ({
        id: p.id,
        label: p.label,
        model: p.model,
        hasKey: !p.requiresKey || !!(await this.keys.get(p.id)),
      })),
    );
  }

  private async postConfig(): Promise<void> {
    if (!this.webviewReady) return;
    const settings = this.settings();
    this.post({
      type: 'config',
      config: {
        providers: await this.providerInfos(settings),
        providerId: this.provider(settings)?.id ?? '',
        trusted: vscode.workspace.isTrusted,
        locale: toLocale(vscode.env.language),
      },
    });
  }

  private postDataFiles(): void {
    this.post({ type: 'dataFiles', available: this.availableSources, selected: this.selectedFiles });
  }

  async setSelectedFiles(files: string[]): Promise<void> {
    await this.memento.update(
      'radarm.selectedFiles',
      files.filter((f) => this.knownSource(f)),
    );
    this.postDataFiles();
  }

  // ------------------------------------------------------------------------------------------
  // Turns

  /**
   * Runs a question (from the panel, Analyze Data or Retry). Resolves with the finished turn, or
   * undefined when another turn is still running (the panel is told so).
   */
  async runTurn(question: string, mode: Mode, dataFiles: string[]): Promise<TurnRecord | undefined> {
    await this.loaded;
    if (this.running) {
      this.post({ type: 'notice', level: 'warning', text: t('Radarm is still answering. Press Stop first.') });
      return undefined;
    }
    const settings = this.settings();
    const provider = this.provider(settings);
    const turn: TurnRecord = {
      id: `turn-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`,
      question,
      mode,
      dataFiles,
      events: [],
      startedAt: Date.now(),
      ...(provider ? { providerId: provider.id, model: provider.model } : {}),
    };
    const history = this.agentHistory();
    this.conversation.turns.push(turn);
    this.conversation.updatedAt = Date.now();
    const abort = new AbortController();
    const batcher = createEventBatcher((events) => this.post({ type: 'events', turnId: turn.id, events }));
    let finish!: (t: TurnRecord) => void;
    const finished = new Promise<TurnRecord>((r) => (finish = r));
    this.running = { turn, abort, batcher, finished };
    void vscode.commands.executeCommand('setContext', 'radarm.busy', true);
    this.post({ type: 'turnStart', turn: { ...turn, events: [] } });
    void this.save();

    try {
      const source = this.turnEvents(turn, settings, provider, history, abort.signal);
      const events = runToEnd(source, {
        signal: abort.signal,
        stoppedText: t('Stopped.'),
        noResultText: t('The analysis ended without a result.'),
      });
      let savedAt = Date.now();
      for await (const ev of events) {
        turn.events.push(ev);
        batcher.push(ev);
        // A long turn is saved as it goes, so a crash or reload keeps what had streamed.
        if (Date.now() - savedAt > 5000) {
          savedAt = Date.now();
          turn.events = coalesceEvents(turn.events);
          void this.save();
        }
      }
    } finally {
      turn.events = coalesceEvents(turn.events); // one event per stage run in memory, not one per token
      batcher.dispose();
      if (abort.signal.aborted) this.post({ type: 'turnEnd', turnId: turn.id, stopped: true });
      this.running = undefined;
      void vscode.commands.executeCommand('setContext', 'radarm.busy', false);
      this.conversation.updatedAt = Date.now();
      await this.save();
      finish(turn);
    }
    return turn;
  }

  /**
   * Regenerate / edit and resend: the conversation continues from that turn, so it and every later
   * turn leave the history (the model no longer sees them), then the question (edited) runs again.
   * The kernel's variables are not rolled back.
   */
  async rerunFrom(turnId: string, text?: string): Promise<TurnRecord | undefined> {
    await this.loaded;
    const i = this.conversation.turns.findIndex((x) => x.id === turnId);
    if (i < 0) return undefined;
    if (this.running) {
      this.post({ type: 'notice', level: 'warning', text: t('Radarm is still answering. Press Stop first.') });
      return undefined;
    }
    const turn = this.conversation.turns[i];
    this.conversation.turns.splice(i);
    if (this.webviewReady) this.post({ type: 'init', state: await this.panelState() });
    return this.runTurn(text ?? turn.question, turn.mode, turn.dataFiles);
  }

  /** The events of one turn, before the stream contract is enforced by runToEnd. */
  private async *turnEvents(
    turn: TurnRecord,
    settings: RadarmSettings,
    provider: ProviderSetting | undefined,
    history: Turn[],
    signal: AbortSignal,
  ): AsyncGenerator<RadarmEvent> {
    if (!provider) {
      yield { type: 'error', content: t('No LLM provider is configured. Add one in the setting radarm.providers.') };
      return;
    }
    const apiKey = await this.keys.get(provider.id);
    if (!apiKey && provider.requiresKey) {
      this.offerSetApiKey(provider, t('No API key is set for {0}. Run "Radarm: Set API Key" to add one.', provider.label));
      yield { type: 'error', content: t('No API key is set for {0}. Run "Radarm: Set API Key" to add one.', provider.label) };
      return;
    }
    if (turn.mode !== 'ask' && !vscode.workspace.isTrusted) {
      yield {
        type: 'error',
        content: t(
          'This workspace is in Restricted Mode, so Radarm will not run generated code here. Ask mode still works. To use the agent modes, trust this folder (command "Workspaces: Manage Workspace Trust").',
        ),
      };
      return;
    }
    const dataFiles: string[] = [];
    for (const d of turn.dataFiles) {
      if (isDatabaseEntry(d)) continue;
      const uri = this.files.resolve(d);
      if (!uri) {
        yield { type: 'error', content: t('The data file {0} is no longer in the workspace. Pick the data files again.', d) };
        return;
      }
      dataFiles.push(uri.fsPath);
    }
    const chosenDbs = turn.dataFiles.filter(isDatabaseEntry);
    const databases = (await this.services.databases?.resolve(chosenDbs)) ?? [];
    if (databases.length < chosenDbs.length) {
      yield { type: 'error', code: 'database', content: t('A chosen database connection no longer exists. Pick the data sources again, or run "Radarm: Add Database".') };
      return;
    }
    let kernel: PythonKernel | undefined;
    if (turn.mode !== 'ask') {
      try {
        kernel = await this.ensureKernel(settings, dataFiles);
      } catch (err) {
        yield { type: 'error', content: t('Could not start Python: {0}', errorMessage(err)) };
        return;
      }
    } else if ((dataFiles.length || databases.length) && vscode.workspace.isTrusted) {
      // Ask runs no generated code, but with a kernel its prompt gets a real data profile (columns,
      // types, samples). Without a usable Python it still answers from a plain-text preview.
      kernel = await this.ensureKernel(settings, dataFiles).catch(() => undefined);
    }
    const ctx: AgentContext = {
      llm: this.services.llm,
      provider,
      apiKey,
      kernel,
      dataFiles,
      ...(databases.length ? { databases } : {}),
      history,
      maxRounds: settings.maxRounds,
      stallTimeoutMs: settings.stallTimeoutMs,
      timeoutMs: settings.requestTimeoutMs,
      execTimeoutMs: settings.executionTimeoutMs,
      stream: settings.enableStream,
      locale: toLocale(vscode.env.language),
    };
    if (settings.confirmBeforeRunningCode) ctx.confirmRun = (code) => this.confirmRunner(code);
    for await (const ev of this.services.runMode(turn.mode, ctx, turn.question, signal)) {
      if (ev.type === 'error' && provider.kind !== 'vscode-lm' && looksLikeAuthError(ev.content)) {
        this.offerSetApiKey(provider, ev.content);
      }
      yield ev;
    }
  }

  private offerSetApiKey(provider: ProviderSetting, text: string): void {
    // The turn shows the error with its Set API Key button; a notification only when the panel is not there.
    if (this.webviewReady) return;
    const action = t('Set API Key');
    void vscode.window.showErrorMessage(text, action).then((picked) => {
      if (picked === action) void vscode.commands.executeCommand('radarm.setApiKey', provider.id);
    });
  }

  /** History for the agent: the finished turns of this chat (their question, reply, code, output). */
  private agentHistory(): Turn[] {
    const out: Turn[] = [];
    for (const turn of this.conversation.turns) {
      const data = completeOf(turn.events);
      if (data) out.push({ question: turn.question, reply: data.reply, code: data.generated_code, output: data.execution_result });
    }
    return out;
  }

  private async ensureKernel(settings: RadarmSettings, dataFiles: string[]): Promise<PythonKernel> {
    if (!this.kernel) {
      const folder =
        (dataFiles[0] && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dataFiles[0]))) ||
        vscode.workspace.workspaceFolders?.[0];
      const cwd = folder?.uri.fsPath ?? (dataFiles[0] ? path.dirname(dataFiles[0]) : process.cwd());
      const extensionPythonPath = settings.pythonPath ? undefined : await pythonExtensionInterpreter(folder?.uri);
      this.kernel = this.services.createKernel({
        ...(settings.pythonPath ? { pythonPath: settings.pythonPath } : {}),
        ...(extensionPythonPath ? { extensionPythonPath } : {}),
        cwd,
        execTimeoutMs: settings.executionTimeoutMs,
        sandbox: settings.sandbox,
        readablePaths: dataFiles,
        allowDbWrites: settings.allowDatabaseWrites,
        needsNetwork: this.services.databases?.needsNetwork ?? false,
      });
      this.kernelWithoutNetwork = !this.services.databases?.needsNetwork;
    }
    await this.kernel.start();
    return this.kernel;
  }

  /** Stop: cancels the LLM stream (the mode's signal) and interrupts the kernel. */
  stop(): boolean {
    if (!this.running) return false;
    this.running.abort.abort();
    this.kernel?.interrupt();
    return true;
  }

  /** Waits for the running turn, if any (tests, deactivate). */
  async idle(): Promise<void> {
    await this.running?.finished;
  }

  // ------------------------------------------------------------------------------------------
  // Conversations

  async newChat(): Promise<void> {
    await this.loaded;
    this.stop();
    await this.idle();
    await this.disposeKernel();
    this.conversation = emptyConversation();
    await this.store.setCurrent(null);
    this.post({ type: 'clear' });
  }

  async openConversation(id: string): Promise<boolean> {
    const conv = await this.store.load(id);
    if (!conv) return false;
    this.stop();
    await this.idle();
    await this.disposeKernel();
    this.conversation = conv;
    await this.store.setCurrent(id);
    if (this.webviewReady) this.post({ type: 'init', state: await this.panelState() });
    return true;
  }

  listConversations() {
    return this.store.list();
  }

  async clearHistory(): Promise<void> {
    this.stop();
    await this.idle();
    await this.disposeKernel();
    this.conversation = emptyConversation();
    await this.store.clear();
    this.post({ type: 'clear' });
  }

  private async save(): Promise<void> {
    if (!this.conversation.turns.length) return;
    try {
      await this.store.save(this.conversation);
    } catch (err) {
      console.error('radarm: could not save the chat history:', errorMessage(err));
    }
  }

  private async disposeKernel(): Promise<void> {
    const k = this.kernel;
    this.kernel = undefined;
    await k?.dispose().catch(() => {});
  }

  async dispose(): Promise<void> {
    this.stop();
    this.disposables.forEach((d) => d.dispose());
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, 2000))]);
    await this.disposeKernel();
    await this.store.flush();
  }
}

function emptyConversation(): Conversation {
  const now = Date.now();
  return { id: newConversationId(), title: '', createdAt: now, updatedAt: now, turns: [] };
}

/** 401/403 or an "invalid key" message: the user should be led to Set API Key. */
export function looksLikeAuthError(text: string): boolean {
  return /\b(401|403)\b|unauthori[sz]ed|invalid[ _-]?api[ _-]?key|incorrect api key|authentication/i.test(text);
}

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
