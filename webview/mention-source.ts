// The composer's completion sources: columns / database tables (from the host's `mentionSources` message,
// received here directly so the panel store needs no change) and workspace data files (the store's list).
import { isMentionSources, type MentionSources } from '../src/protocol/mentions';

let sources: MentionSources = { type: 'mentionSources', columns: [], tables: [] };

export function mentionSources(): MentionSources {
  return sources;
}

export const hasTables = (): boolean => sources.tables.length > 0;

const listeners = new Set<() => void>();

/** Calls `fn` whenever new sources arrive (an open menu then lists names that came after it opened); returns
 *  the unsubscribe function. */
export function onMentionSources(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Applies a host message if it is a valid `mentionSources`; returns whether it was one. */
export function acceptMentionSources(message: unknown): boolean {
  if (!isMentionSources(message)) return false;
  sources = message;
  for (const fn of listeners) fn();
  return true;
}

export function listenForMentionSources(): void {
  window.addEventListener('message', (e: MessageEvent) => acceptMentionSources(e.data));
}

export interface Candidate {
  trigger: '@' | '#';
  name: string;
  /** Where it comes from: the file (and sheet) of a column, the source of a table, the table of a table's column,
   *  or the folder of a data file. */
  detail: string;
  kind: 'column' | 'table' | 'file';
  /** A table's column: the part of `name` after the table (matched on its own, so `@amo` finds `orders.amount`). */
  column?: string;
}

/** The `@…` / `#…` word the caret is in (the trigger at the start or after whitespace), or null. */
export function activeTrigger(text: string, caret: number): { trigger: '@' | '#'; start: number; query: string } | null {
  for (let i = caret - 1; i >= 0 && caret - i <= 80; i--) {
    const ch = text[i];
    if (/\s|`/.test(ch)) return null;
    if (ch === '@' || ch === '#') {
      if (i > 0 && !/\s/.test(text[i - 1])) return null;
      return { trigger: ch, start: i, query: text.slice(i + 1, caret) };
    }
  }
  return null;
}

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** Candidates for a trigger, filtered by a case-insensitive substring, prefix matches first; at most `max`.
 *  A table's columns (`orders.amount`) are offered once something is typed: `@orders.` lists them all. */
export function candidates(trigger: '@' | '#', query: string, files: string[], max = 50): Candidate[] {
  const all: Candidate[] = [];
  const q = query.toLowerCase();
  if (trigger === '@') {
    const seen = new Set<string>();
    for (const c of sources.columns)
      for (const name of c.names)
        if (!seen.has(name)) {
          seen.add(name);
          all.push({ trigger, name, detail: c.sheet ? `${baseName(c.file)} › ${c.sheet}` : baseName(c.file), kind: 'column' });
        }
    for (const t of sources.tables) all.push({ trigger, name: t.name, detail: t.source, kind: 'table' });
    if (q)
      for (const t of sources.tables)
        for (const col of t.columns) all.push({ trigger, name: `${t.name}.${col}`, detail: t.source, kind: 'column', column: col });
  } else {
    for (const f of files) all.push({ trigger, name: f, detail: baseName(f), kind: 'file' });
  }
  const scored = all
    .map((c) => {
      // A table's column matches by its own name, or by `table.column` once the query has a dot in it.
      const at = c.column !== undefined && !q.includes('.') ? -1 : c.name.toLowerCase().indexOf(q);
      const colAt = c.column !== undefined ? c.column.toLowerCase().indexOf(q) : -1;
      const hit = at >= 0 || colAt >= 0 || (c.kind === 'file' && c.detail.toLowerCase().includes(q));
      return { c, hit, prefix: at === 0 || colAt === 0 };
    })
    .filter((x) => x.hit);
  scored.sort((a, b) => Number(!a.prefix) - Number(!b.prefix));
  return scored.slice(0, max).map((x) => x.c);
}
