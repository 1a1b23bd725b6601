// The sidebar's adapter over the conversation engine: one engine Session per chat (history, kernel,
// preflight, cancellation live there), the panel's stored conversation (TurnRecords with their events),
// event batches to the webview, and the answers to every (validated) message the webview posts.
import { createMentionPoster } from './mention-poster';
import * as vscode from 'vscode';
import type { Mode } from '../agent/types';
import { turnFromEvents } from '../engine/conversation-history';
import { createSession, type Session, type TurnRequest } from '../engine/session';
import type { PythonKernel } from '../kernel/types';
import { errorMessage } from '../protocol/events';
import { type HostToWebview, type PanelState, type TurnRecord, type WebviewToHost } from '../protocol/messages';
import { toLocale } from '../protocol/vocabulary';
import type { ApiKeys } from './api-keys';
import { confirmRun } from './confirm-run';
import type { DataFileIndex } from './data-files';
import { reportTurnError } from './error-report';
import { createEventBatcher, type EventBatcher } from './event-batcher';
import { figureAction, webviewRoot } from './figure-actions';
import { handlePanelMessage } from './panel-messages';
import { newTurnRecord, recordTurn, turnSettings } from './panel-turn';
import { compactTurns } from './history-compact';
import { newConversationId, type Conversation, type HistoryStore } from './history-store';
import { vscodePreflightTexts } from './host-texts';
import { radarmLog, sessionLogger } from './log';
import { lastGeneratedCode } from './notebook';
import { ProviderChoice } from './provider-choice';
import { SourceChoice } from './source-choice';
import type { ProviderSetting, RadarmSettings } from './settings';
import { dataFilesForCode, isGeneratedCode, preludeForTarget } from './code-prelude';
import { runToEnd } from './turn-runner';
import { workspaceKernel } from './workspace-kernel';
import type { ChatServices, ChatViewPort } from './chat-ports';

export { confirmRun };

export type { ChatServices, ChatViewPort };

interface RunningTurn {
  record: TurnRecord;
  abort: AbortController;
  batcher: EventBatcher;
  finished: Promise<TurnRecord>;
}

/** Turns sent in `init`: the webview folds older ones, but the payload stays bounded. */
const INIT_TURNS = 200;

const t = vscode.l10n.t;

export class ChatController implements vscode.Disposable {
  private conversation: Conversation = emptyConversation();
  private session: Session;
  private running: RunningTurn | undefined;
  private view: ChatViewPort | undefined;
  private webviewReady = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly providers: ProviderChoice;
  private readonly sources: SourceChoice;
  private loaded: Promise<void>;
  private readonly mentions = createMentionPoster((m) => this.post(m));
  /** The kernel was created without KernelOptions.needsNetwork (no database server configured then). */
  private kernelWithoutNetwork = false;

  constructor(
    private readonly services: ChatServices,
    private readonly store: HistoryStore,
    keys: ApiKeys,
    private readonly files: DataFileIndex,
    private readonly memento: vscode.Memento,
    private readonly plotlyUri: (view: ChatViewPort) => string,
  ) {
    this.sources = new SourceChoice(files, services.databases, memento);
    this.providers = new ProviderChoice(keys, memento, services.vscodeLm);
    this.session = this.newSession();
    this.loaded = this.restore();
    void this.providers.refreshKeyed();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('radarm')) return;
        const reopen = e.affectsConfiguration('radarm.pythonPath') || e.affectsConfiguration('radarm.allowDatabaseWrites');
        if (reopen && !this.running) void this.session.resetKernel();
        void this.postConfig();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.postConfig()),
      keys.onDidChange(() => void this.providers.refreshKeyed().then(() => this.postConfig())),
      ...(services.vscodeLm ? [services.vscodeLm.onDidChange(() => void this.postConfig())] : []),
      files.onDidChange(() => this.postDataFiles()),
      ...(services.databases
        ? [
            services.databases.onDidChange(() => {
              this.postDataFiles();
              // A kernel started without network access (sandbox) cannot reach a newly added server.
              if (services.databases?.needsNetwork && this.kernelWithoutNetwork && !this.running) void this.session.resetKernel();
            }),
          ]
        : []),
    );
  }

  // ------------------------------------------------------------------------------------------
  // State

  settings(): RadarmSettings {
    return this.providers.settings();
  }

  provider(settings = this.settings()): ProviderSetting | undefined {
    return this.providers.current(settings);
  }

  get turns(): readonly TurnRecord[] {
    return this.conversation.turns;
  }

  get conversationId(): string {
    return this.conversation.id;
  }

  /** The engine session of the current chat (tests, diagnostics). */
  get engine(): Session {
    return this.session;
  }

  /** Asks the user before generated code runs (radarm.confirmBeforeRunningCode); replaceable for tests. */
  confirmRunner: (code: string) => Promise<boolean> = confirmRun;

  /** The chat's Python process, once started (diagnostics and tests). */
  get kernelInfo(): PythonKernel['info'] {
    return this.session.kernel?.info;
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
    return this.sources.selected;
  }

  /** Code of the latest turn that produced some. */
  lastGeneratedCode(): string | undefined {
    return lastGeneratedCode(this.conversation.turns);
  }

  whenRestored(): Promise<void> {
    return this.loaded;
  }

  private async restore(): Promise<void> {
    try {
      const conv = await this.store.loadCurrent();
      if (conv && !this.conversation.turns.length) this.useConversation(conv);
    } catch (err) {
      radarmLog().error(`Could not read the chat history: ${errorMessage(err)}`);
    }
  }

  /** A session for the current conversation, with the model's history rebuilt from its stored turns. */
  private newSession(): Session {
    const history = this.conversation.turns.flatMap((r) => turnFromEvents(r.question, r.events) ?? []);
    const session: Session = createSession({
      llm: this.services.llm,
      history,
      keepTurns: Math.max(50, this.settings().historyLimit),
      createKernel: () =>
        workspaceKernel(this.services.createKernel, () => this.settings(), () => session.dataFiles, () => {
          const needsNetwork = this.services.databases?.needsNetwork ?? false;
          this.kernelWithoutNetwork = !needsNetwork;
          return { needsNetwork };
        }),
      texts: vscodePreflightTexts(),
      log: sessionLogger('[chat]'),
    });
    return session;
  }

  private useConversation(conv: Conversation): void {
    this.conversation = conv;
    this.session.setHistory(this.conversation.turns.flatMap((r) => turnFromEvents(r.question, r.events) ?? []));
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

  /** A message from the webview (already validated); see panel-messages.ts. */
  handleMessage(msg: WebviewToHost): Promise<void> {
    return handlePanelMessage(this, msg);
  }

  /** The webview (re)loaded: it gets the whole state, the running turn's events so far included. */
  async webviewLoaded(): Promise<void> {
    await this.loaded;
    const state = await this.panelState();
    // From here on synchronous: the snapshot holds the running turn's events so far, so pending
    // batches are dropped, and later events go out as batches after init (none in between).
    state.turns = compactTurns(this.conversation.turns, { maxTurns: INIT_TURNS });
    state.busyTurnId = this.running?.record.id ?? null;
    this.running?.batcher.discard();
    this.webviewReady = true;
    this.post({ type: 'init', state });
    this.postMentionSources();
    void this.files.refresh();
  }

  async setMode(mode: Mode): Promise<void> {
    await this.memento.update('radarm.mode', mode);
  }

  async pickProvider(id: string): Promise<void> {
    if (await this.providers.pick(id)) await this.postConfig();
  }

  /** A workspace data file by its display name, when it still exists. */
  resolveFile(name: string): vscode.Uri | undefined {
    return this.files.resolve(name);
  }

  async panelState(): Promise<PanelState> {
    const settings = this.settings();
    return {
      locale: toLocale(vscode.env.language),
      turns: compactTurns(this.conversation.turns, { maxTurns: INIT_TURNS }),
      mode: this.mode,
      providers: await this.providers.infos(settings),
      providerId: this.provider(settings)?.id ?? '',
      dataFiles: { available: this.sources.available, selected: this.selectedFiles },
      busyTurnId: this.running?.record.id ?? null,
      trusted: vscode.workspace.isTrusted,
      plotlyUri: this.view ? this.plotlyUri(this.view) : '',
    };
  }

  private async postConfig(): Promise<void> {
    if (!this.webviewReady) return;
    const settings = this.settings();
    this.post({
      type: 'config',
      config: {
        providers: await this.providers.infos(settings),
        providerId: this.provider(settings)?.id ?? '',
        trusted: vscode.workspace.isTrusted,
        locale: toLocale(vscode.env.language),
      },
    });
  }

  private postDataFiles(): void {
    this.post({ type: 'dataFiles', available: this.sources.available, selected: this.selectedFiles });
    this.postMentionSources();
  }

  /** Column names of the selected files, for the composer's @ completion (mention-sources.ts). */
  private postMentionSources(): void {
    const files = this.selectedFiles.flatMap((f) => {
      const uri = this.resolveFile(f);
      return uri ? [{ display: f, path: uri.fsPath }] : [];
    });
    const chosen = this.selectedFiles;
    void this.mentions.update({ files, databases: async () => (await this.sources.databasesOf(chosen)).sources, pythonPath: this.settings().pythonPath });
  }

  /** Chooses the data files; Python starts and loads them at once (trusted workspaces), ahead of the question. */
  async setSelectedFiles(files: string[]): Promise<void> {
    const chosen = await this.sources.choose(files);
    this.postDataFiles();
    if (!this.running) {
      this.session.setDatabases((await this.sources.databasesOf(chosen)).sources);
      const paths = this.sources.dataFiles(chosen).flatMap((f) => f.path ?? []);
      this.session.setDataFiles(paths, { warmUp: vscode.workspace.isTrusted });
    }
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
    const record = newTurnRecord(question, mode, dataFiles, provider);
    this.conversation.turns.push(record);
    this.conversation.updatedAt = Date.now();
    const abort = new AbortController();
    const batcher = createEventBatcher((events) => this.post({ type: 'events', turnId: record.id, events }));
    let finish!: (t: TurnRecord) => void;
    const finished = new Promise<TurnRecord>((r) => (finish = r));
    this.running = { record, abort, batcher, finished };
    void vscode.commands.executeCommand('setContext', 'radarm.busy', true);
    this.post({ type: 'turnStart', turn: { ...record, events: [] } });
    void this.save();

    try {
      Object.assign(this.session.options, turnSettings(settings, toLocale(vscode.env.language), (code) => this.confirmRunner(code)));
      const request: TurnRequest = {
        question,
        mode,
        provider,
        apiKey: await this.providers.apiKey(provider),
        trusted: vscode.workspace.isTrusted,
        dataFiles: this.sources.dataFiles(dataFiles),
        databases: await this.sources.databasesOf(dataFiles),
      };
      const events = runToEnd(this.session.send(request, abort.signal), {
        signal: abort.signal,
        stoppedText: t('Stopped.'),
        noResultText: t('The analysis ended without a result.'),
      });
      await recordTurn(events, record, {
        seen: (ev) => {
          batcher.push(ev);
          if (ev.type === 'error')
            reportTurnError(ev, { panelVisible: this.webviewReady, providerId: provider?.id, retry: () => void this.retry(record.id) });
        },
        save: () => void this.save(),
      });
    } finally {
      batcher.dispose();
      if (abort.signal.aborted) this.post({ type: 'turnEnd', turnId: record.id, stopped: true });
      this.running = undefined;
      void vscode.commands.executeCommand('setContext', 'radarm.busy', false);
      this.conversation.updatedAt = Date.now();
      await this.save();
      finish(record);
    }
    return record;
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
    this.useConversation(this.conversation); // the engine's history follows the shortened conversation
    if (this.webviewReady) this.post({ type: 'init', state: await this.panelState() });
    return this.runTurn(text ?? turn.question, turn.mode, turn.dataFiles);
  }

  /** A turn's figure: open it full size, or save it. */
  figure(msg: Extract<WebviewToHost, { type: 'figure' }>): Promise<unknown> {
    return figureAction(this.conversation.turns, msg, { webviewRoot: webviewRoot() });
  }

  /** Copies text to the clipboard; a turn's code goes with its prelude, so that it runs where it is pasted. */
  copyText(text: string): Thenable<void> {
    const turns = this.conversation.turns;
    return vscode.env.clipboard.writeText(
      isGeneratedCode(turns, text) ? preludeForTarget(text, dataFilesForCode(turns, text)) + text : text,
    );
  }

  /** Runs a turn's question again (the Retry action). */
  async retry(turnId: string): Promise<void> {
    const turn = this.conversation.turns.find((x) => x.id === turnId);
    if (turn) await this.runTurn(turn.question, turn.mode, turn.dataFiles);
  }

  /** Stop: cancels the LLM stream and interrupts the kernel. */
  stop(): boolean {
    if (!this.running) return false;
    this.running.abort.abort();
    this.session.stop();
    return true;
  }

  /** Waits for the running turn, if any (tests, deactivate). */
  async idle(): Promise<void> {
    await this.running?.finished;
  }

  // ------------------------------------------------------------------------------------------
  // Conversations: each has its own session, so a new or reopened chat ends the previous Python process.

  private async replaceSession(conv: Conversation): Promise<void> {
    this.stop();
    await this.idle();
    const old = this.session;
    this.conversation = conv;
    this.session = this.newSession();
    await old.dispose().catch(() => {});
  }

  async newChat(): Promise<void> {
    await this.loaded;
    await this.replaceSession(emptyConversation());
    await this.store.setCurrent(null);
    this.post({ type: 'clear' });
  }

  async openConversation(id: string): Promise<boolean> {
    const conv = await this.store.load(id);
    if (!conv) return false;
    await this.replaceSession(conv);
    await this.store.setCurrent(id);
    if (this.webviewReady) this.post({ type: 'init', state: await this.panelState() });
    return true;
  }

  listConversations() {
    return this.store.list();
  }

  async clearHistory(): Promise<void> {
    await this.replaceSession(emptyConversation());
    await this.store.clear();
    this.post({ type: 'clear' });
  }

  private async save(): Promise<void> {
    if (!this.conversation.turns.length) return;
    try {
      await this.store.save(this.conversation);
    } catch (err) {
      radarmLog().error(`Could not save the chat history: ${errorMessage(err)}`);
    }
  }

  async dispose(): Promise<void> {
    this.stop();
    this.disposables.forEach((d) => d.dispose());
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, 2000))]);
    await this.session.dispose().catch(() => {});
    await this.store.flush();
  }
}

function emptyConversation(): Conversation {
  const now = Date.now();
  return { id: newConversationId(), title: '', createdAt: now, updatedAt: now, turns: [] };
}
