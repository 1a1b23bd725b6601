// Column and table names for the composer's `@` completion. CSV/TSV headers (and a JSON Lines file's first record,
// when Python is not at hand) are read here without Python: fast, available before the first question and in
// untrusted workspaces. Excel sheets, Parquet, JSON/JSON Lines and database sources come from radarm_names.py
// (src/kernel/mention-names.ts); this module merges both into the panel's `mentionSources` message.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { decide, decodeAs, readSamples } from '../agent/data-sniff';
import { isDatabaseFile } from '../kernel/database-sources';
import { PYTHON_NAME_EXTENSIONS, readMentionNames, type MentionNames, type MentionNamesRequest } from '../kernel/mention-names';
import { MENTION_LIMITS, type MentionColumns, type MentionSources, type MentionTable } from '../protocol/mentions';

const DELIMITERS = [',', '\t', ';', '|'];

/** The first record of CSV text (quoted fields may hold delimiters, quotes and line breaks). */
export function headerFields(text: string, delimiter?: string): string[] {
  const body = text.replace(/^\ufeff/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const sep = delimiter ?? DELIMITERS.map((d) => [d, firstLine.split(d).length] as const).sort((a, b) => b[1] - a[1])[0][0];
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === sep) fields.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') break;
    else field += ch;
  }
  fields.push(field);
  return fields.map((f) => f.trim()).filter((f) => f.length > 0);
}

export async function columnNames(path: string): Promise<string[]> {
  const ext = path.toLowerCase().split('.').pop() ?? '';
  if (!['csv', 'tsv', 'txt', 'jsonl'].includes(ext)) return [];
  const { samples, size } = await readSamples(path);
  const d = decide(samples, size);
  if (d.kind !== 'text') return [];
  const text = decodeAs(samples[0], d.encoding);
  if (ext === 'jsonl') {
    try {
      const first = JSON.parse(text.split(/\r?\n/, 1)[0]) as unknown;
      return first && typeof first === 'object' && !Array.isArray(first) ? Object.keys(first) : [];
    } catch {
      return [];
    }
  }
  return headerFields(text, ext === 'tsv' ? '\t' : undefined);
}

export interface MentionFile {
  display: string;
  path: string;
}

/** Whether a file's names come from Python (radarm_names.py) rather than from its header read here. */
export const needsPython = (file: string): boolean =>
  isDatabaseFile(file) || PYTHON_NAME_EXTENSIONS.includes(path.extname(file).toLowerCase());

/** Caps the names of one message (MENTION_LIMITS): each list, each name, and all of them together. */
function capper() {
  let left = MENTION_LIMITS.total;
  return (list: string[]) => {
    const out = list.slice(0, Math.max(0, Math.min(left, MENTION_LIMITS.names))).map((n) => n.slice(0, MENTION_LIMITS.name));
    left -= out.length;
    return out;
  };
}

/**
 * The message for the panel: columns per readable file (per sheet for a workbook; a file that cannot be read lists
 * none) and database tables with their columns. `names` is radarm_names.py's reply; without it, only what the host
 * reads itself.
 */
export async function mentionSources(files: MentionFile[], names?: MentionNames): Promise<MentionSources> {
  const cap = capper();
  const byPath = new Map((names?.files ?? []).map((f) => [f.path, f]));
  const chosen = files.filter((f) => !isDatabaseFile(f.path)).slice(0, MENTION_LIMITS.files);
  const host = await Promise.all(chosen.map((f) => (byPath.get(f.path)?.groups.length ? [] : columnNames(f.path).catch(() => [] as string[]))));
  const columns: MentionColumns[] = [];
  chosen.forEach((f, i) => {
    const groups = byPath.get(f.path)?.groups ?? [];
    if (!groups.length) columns.push({ file: f.display, names: cap(host[i]) });
    for (const g of groups) columns.push({ file: f.display, ...(g.sheet !== null ? { sheet: g.sheet.slice(0, MENTION_LIMITS.name) } : {}), names: cap(g.columns) });
  });
  const tables: MentionTable[] = [];
  for (const db of names?.databases ?? [])
    for (const t of db.tables)
      if (tables.length < MENTION_LIMITS.tables) tables.push({ name: t.name.slice(0, MENTION_LIMITS.name), source: db.name, columns: cap(t.columns) });
  return { type: 'mentionSources', columns: columns.slice(0, MENTION_LIMITS.files), tables };
}

/** File results of radarm_names.py, by path and the file's mtime and size (a changed file is read again). */
const fileCache = new Map<string, { key: string; entry: MentionNames['files'][number] }>();

async function statKey(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return undefined;
  }
}

/**
 * radarm_names.py's names for the files that need Python and for the database sources; files unchanged since the
 * last call come from the cache. Databases are asked every time (a cheap catalog query; tables come and go).
 */
export async function pythonNames(req: Omit<MentionNamesRequest, 'files'> & { files: string[] }): Promise<MentionNames> {
  const wanted = req.files.filter(needsPython);
  const keys = new Map(await Promise.all(wanted.map(async (f) => [f, await statKey(f)] as const)));
  const cached = wanted.flatMap((f) => {
    const hit = fileCache.get(f);
    return hit && hit.key === keys.get(f) && !hit.entry.error ? [hit.entry] : [];
  });
  const ask = wanted.filter((f) => isDatabaseFile(f) || !cached.some((c) => c.path === f));
  if (!ask.length && !req.databases?.length) return { files: cached, databases: [] };
  const reply = await readMentionNames({ ...req, files: ask });
  for (const entry of reply.files) {
    const key = keys.get(entry.path);
    if (key) fileCache.set(entry.path, { key, entry });
  }
  return { files: [...cached, ...reply.files], databases: reply.databases };
}
