// The sidebar's adapter over the conversation engine: one engine Session per chat (history, kernel,
// preflight, cancellation live there), the running turn, and the answers to every (validated) message
// the webview posts. Beside it: chat-conversation.ts (new / open / clear / save), panel-poster.ts (what
// the webview is sent) and chat-config-watch.ts (the settings and sources it follows).
import * as vscode from 'vscode';
import type { Mode, HistoryEntry } from '../agent/types';
import type { Session } from '../engine/session';
import type { PythonKernel } from '../kernel/types';
import { type PanelState, type TurnRecord, type WebviewToHost } from '../protocol/messages';
import { toLocale } from '../protocol/vocabulary';
import type { ApiKeys } from './api-keys';
import { ChatConversation } from './chat-conversation';
import { createChatSession } from './chat-session';
import { watchChatConfig } from './chat-config-watch';
import { confirmRun } from './confirm-run';
import type { DataFileIndex } from './data-files';
import { reportTurnError } from './error-report';
import { startRunningTurn, type RunningTurn } from './running-turn';
import { figureAction, webviewRoot } from './figure-actions';
import { handlePanelMessage, type PanelActions } from './panel-messages';
import { PanelPoster } from './panel-poster';
import { newTurnRecord, panelTurnRequest, recordTurn, turnSettings } from './panel-turn';
import type { HistoryStore } from './history-store';
import { lastGeneratedCode } from './notebook';
import { ProviderChoice } from './provider-choice';
import { SourceChoice } from './source-choice';
import type { ProviderSetting, RadarmSettings } from './settings';
import { clipboardText } from './code-prelude';
import { runToEnd } from './turn-runner';
import type { ChatServices, ChatViewPort } from './chat-ports';

export { confirmRun };

export type { ChatServices, ChatViewPort };

const t = vscode.l10n.t;

export class ChatController implements vscode.Disposable, PanelActions {
  private readonly chat: ChatConversation;
  private running: RunningTurn | undefined;
  private readonly poster: PanelPoster;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly providers: ProviderChoice;
  private readonly sources: SourceChoice;
  private loaded: Promise<void>;
  /** The kernel was created without KernelOptions.needsNetwork (no database server configured then). */
  private kernelWithoutNetwork = false;

  constructor(
    services: ChatServices,
    store: HistoryStore,
    keys: ApiKeys,
    private readonly files: DataFileIndex,
    private readonly memento: vscode.Memento,
    plotlyUri: (view: ChatViewPort) => string,
  ) {
    this.sources = new SourceChoice(files, services.databases, memento);
    this.providers = new ProviderChoice(keys, memento, services.vscodeLm);
    this.poster = new PanelPoster(
      { turns: () => this.turns, busyTurnId: () => this.running?.record.id ?? null, mode: () => this.mode },
      this.providers,
      this.sources,
      files,
      plotlyUri,
    );
    const newSession = (history: HistoryEntry[]) =>
      createChatSession(services, () => this.settings(), history, (needsNetwork) => (this.kernelWithoutNetwork = !needsNetwork));
    this.chat = new ChatConversation(store, newSession, async () => {
      this.stop();
      await this.idle();
    });
    this.loaded = this.chat.restore();
    void this.providers.refreshKeyed();
    this.disposables.push(
      ...watchChatConfig({
        keys,
        files,
        services,
        providers: this.providers,
        poster: this.poster,
        busy: () => this.busy,
        kernelWithoutNetwork: () => this.kernelWithoutNetwork,
        resetKernel: () => this.session.resetKernel(),
      }),
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
    return this.chat.current.turns;
  }

  get conversationId(): string {
    return this.chat.current.id;
  }

  /** The engine session of the current chat (tests, diagnostics). */
  get engine(): Session {
    return this.chat.session;
  }

  private get session(): Session {
    return this.chat.session;
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
    return lastGeneratedCode(this.turns);
  }

  whenRestored(): Promise<void> {
    return this.loaded;
  }

  // ------------------------------------------------------------------------------------------
  // The webview

  attachView(view: ChatViewPort | undefined): void {
    this.poster.attach(view);
  }

  /** Called when the webview goes away (hidden with retainContextWhenHidden off, or disposed). */
  webviewGone(): void {
    this.poster.gone();
  }

  /** A message from the webview (already validated); see panel-messages.ts. */
  handleMessage(msg: WebviewToHost): Promise<void> {
    return handlePanelMessage(this, msg);
  }

  /** The webview (re)loaded: it gets the whole state, the running turn's events so far included. */
  async webviewLoaded(): Promise<void> {
    await this.loaded;
    await this.poster.loaded(() => this.running?.batcher.discard());
    void this.files.refresh();
  }

  async setMode(mode: Mode): Promise<void> {
    await this.memento.update('radarm.mode', mode);
  }

  async pickProvider(id: string): Promise<void> {
    if (await this.providers.pick(id)) await this.poster.postConfig();
  }

  /** A workspace data file by its display name, when it still exists. */
  resolveFile(name: string): vscode.Uri | undefined {
    return this.files.resolve(name);
  }

  panelState(): Promise<PanelState> {
    return this.poster.state();
  }

  /** Chooses the data files; Python starts and loads them at once (trusted workspaces), ahead of the question. */
  async setSelectedFiles(files: string[]): Promise<void> {
    const chosen = await this.sources.choose(files);
    this.poster.postDataFiles();
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
    if (this.refusedWhileBusy()) return undefined;
    const settings = this.settings();
    const provider = this.provider(settings);
    const record = newTurnRecord(question, mode, dataFiles, provider);
    const conversation = this.chat.current;
    conversation.turns.push(record);
    conversation.updatedAt = Date.now();
    const running = startRunningTurn(record, (events) => this.poster.post({ type: 'events', turnId: record.id, events }));
    const { abort, batcher } = running;
    this.running = running;
    this.poster.post({ type: 'turnStart', turn: { ...record, events: [] } });
    void this.chat.save();

    try {
      Object.assign(this.session.options, turnSettings(settings, toLocale(vscode.env.language), (code) => this.confirmRunner(code)));
      const choices = { providers: this.providers, sources: this.sources, trusted: vscode.workspace.isTrusted };
      const request = await panelTurnRequest({ question, mode, dataFiles }, provider, choices);
      const events = runToEnd(this.session.send(request, abort.signal), {
        signal: abort.signal,
        stoppedText: t('Stopped.'),
        noResultText: t('The analysis ended without a result.'),
      });
      await recordTurn(events, record, {
        seen: (ev) => {
          batcher.push(ev);
          if (ev.type === 'error')
            reportTurnError(ev, { panelVisible: this.poster.ready, providerId: provider?.id, retry: () => void this.retry(record.id) });
        },
        save: () => void this.chat.save(),
      });
    } finally {
      const stopped = running.end();
      if (stopped) this.poster.post({ type: 'turnEnd', turnId: record.id, stopped: true });
      this.running = undefined;
      conversation.updatedAt = Date.now();
      await this.chat.save();
      running.settle();
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
    const i = this.turns.findIndex((x) => x.id === turnId);
    if (i < 0) return undefined;
    if (this.refusedWhileBusy()) return undefined;
    const turn = this.turns[i];
    this.chat.truncate(i);
    await this.poster.repostState();
    return this.runTurn(text ?? turn.question, turn.mode, turn.dataFiles);
  }

  /** A turn's figure: open it full size, or save it. */
  figure(msg: Extract<WebviewToHost, { type: 'figure' }>): Promise<unknown> {
    return figureAction(this.turns, msg, { webviewRoot: webviewRoot() });
  }

  /** Copies text to the clipboard; a turn's code goes with its prelude, so that it runs where it is pasted. */
  copyText(text: string): Thenable<void> {
    return vscode.env.clipboard.writeText(clipboardText(this.turns, text));
  }

  /** Runs a turn's question again (the Retry action). */
  async retry(turnId: string): Promise<void> {
    const turn = this.turns.find((x) => x.id === turnId);
    if (turn) await this.runTurn(turn.question, turn.mode, turn.dataFiles);
  }

  /** True (and the panel is told) while another turn runs. */
  private refusedWhileBusy(): boolean {
    if (this.running) this.poster.post({ type: 'notice', level: 'warning', text: t('Radarm is still answering. Press Stop first.') });
    return !!this.running;
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
  // Conversations (chat-conversation.ts): a new or reopened chat ends the previous Python process.

  async newChat(): Promise<void> {
    await this.loaded;
    await this.chat.startNew();
    this.poster.post({ type: 'clear' });
  }

  async openConversation(id: string): Promise<boolean> {
    if (!(await this.chat.open(id))) return false;
    await this.poster.repostState();
    return true;
  }

  listConversations() {
    return this.chat.list();
  }

  async clearHistory(): Promise<void> {
    await this.chat.clearAll();
    this.poster.post({ type: 'clear' });
  }

  async dispose(): Promise<void> {
    this.stop();
    this.disposables.forEach((d) => d.dispose());
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, 2000))]);
    await this.chat.dispose();
  }
}
