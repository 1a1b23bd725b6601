// The composer's completion sources: columns / database tables (from the host's `mentionSources` message,
// received here directly so the panel store needs no change) and workspace data files (the store's list).
import { isMentionSources, type MentionSources } from '../src/protocol/mentions';

let sources: MentionSources = { type: 'mentionSources', columns: [], tables: [] };

export function mentionSources(): MentionSources {
  return sources;
}

/** Applies a host message if it is a valid `mentionSources`; returns whether it was one. */
export function acceptMentionSources(message: unknown): boolean {
  if (!isMentionSources(message)) return false;
  sources = message;
  return true;
}

export function listenForMentionSources(): void {
  window.addEventListener('message', (e: MessageEvent) => acceptMentionSources(e.data));
}

export interface Candidate {
  trigger: '@' | '#';
  name: string;
  /** Where it comes from: the file a column belongs to, "database", or the folder of a data file. */
  detail: string;
  kind: 'column' | 'table' | 'file';
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

/** Candidates for a trigger, filtered by a case-insensitive substring, prefix matches first; at most `max`. */
export function candidates(trigger: '@' | '#', query: string, files: string[], max = 50): Candidate[] {
  const all: Candidate[] = [];
  if (trigger === '@') {
    const seen = new Set<string>();
    for (const c of sources.columns)
      for (const name of c.names)
        if (!seen.has(name)) {
          seen.add(name);
          all.push({ trigger, name, detail: baseName(c.file), kind: 'column' });
        }
    for (const name of sources.tables) all.push({ trigger, name, detail: 'database', kind: 'table' });
  } else {
    for (const f of files) all.push({ trigger, name: f, detail: baseName(f), kind: 'file' });
  }
  const q = query.toLowerCase();
  const scored = all
    .map((c) => ({ c, at: c.name.toLowerCase().indexOf(q) }))
    .filter((x) => x.at >= 0 || (x.c.kind === 'file' && x.c.detail.toLowerCase().includes(q)));
  scored.sort((a, b) => Number(a.at !== 0) - Number(b.at !== 0));
  return scored.slice(0, max).map((x) => x.c);
}
