// Before a turn spends a model call: which chosen data files cannot be loaded at all (missing, a folder,
// empty, binary under a data extension), found in milliseconds without the kernel by the
// same sniffing rule the kernel uses; and the turn-ending message when no file is usable.
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { DataProfile } from '../kernel/types';
import type { Lang } from './announcements';
import { decide, hexPrefix, magicOf, readSamples, refusal, sniffFile, type Decision } from './data-sniff';

export interface FileProblem {
  path: string;
  name: string;
  error: string;
}

const TEXT_EXTS = new Set(['.csv', '.tsv', '.tab', '.txt', '.dat', '', '.json', '.jsonl', '.ndjson']);
const OTHER_EXTS = new Set(['.xlsx', '.xlsm', '.xls', '.parquet', '.pq']);

/** The problem of one file that the kernel would refuse anyway, or undefined when it may load. Never throws. */
export async function checkDataFile(path: string): Promise<FileProblem | undefined> {
  const name = basename(path);
  const problem = (error: string) => ({ path, name, error });
  const ext = extname(path).toLowerCase();
  try {
    const st = await stat(path);
    if (st.isDirectory()) return problem('this is a folder, not a data file');
    // Other types (databases, new formats) are for the kernel to judge.
    if (!TEXT_EXTS.has(ext) && !OTHER_EXTS.has(ext)) return undefined;
    if (st.size === 0) return problem(`${name} is empty (0 bytes): choose a file that holds data`);
    if (!TEXT_EXTS.has(ext)) {
      const why = await formatMismatch(path, name, ext);
      return why ? problem(why) : undefined;
    }
    const why = refusal(name, await sniffFile(path));
    return why ? problem(why) : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return problem(code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? String(err)})`);
  }
}

const EXPECTED: Record<string, [formats: string[], what: string]> = {
  '.xlsx': [['zip'], 'an Excel workbook'],
  '.xlsm': [['zip'], 'an Excel workbook'],
  '.xls': [['ole2', 'zip'], 'an Excel workbook'],
  '.parquet': [['parquet'], 'a Parquet file'],
  '.pq': [['parquet'], 'a Parquet file'],
};
const ENCODING_NAMES: Record<string, string> = {
  'utf-8': 'UTF-8',
  'utf-8-sig': 'UTF-8 (with BOM)',
  'utf-16': 'UTF-16',
  gb18030: 'GB18030/GBK',
  cp1252: 'Windows-1252',
  'latin-1': 'Latin-1',
};

/** An Excel or Parquet file whose bytes are something else, worded as the kernel's _expect_format words it. */
async function formatMismatch(path: string, name: string, ext: string): Promise<string | undefined> {
  const [formats, what] = EXPECTED[ext];
  const { samples, size } = await readSamples(path);
  const head = samples[0].subarray(0, 16);
  const magic = magicOf(head);
  if (magic && formats.includes(magic.format)) return undefined;
  const d: Decision = decide(samples, size);
  if (magic || d.kind === 'binary') return refusal(name, d)!.replace('is not a text data file', `is not ${what}`);
  const looks = d.kind === 'text' ? `text (${ENCODING_NAMES[d.encoding]})` : 'an unknown format';
  return `${name} is not ${what}: it looks like ${looks} (its first bytes are ${hexPrefix(head)})${d.kind === 'text' ? '; if it is CSV, rename it to .csv' : ''}`;
}

export async function checkDataFiles(paths: string[]): Promise<FileProblem[]> {
  return (await Promise.all(paths.map(checkDataFile))).filter((p): p is FileProblem => !!p);
}

/** The kernel's per-file errors, when EVERY chosen file failed; undefined when at least one loaded. */
export function allFailed(profile: DataProfile | undefined): FileProblem[] | undefined {
  const files = profile?.files ?? [];
  if (!files.length || files.some((f) => !f.error)) return undefined;
  return files.map((f) => ({ path: f.path, name: f.name, error: f.error! }));
}

/** The turn-ending message: each file's error, then what to do. */
export function noDataMessage(problems: FileProblem[], lang: Lang): string {
  const list = problems.map((p) => `- ${p.name}: ${p.error}`).join('\n');
  return lang === 'zh'
    ? `所选的数据文件都无法加载，没有可分析的数据（未调用模型）：\n${list}\n请修复或更换这些文件，或选择其他数据文件，然后重新提问。`
    : `None of the chosen data files could be loaded, so there is no data to analyse (no model call was made):\n${list}\nFix or replace these files, or choose other data files, then ask again.`;
}
