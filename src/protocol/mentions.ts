// What the composer's `@` and `#` complete: column names of the selected data (per file) and database table
// names, sent by the host when the selection changes. Mentions reach the model as backquoted exact names.

export interface MentionSources {
  type: 'mentionSources';
  /** Columns of each selected data file, in file order. */
  columns: { file: string; names: string[] }[];
  /** Table names of selected database sources. */
  tables: string[];
}

export const MENTION_LIMITS = { files: 200, names: 2000, name: 500 };

const names = (v: unknown) =>
  Array.isArray(v) && v.length <= MENTION_LIMITS.names && v.every((x) => typeof x === 'string' && x.length <= MENTION_LIMITS.name);

export function isMentionSources(value: unknown): value is MentionSources {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (m.type !== 'mentionSources' || !names(m.tables)) return false;
  if (!Array.isArray(m.columns) || m.columns.length > MENTION_LIMITS.files) return false;
  return m.columns.every((c) => typeof c === 'object' && c !== null && typeof (c as { file?: unknown }).file === 'string' && names((c as { names?: unknown }).names));
}

/** The token a mention inserts: `@` or `#`, then the exact name in backquotes (doubled if it has one). */
export function mentionToken(trigger: '@' | '#', name: string): string {
  const fence = name.includes('`') ? '``' : '`';
  const pad = name.startsWith('`') || name.endsWith('`') ? ' ' : '';
  return `${trigger}${fence}${pad}${name}${pad}${fence}`;
}

/** The mentions in a question, in order: [trigger, exact name]. */
export function findMentions(text: string): { trigger: '@' | '#'; name: string }[] {
  const out: { trigger: '@' | '#'; name: string }[] = [];
  for (const m of text.matchAll(/([@#])(`{1,2})(.+?)\2/g)) {
    let name = m[3];
    if (m[2].length === 2 && name.startsWith(' ') && name.endsWith(' ')) name = name.slice(1, -1);
    out.push({ trigger: m[1] as '@' | '#', name });
  }
  return out;
}
