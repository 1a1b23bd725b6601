// The chat sessions of the service by session_id: created on first use, continued by later requests with
// the same id (history and Python kernel), ended after `idleMs` without a turn, or when the service stops.
import { HttpError } from './body';

export interface Disposable {
  dispose(): Promise<void>;
}

export interface SessionEntry<T extends Disposable> {
  readonly id: string;
  readonly value: T;
  /** Turns running now; a busy session never expires. */
  busy: number;
  lastUsed: number;
}

export interface SessionRegistry<T extends Disposable, A = undefined> {
  /** The session with this id, or a new one made with `arg` (`created`). 503 when full of busy sessions. */
  acquire(id: string, arg: A): { entry: SessionEntry<T>; created: boolean };
  /** Marks a turn's start/end (keeps the session from expiring while it runs). */
  begin(entry: SessionEntry<T>): void;
  end(entry: SessionEntry<T>): void;
  readonly size: number;
  /** Ends every session (their kernels too). */
  disposeAll(): Promise<void>;
}

export interface SessionRegistryOptions<T, A> {
  idleMs: number;
  maxSessions: number;
  create(id: string, arg: A): T;
  onSizeChange?(size: number): void;
  /** A session ended on its own: idle too long, or made room for a new one. */
  onEnd?(id: string, why: 'idle' | 'evicted'): void;
  now?: () => number;
}

export function createSessionRegistry<T extends Disposable, A = undefined>(
  options: SessionRegistryOptions<T, A>,
): SessionRegistry<T, A> {
  const now = options.now ?? Date.now;
  const entries = new Map<string, SessionEntry<T>>();
  const changed = () => options.onSizeChange?.(entries.size);

  function remove(entry: SessionEntry<T>, why: 'idle' | 'evicted') {
    if (entries.get(entry.id) !== entry) return;
    entries.delete(entry.id);
    changed();
    options.onEnd?.(entry.id, why);
    entry.value.dispose().catch(() => {});
  }

  function sweep() {
    const t = now();
    for (const e of [...entries.values()]) if (!e.busy && t - e.lastUsed >= options.idleMs) remove(e, 'idle');
  }
  const sweeper = setInterval(sweep, Math.max(50, Math.min(options.idleMs / 4, 30_000)));
  sweeper.unref();

  return {
    acquire(id, arg) {
      sweep();
      const existing = entries.get(id);
      if (existing) {
        existing.lastUsed = now();
        return { entry: existing, created: false };
      }
      if (entries.size >= options.maxSessions) {
        // Make room by ending the least recently used idle session; if all are busy, refuse.
        const idle = [...entries.values()].filter((e) => !e.busy).sort((a, b) => a.lastUsed - b.lastUsed)[0];
        if (!idle)
          throw new HttpError(
            503,
            'too_many_sessions',
            `All ${options.maxSessions} sessions are answering; try again shortly (radarm serve --max-sessions).`,
            { 'Retry-After': '5' },
          );
        remove(idle, 'evicted');
      }
      const entry: SessionEntry<T> = { id, value: options.create(id, arg), busy: 0, lastUsed: now() };
      entries.set(id, entry);
      changed();
      return { entry, created: true };
    },
    begin(entry) {
      entry.busy++;
      entry.lastUsed = now();
    },
    end(entry) {
      entry.busy = Math.max(0, entry.busy - 1);
      entry.lastUsed = now();
    },
    get size() {
      return entries.size;
    },
    async disposeAll() {
      clearInterval(sweeper);
      const all = [...entries.values()];
      entries.clear();
      changed();
      await Promise.all(all.map((e) => e.value.dispose().catch(() => {})));
    },
  };
}
