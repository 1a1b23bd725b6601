// What the composer's `@` and `#` complete: column names of the selected data (per file, per sheet of a workbook)
// and the tables of database sources with their columns, sent by the host when the selection changes. Mentions
// reach the model as backquoted exact names.

export interface MentionColumns {
  /** The data file's display name. */
  file: string;
  /** Excel: the sheet these columns belong to. */
  sheet?: string;
  names: string[];
}

export interface MentionTable {
  /** Schema-qualified where needed (`sales.orders`; `orders` in the default schema). */
  name: string;
  /** The database source's name (`sql(..., source=name)`). */
  source: string;
  columns: string[];
}

export interface MentionSources {
  type: 'mentionSources';
  /** Columns of each selected data file, in file order. */
  columns: MentionColumns[];
  /** Tables and views of the selected database sources, with their columns. */
  tables: MentionTable[];
}

/** Caps on one message: groups (files × sheets) and tables, names per group, characters per name, names in all. */
export const MENTION_LIMITS = { files: 200, tables: 1000, names: 2000, name: 500, total: 20000 };

const isName = (x: unknown) => typeof x === 'string' && x.length <= MENTION_LIMITS.name;
const names = (v: unknown) => Array.isArray(v) && v.length <= MENTION_LIMITS.names && v.every(isName);
const record = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export function isMentionSources(value: unknown): value is MentionSources {
  if (!record(value) || value.type !== 'mentionSources') return false;
  const { columns, tables } = value;
  if (!Array.isArray(columns) || columns.length > MENTION_LIMITS.files) return false;
  if (!Array.isArray(tables) || tables.length > MENTION_LIMITS.tables) return false;
  let total = 0;
  const okColumns = columns.every((c) => {
    if (!record(c) || typeof c.file !== 'string' || (c.sheet !== undefined && !isName(c.sheet)) || !names(c.names)) return false;
    total += (c.names as string[]).length;
    return true;
  });
  const okTables = tables.every((t) => {
    if (!record(t) || !isName(t.name) || typeof t.source !== 'string' || !names(t.columns)) return false;
    total += 1 + (t.columns as string[]).length;
    return true;
  });
  return okColumns && okTables && total <= MENTION_LIMITS.total + MENTION_LIMITS.tables;
}

/** The token a mention inserts: `@` or `#`, then the exact name in backquotes (doubled if it has one). */
export function mentionToken(trigger: '@' | '#', name: string): string {
  const fence = name.includes('`') ? '``' : '`';
  const pad = name.startsWith('`') || name.endsWith('`') ? ' ' : '';
  return `${trigger}${fence}${pad}${name}${pad}${fence}`;
}

/** The mentions in a question, in order: [trigger, exact name]. */
export function findMentions(text: string): { trigger: '@' | '#'; name: string }[] {
  return mentionParts(text).flatMap((p) => ('trigger' in p ? [{ trigger: p.trigger, name: p.name }] : []));
}

export type MentionPart = { text: string } | { trigger: '@' | '#'; name: string; token: string };

/** The question as plain text and mentions, in order (for chips in the sent question and in reports). */
export function mentionParts(text: string): MentionPart[] {
  const out: MentionPart[] = [];
  let at = 0;
  for (const m of text.matchAll(/([@#])(`{1,2})(.+?)\2/g)) {
    const start = m.index ?? 0;
    if (start > at) out.push({ text: text.slice(at, start) });
    let name = m[3];
    if (m[2].length === 2 && name.startsWith(' ') && name.endsWith(' ')) name = name.slice(1, -1);
    out.push({ trigger: m[1] as '@' | '#', name, token: m[0] });
    at = start + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}
