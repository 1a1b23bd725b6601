// The sidebar's current conversation and its engine session: start-up restore, new, open, clear and
// save. Each conversation has its own session, so a new or reopened chat ends the previous Python process.
import type { HistoryEntry } from '../agent/types';
import { historyEntryFromEvents } from '../engine/conversation-history';
import type { Session } from '../engine/session';
import { errorMessage } from '../protocol/events';
import type { TurnRecord } from '../protocol/messages';
import { newConversationId, type Conversation, type HistoryStore } from './history-store';
import { radarmLog } from './log';

/** The model's history rebuilt from a conversation's stored turns (failed turns included). */
export function historyOf(turns: readonly TurnRecord[]): HistoryEntry[] {
  return turns.flatMap((r) => historyEntryFromEvents(r.question, r.events) ?? []);
}

export function emptyConversation(): Conversation {
  const now = Date.now();
  return { id: newConversationId(), title: '', createdAt: now, updatedAt: now, turns: [] };
}

export class ChatConversation {
  private conv: Conversation = emptyConversation();
  private engine: Session;

  /**
   * @param makeSession a new engine session with the given history
   * @param settle stops the running turn and waits for it (before the session is replaced)
   */
  constructor(
    private readonly store: HistoryStore,
    private readonly makeSession: (history: HistoryEntry[]) => Session,
    private readonly settle: () => Promise<void>,
  ) {
    this.engine = makeSession([]);
  }

  get current(): Conversation {
    return this.conv;
  }

  get session(): Session {
    return this.engine;
  }

  /** Loads the conversation to show on start-up, unless a turn has already begun. */
  async restore(): Promise<void> {
    try {
      const conv = await this.store.loadCurrent();
      if (conv && !this.conv.turns.length) this.use(conv);
    } catch (err) {
      radarmLog().error(`Could not read the chat history: ${errorMessage(err)}`);
    }
  }

  /** Drops the turn at `index` and every later one; the engine's history follows (the kernel is kept). */
  truncate(index: number): void {
    this.conv.turns.splice(index);
    this.use(this.conv);
  }

  async startNew(): Promise<void> {
    await this.replace(emptyConversation());
    await this.store.setCurrent(null);
  }

  /** False when no stored conversation has that id. */
  async open(id: string): Promise<boolean> {
    const conv = await this.store.load(id);
    if (!conv) return false;
    await this.replace(conv);
    await this.store.setCurrent(id);
    return true;
  }

  list() {
    return this.store.list();
  }

  /** Ends the current conversation and deletes every stored one. */
  async clearAll(): Promise<void> {
    await this.replace(emptyConversation());
    await this.store.clear();
  }

  /** Writes the conversation (not while it is empty); a failure is logged, never thrown. */
  async save(): Promise<void> {
    if (!this.conv.turns.length) return;
    try {
      await this.store.save(this.conv);
    } catch (err) {
      radarmLog().error(`Could not save the chat history: ${errorMessage(err)}`);
    }
  }

  async dispose(): Promise<void> {
    await this.engine.dispose().catch(() => {});
    await this.store.flush();
  }

  /** Same session, another history (start-up restore, truncation). */
  private use(conv: Conversation): void {
    this.conv = conv;
    this.engine.setHistory(historyOf(conv.turns));
  }

  private async replace(conv: Conversation): Promise<void> {
    await this.settle();
    const old = this.engine;
    this.conv = conv;
    this.engine = this.makeSession(historyOf(conv.turns));
    await old.dispose().catch(() => {});
  }
}
