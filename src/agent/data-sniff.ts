// What a data file's bytes are: empty, a known binary format (by its magic bytes), binary noise, or text in
// which encoding — decided from samples of the start, the middle and the end of the file.
// The same rule is written in Python in src/kernel/python/radarm_sniff.py (the kernel's loader), and
// test/fixtures/decoding-cases.ts holds the table of real files both must decide alike. Change both together.
import { open } from 'node:fs/promises';

export const SAMPLE_BYTES = 65536;

export type Encoding = 'utf-8' | 'utf-8-sig' | 'utf-16' | 'gb18030' | 'cp1252' | 'latin-1';
export type Decision =
  | { kind: 'empty' }
  | { kind: 'binary'; format: string; looksLike: string; magic: string }
  | { kind: 'text'; encoding: Encoding; badBytes: number };

const MAGIC: [number[], string, string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'zip', 'a ZIP archive (an Excel .xlsx workbook is one)'],
  [[0x50, 0x4b, 0x05, 0x06], 'zip', 'an empty ZIP archive'],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'ole2', 'an old-style Office file (an Excel .xls workbook is one)'],
  [bytes('PAR1'), 'parquet', 'a Parquet file'],
  [bytes('ARROW1'), 'arrow', 'an Arrow/Feather file'],
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'png', 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'jpeg', 'a JPEG image'],
  [bytes('GIF87a'), 'gif', 'a GIF image'],
  [bytes('GIF89a'), 'gif', 'a GIF image'],
  [bytes('%PDF-'), 'pdf', 'a PDF document'],
  [[0x1f, 0x8b], 'gzip', 'gzip-compressed data'],
  [bytes('BZh'), 'bzip2', 'bzip2-compressed data'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz', 'xz-compressed data'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], '7z', 'a 7-Zip archive'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd', 'zstd-compressed data'],
  [[...bytes('SQLite format 3'), 0], 'sqlite', 'an SQLite database'],
  [[0x7f, 0x45, 0x4c, 0x46], 'elf', 'a program (ELF executable)'],
];

export const HINTS: Record<string, string> = {
  zip: 'if it is an Excel workbook, rename it to .xlsx; if it is a zipped CSV, unzip it first',
  ole2: 'if it is an Excel workbook, rename it to .xls',
  parquet: 'rename it to .parquet',
  arrow: 'read it with pd.read_feather, or convert it to Parquet or CSV',
  gzip: 'decompress it first (gunzip)',
  bzip2: 'decompress it first (bunzip2)',
  xz: 'decompress it first (unxz)',
  '7z': 'extract it first',
  zstd: 'decompress it first (unzstd)',
  sqlite: 'query it with the sqlite3 module, or export the table to CSV',
};

function bytes(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

export function magicOf(head: Uint8Array): { format: string; looksLike: string } | undefined {
  for (const [prefix, format, looksLike] of MAGIC)
    if (head.length >= prefix.length && prefix.every((b, i) => head[i] === b)) return { format, looksLike };
  return undefined;
}

export function hexPrefix(head: Uint8Array, n = 8): string {
  return [...head.subarray(0, n)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** The file's samples: the whole file when small, else line-aligned pieces of its start, middle and end. */
export async function readSamples(path: string): Promise<{ samples: Buffer[]; size: number }> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const read = async (offset: number, length: number) => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    };
    if (size <= 3 * SAMPLE_BYTES) return { samples: [await read(0, size)], size };
    const samples: Buffer[] = [];
    for (const offset of [0, Math.floor(size / 2) - SAMPLE_BYTES / 2, size - SAMPLE_BYTES]) {
      let raw = await read(offset, SAMPLE_BYTES);
      // A middle piece starts after a line break and ends with one: no character is cut.
      if (offset > 0 && raw.includes(0x0a)) raw = raw.subarray(raw.indexOf(0x0a) + 1);
      if (offset + SAMPLE_BYTES < size && raw.includes(0x0a)) raw = raw.subarray(0, raw.lastIndexOf(0x0a) + 1);
      samples.push(raw);
    }
    return { samples, size };
  } finally {
    await handle.close();
  }
}

// On a latin1 view of the bytes (one char per byte), so that the regexes match bytes as in Python.
const UTF8_SEQ =
  /[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}/g;
const HIGH_RUN = /[\x80-\xff]+/g;
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);
const CP1252_LETTERS = new Set([0x83, 0x8a, 0x8c, 0x8e, 0x9a, 0x9c, 0x9e, 0x9f]);

function utf8Counts(sample: Buffer): [multi: number, bad: number] {
  let high = 0;
  for (const b of sample) if (b >= 0x80) high++;
  if (!high) return [0, 0];
  const seqs = sample.toString('latin1').match(UTF8_SEQ) ?? [];
  return [seqs.length, high - seqs.reduce((n, s) => n + s.length, 0)];
}

/** GB2312 characters (both bytes in A1-FE) score, rare ones are neutral, pairs that swallow ASCII and invalid bytes cost. */
function gbScore(s: Buffer): number {
  let score = 0;
  for (const m of s.toString('latin1').matchAll(HIGH_RUN)) {
    let i = m.index!;
    const stop = i + m[0].length;
    while (i < stop) {
      const lead = s[i];
      const trail = i + 1 < s.length ? s[i + 1] : -1;
      if (lead === 0x80 || lead === 0xff || trail < 0) {
        score -= 10;
        i += 1;
      } else if (trail >= 0x30 && trail <= 0x39) {
        const ok = i + 3 < s.length && s[i + 2] >= 0x81 && s[i + 2] <= 0xfe && s[i + 3] >= 0x30 && s[i + 3] <= 0x39;
        score += ok ? -2 : -10;
        i += ok ? 4 : 1;
      } else if (trail >= 0x40 && trail <= 0xfe && trail !== 0x7f) {
        if (trail >= 0xa1 && ((lead >= 0xa1 && lead <= 0xa9) || (lead >= 0xb0 && lead <= 0xf7))) score += 1;
        else if (trail < 0x80) score -= 1;
        i += 2;
      } else {
        score -= 10;
        i += 1;
      }
    }
  }
  return score;
}

/** Accented letters alone between ASCII score; long high-byte runs (Chinese text) cost; undefined bytes / C1 controls cost. */
function singleByteScore(s: Buffer, latin1: boolean): number {
  let score = 0;
  for (const m of s.toString('latin1').matchAll(HIGH_RUN)) {
    const run = m[0];
    for (let k = 0; k < run.length; k++) {
      const b = run.charCodeAt(k);
      if (b >= 0x80 && b <= 0x9f) {
        if (latin1) {
          score -= 3;
          continue;
        }
        if (CP1252_UNDEFINED.has(b)) {
          score -= 10;
          continue;
        }
      }
      if (run.length === 1) {
        if ((b >= 0xc0 && b !== 0xd7 && b !== 0xf7) || CP1252_LETTERS.has(b)) score += 1;
      } else if (run.length >= 3) score -= 1;
    }
  }
  return score;
}

const CONTROL = /[\x00-\x08\x0b\x0e-\x1f\x7f]/g;

/** The decision on samples (the first is the file's start). badBytes > 0 only for UTF-8 read with U+FFFD. */
export function decide(samples: Buffer[], size: number): Decision {
  if (size === 0) return { kind: 'empty' };
  const head = samples[0].subarray(0, 16);
  const magic = magicOf(head);
  if (magic) return { kind: 'binary', ...magic, magic: hexPrefix(head) };
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { kind: 'text', encoding: 'utf-8-sig', badBytes: 0 };
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
    return { kind: 'text', encoding: 'utf-16', badBytes: 0 };
  const total = samples.reduce((n, s) => n + s.length, 0) || 1;
  let nul = 0;
  let control = 0;
  for (const s of samples) {
    for (const b of s) if (b === 0) nul++;
    control += (s.toString('latin1').match(CONTROL) ?? []).length;
  }
  if (nul * 1000 > total || control * 20 > total)
    return {
      kind: 'binary',
      format: 'unknown',
      // Python rounds half to even; the ratio is never exactly .5 in practice.
      looksLike: `binary data (${Math.max(1, Math.round((100 * control) / total))}% of the sampled bytes are NUL or control bytes)`,
      magic: hexPrefix(head),
    };
  // The common case, at native speed; the counts below are needed only when this fails.
  if (samples.every(isUtf8)) return { kind: 'text', encoding: 'utf-8', badBytes: 0 };
  let multi = 0;
  let bad = 0;
  for (const s of samples) {
    const [m, b] = utf8Counts(s);
    multi += m;
    bad += b;
  }
  if (bad === 0) return { kind: 'text', encoding: 'utf-8', badBytes: 0 };
  if (multi >= 2 * bad) return { kind: 'text', encoding: 'utf-8', badBytes: bad };
  const sum = (f: (s: Buffer) => number) => samples.reduce((n, s) => n + f(s), 0);
  const gb = sum(gbScore);
  const cp = sum((s) => singleByteScore(s, false));
  const latin = sum((s) => singleByteScore(s, true));
  const encoding: Encoding = gb > cp && gb > latin ? 'gb18030' : latin > cp ? 'latin-1' : 'cp1252';
  return { kind: 'text', encoding, badBytes: 0 };
}

function isUtf8(s: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(s);
    return true;
  } catch {
    return false;
  }
}

export async function sniffFile(path: string): Promise<Decision> {
  const { samples, size } = await readSamples(path);
  return decide(samples, size);
}

/** Decodes bytes in a decided encoding (bad bytes become U+FFFD; a BOM is dropped). */
export function decodeAs(buf: Uint8Array, encoding: Encoding, stream = false): string {
  switch (encoding) {
    case 'latin-1':
      return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
    case 'cp1252':
      return decodeCp1252(buf);
    case 'gb18030':
      return new TextDecoder('gb18030').decode(buf, { stream });
    case 'utf-16':
      return new TextDecoder(buf[0] === 0xfe ? 'utf-16be' : 'utf-16le').decode(buf, { stream });
    default:
      return new TextDecoder('utf-8').decode(buf, { stream });
  }
}

// 0x80-0x9F in Windows-1252 (undefined bytes kept as their C1 code points, as WHATWG does). Written out because
// Node's TextDecoder('windows-1252') decodes this range as Latin-1 in some versions.
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeCp1252(buf: Uint8Array): string {
  let out = '';
  for (const b of buf) out += b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return out;
}

/** The one-line refusal of a binary or empty file with a data extension, as the kernel words it. */
export function refusal(name: string, d: Decision): string | undefined {
  if (d.kind === 'empty') return `${name} is empty (0 bytes): choose a file that holds data`;
  if (d.kind !== 'binary') return undefined;
  const hint = HINTS[d.format];
  return `${name} is not a text data file: it looks like ${d.looksLike} (its first bytes are ${d.magic})${hint ? `; ${hint}` : ''}`;
}
