// Conversation history in files under the extension's workspace storage folder (globalStorage when
// no folder is open), never in globalState. Layout:
//   conversations/index.json   { version, currentId, items: [{ id, title, updatedAt, turns }] }
//   conversations/<id>.json    { version, id, title, createdAt, updatedAt, turns: TurnRecord[] }
// Writes are serialised and atomic (temp file + rename), so a reload mid-write never loses a chat.
import * as vscode from 'vscode';
import type { TurnRecord } from '../protocol/messages';
import { parseHostMessage } from '../protocol/message-parse';
import { closeUnfinished, compactTurns, titleOf } from './history-compact';

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  turns: TurnRecord[];
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  turns: number;
}

interface IndexFile {
  version: 1;
  currentId: string | null;
  items: ConversationSummary[];
}

const VERSION = 1;
/** Conversations kept; the least recently updated go first. */
const MAX_CONVERSATIONS = 50;
const enc = new TextEncoder();
const dec = new TextDecoder();

export const newConversationId = (): string =>
  `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export class HistoryStore {
  private readonly dir: vscode.Uri;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    storageRoot: vscode.Uri,
    private readonly limits: () => { maxTurns: number },
    private readonly interruptedText: string,
  ) {
    this.dir = vscode.Uri.joinPath(storageRoot, 'conversations');
  }

  get folder(): vscode.Uri {
    return this.dir;
  }

  /** The conversation to show on start-up (the current one), or undefined when there is none. */
  async loadCurrent(): Promise<Conversation | undefined> {
    const index = await this.readIndex();
    return index.currentId ? this.load(index.currentId) : undefined;
  }

  async load(id: string): Promise<Conversation | undefined> {
    if (!/^[\w-]{1,100}$/.test(id)) return undefined;
    const raw = await this.readJson(this.file(id));
    return raw ? parseConversation(raw, this.interruptedText) : undefined;
  }

  async list(): Promise<ConversationSummary[]> {
    return (await this.readIndex()).items;
  }

  /** Writes the conversation (compacted) and makes it the current one. */
  save(conv: Conversation): Promise<void> {
    return this.serial(async () => {
      const turns = compactTurns(conv.turns, { maxTurns: this.limits().maxTurns });
      const stored: Conversation & { version: number } = { version: VERSION, ...conv, title: conv.title || titleOf(turns), turns };
      await this.writeJson(this.file(conv.id), stored);
      const index = await this.readIndex();
      const items = [
        { id: conv.id, title: stored.title, updatedAt: conv.updatedAt, turns: turns.length },
        ...index.items.filter((i) => i.id !== conv.id),
      ].sort((a, b) => b.updatedAt - a.updatedAt);
      for (const old of items.splice(MAX_CONVERSATIONS)) await this.remove(this.file(old.id));
      await this.writeJson(this.indexFile, { version: VERSION, currentId: conv.id, items } satisfies IndexFile);
    });
  }

  /** Marks which conversation is current (null: a new, still empty chat). */
  setCurrent(id: string | null): Promise<void> {
    return this.serial(async () => {
      const index = await this.readIndex();
      await this.writeJson(this.indexFile, { ...index, currentId: id } satisfies IndexFile);
    });
  }

  /** Deletes every stored conversation. */
  clear(): Promise<void> {
    return this.serial(async () => {
      await this.remove(this.dir, true);
    });
  }

  /** Waits for pending writes (deactivate, tests). */
  flush(): Promise<void> {
    return this.serial(async () => {});
  }

  private get indexFile() {
    return vscode.Uri.joinPath(this.dir, 'index.json');
  }

  private file(id: string) {
    return vscode.Uri.joinPath(this.dir, `${id}.json`);
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => {});
    return run;
  }

  private async readIndex(): Promise<IndexFile> {
    const raw = (await this.readJson(this.indexFile)) as Partial<IndexFile> | undefined;
    const items = Array.isArray(raw?.items)
      ? raw.items.filter(
          (i): i is ConversationSummary =>
            !!i && typeof i.id === 'string' && typeof i.title === 'string' && typeof i.updatedAt === 'number',
        )
      : [];
    return { version: VERSION, currentId: typeof raw?.currentId === 'string' ? raw.currentId : null, items };
  }

  private async readJson(uri: vscode.Uri): Promise<unknown> {
    try {
      return JSON.parse(dec.decode(await vscode.workspace.fs.readFile(uri)));
    } catch {
      return undefined; // missing or unreadable: treated as no history rather than an error
    }
  }

  private async writeJson(uri: vscode.Uri, value: unknown): Promise<void> {
    await vscode.workspace.fs.createDirectory(this.dir);
    const tmp = uri.with({ path: `${uri.path}.tmp` });
    await vscode.workspace.fs.writeFile(tmp, enc.encode(JSON.stringify(value)));
    await vscode.workspace.fs.rename(tmp, uri, { overwrite: true });
  }

  private async remove(uri: vscode.Uri, recursive = false): Promise<void> {
    try {
      await vscode.workspace.fs.delete(uri, { recursive, useTrash: false });
    } catch {
      // already gone
    }
  }
}

/** Validates a stored conversation (files can be edited or truncated); invalid turns are dropped. */
export function parseConversation(raw: unknown, interruptedText: string): Conversation | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || !Array.isArray(r.turns)) return undefined;
  const turns: TurnRecord[] = [];
  for (const t of r.turns) {
    const msg = parseHostMessage({ type: 'turnStart', turn: t });
    if (msg?.type === 'turnStart') turns.push(closeUnfinished(msg.turn, interruptedText));
  }
  const now = Date.now();
  return {
    id: r.id,
    title: typeof r.title === 'string' ? r.title : titleOf(turns),
    createdAt: typeof r.createdAt === 'number' ? r.createdAt : now,
    updatedAt: typeof r.updatedAt === 'number' ? r.updatedAt : now,
    turns,
  };
}
