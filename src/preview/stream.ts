// Preview Data as a stream of messages for the tab (or the CLI): the pandas-free first screen as soon as it is
// read, then the kernel's pandas profile in its place. A warm kernel answers alone (kernelReaders); a cold one is
// asked once the quick reader is done. A definite failure (missing, empty, binary file) is
// said once, from whichever reader finds it first. Used by the VS Code host, `radarm preview` and the bench.
import { performance } from 'node:perf_hooks';
import { KernelStartError } from '../kernel/resolve-python';
import { PreviewFailure, type QuickResult } from '../kernel/preview-quick';
import type { DataPreview, PreviewErrorCode, PreviewMessage } from '../protocol/preview';

export interface PreviewSource {
  /** A data file, a dataset folder or glob, or an SQLite file (with `table`). */
  path: string;
  /** What the tab and messages call it. */
  name: string;
  /** An SQLite table: read by the quick reader only (its sample is the whole view; there is no pandas stage). */
  table?: string;
}

export interface PreviewReaders {
  /** The pandas-free first screen; absent when no interpreter is known yet. */
  quick?: (source: PreviewSource) => Promise<QuickResult>;
  /** The kernel's pandas profile; absent for SQLite tables. */
  full?: (source: PreviewSource) => Promise<DataPreview>;
}

/**
 * The readers for a file, dataset or SQLite table with this kernel: the quick reader only while the kernel has not
 * said hello yet (a warm kernel answers in ~50-150 ms; a second process would only compete with it for the CPU).
 */
export function kernelReaders(
  kernel: { readonly info?: unknown; preview?(file: string): Promise<DataPreview> },
  quick: (source: PreviewSource) => Promise<QuickResult>,
): PreviewReaders {
  return { ...(kernel.info ? {} : { quick }), full: (s) => kernel.preview!(s.path) };
}

/** Codes that no second reader can turn into a preview: said at once. */
const DEFINITE: ReadonlySet<string> = new Set(['not-found', 'folder', 'empty', 'binary', 'dataset', 'database', 'too-big']);

export function failureOf(err: unknown): { code: PreviewErrorCode; message: string } {
  if (err instanceof PreviewFailure) return { code: err.code, message: err.message };
  if (err instanceof KernelStartError)
    return { code: err.code === 'pandas-missing' ? 'pandas-missing' : 'python', message: err.message };
  return { code: 'failed', message: err instanceof Error ? err.message.replace(/^Error: /, '') : String(err) };
}

type Settled = { from: 'quick'; r: QuickResult } | { from: 'full'; ok: true; p: DataPreview } | { from: 'full'; ok: false; code: PreviewErrorCode; message: string };

/** `startedAt` (performance.now() when the user asked): each message's `ms` counts from there. */
export async function* previewMessages(source: PreviewSource, readers: PreviewReaders, startedAt = performance.now()): AsyncGenerator<PreviewMessage> {
  const t0 = startedAt;
  const ms = () => performance.now() - t0;
  const pending = new Map<'quick' | 'full', Promise<Settled>>();
  const quick = readers.quick?.(source).then((r): Settled => ({ from: 'quick', r }));
  if (quick) pending.set('quick', quick);
  if (readers.full && source.table === undefined) {
    const full = readers.full;
    // A cold kernel starts once the quick reader is done: on a busy machine its pandas import would take the
    // CPU the first screen needs (measured: the quick reader 255 ms alone, 786 ms racing a kernel start at load 15).
    pending.set(
      'full',
      (quick ?? Promise.resolve()).then(() => full(source)).then(
        (p): Settled => ({ from: 'full', ok: true, p }),
        (e: unknown): Settled => ({ from: 'full', ok: false, ...failureOf(e) }),
      ),
    );
  }
  let shown = false;
  let quickFailure: { code: PreviewErrorCode; message: string } | undefined;
  while (pending.size) {
    const s = await Promise.race(pending.values());
    pending.delete(s.from);
    if (s.from === 'full') {
      if (s.ok) yield { type: 'preview', preview: s.p, ms: ms(), stage: 'full' };
      else yield { type: 'previewError', name: source.name, message: s.message, code: s.code };
      return; // the full profile (or its error) is the last word; a slower quick one is dropped
    }
    const r = s.r;
    if (r.ok) {
      shown = true;
      yield { type: 'preview', preview: r.preview, ms: ms(), stage: pending.size ? 'quick' : 'full' };
    } else if (DEFINITE.has(r.code) || !pending.size) {
      const code = (r.code === 'quick-unsupported' || r.code === 'quick-failed' ? 'failed' : r.code) as PreviewErrorCode;
      quickFailure = { code, message: r.message };
      yield { type: 'previewError', name: source.name, message: r.message, code };
      return;
    }
  }
  if (!shown && !quickFailure) yield { type: 'previewError', name: source.name, message: 'no reader is available', code: 'failed' };
}
