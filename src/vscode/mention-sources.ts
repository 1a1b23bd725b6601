// Column names of the selected data files for the composer's `@` completion, read from the files' headers
// without the kernel (fast, and available before the first question): CSV/TSV header rows, the keys of a
// JSON Lines file's first record. Other formats (Excel, Parquet, JSON) and databases list no columns here.
import { decide, decodeAs, readSamples } from '../agent/data-sniff';
import { MENTION_LIMITS, type MentionSources } from '../protocol/mentions';

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

/** The message for the panel: columns per readable file (a file that cannot be read lists none). */
export async function mentionSources(files: { display: string; path: string }[]): Promise<MentionSources> {
  const columns = await Promise.all(
    files.slice(0, MENTION_LIMITS.files).map(async (f) => ({
      file: f.display,
      names: (await columnNames(f.path).catch(() => [] as string[]))
        .slice(0, MENTION_LIMITS.names)
        .map((n) => n.slice(0, MENTION_LIMITS.name)),
    })),
  );
  return { type: 'mentionSources', columns, tables: [] };
}
