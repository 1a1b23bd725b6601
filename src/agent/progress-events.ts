// A run of code with its progress as protocol events: while the kernel computes on Dask, each update of Dask's
// own progress plugin (tasks done of total) becomes a `status{progress}` event with the dashboard link, at most
// one every PROGRESS_EVERY_MS (the last one of a burst is kept, not dropped).
import type { StatusEvent } from '../protocol/events';
import type { ExecutionProgress, ExecutionResult, PythonKernel } from '../kernel/types';
import type { Lang } from './announcements';

export const PROGRESS_EVERY_MS = 250;

export function progressText(lang: Lang, p: ExecutionProgress): string {
  return lang === 'zh'
    ? `正在 Dask 上计算：已完成 ${p.done}/${p.total} 个任务`
    : `Computing on Dask: ${p.done} of ${p.total} tasks done`;
}

export function progressEvent(lang: Lang, p: ExecutionProgress): StatusEvent {
  return {
    type: 'status',
    stage: 'execution',
    kind: 'progress',
    content: progressText(lang, p),
    done: p.done,
    total: p.total,
    ...(p.url ? { url: p.url } : {}),
  };
}

export async function* executeWithProgress(
  kernel: PythonKernel,
  code: string,
  opts: { lang: Lang; signal?: AbortSignal; timeoutMs?: number },
): AsyncGenerator<StatusEvent, ExecutionResult> {
  let latest: ExecutionProgress | undefined;
  let wake: (() => void) | undefined;
  let lastSent = 0;
  const running = kernel.execute(code, {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    onProgress: (p) => {
      latest = p;
      wake?.();
    },
  });
  let finished = false;
  const done = running.then(
    () => void (finished = true),
    () => void (finished = true),
  );
  while (!finished) {
    if (!latest) {
      await Promise.race([done, new Promise<void>((r) => (wake = r))]);
      wake = undefined;
      continue;
    }
    const wait = lastSent + PROGRESS_EVERY_MS - Date.now();
    if (wait > 0) await Promise.race([done, new Promise((r) => setTimeout(r, wait))]);
    if (finished) break;
    const p = latest;
    latest = undefined;
    lastSent = Date.now();
    yield progressEvent(opts.lang, p);
  }
  return running;
}
