// What the host posts to the panel's webview about the chat's state: the whole state on load
// (`init`), and the `config`, `dataFiles` and @-completion updates when they change. Nothing is
// posted before the webview said it is ready; messages to a hidden webview are dropped.
import * as vscode from 'vscode';
import type { Mode } from '../protocol/vocabulary';
import { toLocale } from '../protocol/vocabulary';
import type { HostToWebview, PanelState, TurnRecord } from '../protocol/messages';
import type { ChatViewPort } from './chat-ports';
import type { DataFileIndex } from './data-files';
import { compactTurns } from './history-compact';
import { createMentionPoster } from './mention-poster';
import type { ProviderChoice } from './provider-choice';
import type { SourceChoice } from './source-choice';

/** Turns sent in `init`: the webview folds older ones, but the payload stays bounded. */
const INIT_TURNS = 200;

/** The chat state the panel shows, read when a message is built. */
export interface ChatStateReader {
  turns(): readonly TurnRecord[];
  busyTurnId(): string | null;
  mode(): Mode;
}

export class PanelPoster {
  private view: ChatViewPort | undefined;
  private webviewReady = false;
  private readonly mentions = createMentionPoster((m) => this.post(m));

  constructor(
    private readonly chat: ChatStateReader,
    private readonly providers: ProviderChoice,
    private readonly sources: SourceChoice,
    private readonly files: DataFileIndex,
    private readonly plotlyUri: (view: ChatViewPort) => string,
  ) {}

  /** The webview has loaded and gets messages (else the panel is hidden or gone). */
  get ready(): boolean {
    return this.webviewReady;
  }

  attach(view: ChatViewPort | undefined): void {
    this.view = view;
    this.webviewReady = false;
  }

  gone(): void {
    this.webviewReady = false;
  }

  post(message: HostToWebview): boolean {
    return this.webviewReady && !!this.view?.post(message);
  }

  async state(): Promise<PanelState> {
    const settings = this.providers.settings();
    return {
      locale: toLocale(vscode.env.language),
      turns: compactTurns(this.chat.turns(), { maxTurns: INIT_TURNS }),
      mode: this.chat.mode(),
      providers: await this.providers.infos(settings),
      providerId: this.providers.current(settings)?.id ?? '',
      dataFiles: { available: this.sources.available, selected: this.sources.selected },
      busyTurnId: this.chat.busyTurnId(),
      trusted: vscode.workspace.isTrusted,
      plotlyUri: this.view ? this.plotlyUri(this.view) : '',
    };
  }

  /**
   * The webview (re)loaded: it gets the whole state, the running turn's events so far included.
   * `beforeInit` runs right before (the running turn drops its pending batches, which the snapshot holds).
   */
  async loaded(beforeInit: () => void): Promise<void> {
    const state = await this.state();
    // From here on synchronous: later events go out as batches after init (none in between).
    state.turns = compactTurns(this.chat.turns(), { maxTurns: INIT_TURNS });
    state.busyTurnId = this.chat.busyTurnId();
    beforeInit();
    this.webviewReady = true;
    this.post({ type: 'init', state });
    this.postMentionSources();
  }

  /** The whole state again, when the conversation changed under a live webview. */
  async repostState(): Promise<void> {
    if (this.webviewReady) this.post({ type: 'init', state: await this.state() });
  }

  async postConfig(): Promise<void> {
    if (!this.webviewReady) return;
    const settings = this.providers.settings();
    this.post({
      type: 'config',
      config: {
        providers: await this.providers.infos(settings),
        providerId: this.providers.current(settings)?.id ?? '',
        trusted: vscode.workspace.isTrusted,
        locale: toLocale(vscode.env.language),
      },
    });
  }

  postDataFiles(): void {
    this.post({ type: 'dataFiles', available: this.sources.available, selected: this.sources.selected });
    this.postMentionSources();
  }

  /** Column and table names of the chosen sources, for the composer's @ completion (mention-poster.ts). */
  private postMentionSources(): void {
    const chosen = this.sources.selected;
    const files = chosen.flatMap((f) => {
      const uri = this.files.resolve(f);
      return uri ? [{ display: f, path: uri.fsPath }] : [];
    });
    const databases = async () => (await this.sources.databasesOf(chosen)).sources;
    void this.mentions.update({ files, databases, pythonPath: this.providers.settings().pythonPath });
  }
}
