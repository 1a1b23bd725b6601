// `radarm preview FILE|FOLDER|GLOB [--table T] [--python P] [--json]`: Preview Data in a terminal — the column
// profile as a text table (or the preview as JSON), with no model and no key. The same stream as the VS Code tab
// (src/preview/stream.ts); the terminal waits for the pandas profile and prints it once.
import * as path from 'node:path';
import { createKernel } from '../kernel';
import { quickPreview } from '../kernel/preview-quick';
import type { ColumnPreview, DataPreview } from '../protocol/preview';
import { kernelReaders, previewMessages, type PreviewSource } from '../preview/stream';
import { shapeCaption } from '../util/shape-caption';
const EXIT = { ok: 0, error: 1, usage: 2 } as const; // as src/cli/main.ts's

export const PREVIEW_USAGE = `Usage: radarm preview FILE|FOLDER|GLOB [--table NAME] [--python PATH] [--json]

The column profile of a data file (CSV/TSV, Excel, JSON, Parquet), a dataset (a folder or glob of CSV parts) or
an SQLite table: type, missing values, distinct values, range or top values, from the first 20,000 rows.
  --table NAME   the SQLite table to preview (without it, the tables are listed)
  --python PATH  the interpreter (default: RADARM_PYTHON, else python3 on PATH)
  --json         print the preview as JSON (the structure the VS Code tab shows)
Exit codes: 0 shown, 1 the file could not be read (the message says why, with its code), 2 bad arguments.`;

const fmt = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '')) : String(v);

function summary(c: ColumnPreview): string {
  if (c.min !== undefined) return `${fmt(c.min)} – ${fmt(c.max)}${c.mean !== undefined && c.mean !== null ? `, mean ${fmt(c.mean)}` : ''}`;
  return (c.top ?? []).map((t) => `${fmt(t.value)} (${t.count})`).join(', ');
}

/** The profile as an aligned text table (columns padded by their display width: CJK counts double). */
export function profileText(p: DataPreview): string {
  const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);
  const clip = (s: string, n: number) => (width(s) <= n ? s : `${[...s].slice(0, n - 1).join('')}…`);
  const rows = [['column', 'type', 'missing', 'distinct', 'range / top values'], ...p.columns.map((c) => [clip(c.name, 30), c.dtype, String(c.missing), String(c.distinct), clip(summary(c), 60)])];
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => width(r[j]))));
  const line = (r: string[]) => r.map((cell, j) => cell + ' '.repeat(widths[j] - width(cell))).join('  ').trimEnd();
  const head = [
    `${p.name}: ${shapeCaption(p.totalRows, p.totalColumns, 'en', { approxRows: p.totalRowsEstimated })}` +
      (p.sampled ? ` (profile of the first ${p.sampleRows} rows)` : '') +
      (p.dataset ? `; ${p.dataset.parts} parts, ${p.dataset.totalBytes} bytes` : ''),
    ...(p.notes?.length ? [p.notes.join('; ')] : []),
  ];
  return [...head, '', line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export async function previewCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let file: string | undefined;
  let table: string | undefined;
  let python = env.RADARM_PYTHON;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${PREVIEW_USAGE}\n`);
      return EXIT.ok;
    } else if (a === '--json') json = true;
    else if ((a === '--table' || a === '--python') && argv[i + 1] !== undefined) {
      if (a === '--table') table = argv[++i];
      else python = argv[++i];
    } else if (!a.startsWith('--') && file === undefined) file = a;
    else {
      process.stderr.write(`radarm preview: unexpected argument ${a}\n\n${PREVIEW_USAGE}\n`);
      return EXIT.usage;
    }
  }
  if (!file) {
    process.stderr.write(`radarm preview: name a file, folder or glob\n\n${PREVIEW_USAGE}\n`);
    return EXIT.usage;
  }
  const full = path.resolve(file);
  const kernel = createKernel({ cwd: process.cwd(), ...(python ? { pythonPath: python } : {}), settingName: '--python', warmup: false });
  // (the kernel's sandbox is shown the file, or a dataset's folder, when it is previewed)
  try {
    if (/\.(sqlite3?|db)$/i.test(full) && table === undefined) {
      const { sqliteTables } = await import('../kernel/preview-quick');
      await kernel.start();
      const tables = await sqliteTables({ pythonPath: kernel.pythonPath! }, full);
      process.stdout.write(json ? `${JSON.stringify({ tables })}\n` : `${tables.join('\n')}\n(choose one with --table NAME)\n`);
      return EXIT.ok;
    }
    const source: PreviewSource = { path: full, name: path.basename(full), ...(table !== undefined ? { table } : {}) };
    await kernel.start().catch(() => undefined); // its error, if any, arrives as the preview's
    const pythonPath = kernel.pythonPath ?? python ?? 'python3';
    const quick = (s: PreviewSource) => quickPreview({ pythonPath }, s);
    let last: DataPreview | undefined;
    for await (const m of previewMessages(source, table !== undefined ? { quick } : kernelReaders(kernel, quick))) {
      if (m.type === 'previewError') {
        process.stderr.write(`radarm preview: ${m.message} [${m.code ?? 'failed'}]\n`);
        return EXIT.error;
      }
      if (m.type === 'preview') last = m.preview;
    }
    if (!last) return EXIT.error;
    process.stdout.write(json ? `${JSON.stringify(last)}\n` : `${profileText(last)}\n`);
    return EXIT.ok;
  } finally {
    await kernel.dispose();
  }
}
