// A retry is news the user should see ("retrying in 2 s, attempt 2 of 4"): the service turns each retry
// of sendWithRetry into a `status` event, in the UI's language, while the request is still waiting.
import type { Stage, StatusEvent } from '../protocol/events';
import type { RetryInfo } from './send';

export type StatusLocale = 'en' | 'zh-cn';

const seconds = (ms: number, zh: boolean) => {
  if (ms < 1000) return zh ? `${Math.round(ms)} 毫秒` : `${Math.round(ms)} ms`;
  const s = ms < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000);
  return zh ? `${s} 秒` : `${s} s`;
};

function cause(reason: string, zh: boolean): string {
  const status = /^HTTP (\d+)$/.exec(reason)?.[1];
  if (status === '429') return zh ? `请求过于频繁（HTTP 429）` : `Rate limited (HTTP 429)`;
  if (status) return zh ? `服务器出错（HTTP ${status}）` : `Server error (HTTP ${status})`;
  return zh ? `连接失败（${reason}）` : `Connection failed (${reason})`;
}

/** The status event for one retry: `attempt` is the attempt that failed, the next one is attempt + 1. */
export function retryStatus(stage: Stage, info: RetryInfo, maxAttempts: number, locale?: StatusLocale): StatusEvent {
  const zh = locale === 'zh-cn';
  const next = info.attempt + 1;
  const content = zh
    ? `${cause(info.reason, true)}：${seconds(info.delayMs, true)}后重试，第 ${next} 次，共 ${maxAttempts} 次`
    : `${cause(info.reason, false)}: retrying in ${seconds(info.delayMs, false)}, attempt ${next} of ${maxAttempts}`;
  return { type: 'status', stage, kind: 'retry', content, attempt: next, attempts: maxAttempts, delayMs: info.delayMs };
}

/**
 * Runs `task`, yielding what it reports while it runs (the retries of a request that is still being
 * sent), then returns its result or throws its error.
 */
export async function* reportWhile<T, S>(task: (report: (s: S) => void) => Promise<T>): AsyncGenerator<S, T> {
  const queue: S[] = [];
  let wake: (() => void) | undefined;
  let settled = false;
  const done = task((s) => {
    queue.push(s);
    wake?.();
  });
  const settle = () => {
    settled = true;
    wake?.();
  };
  done.then(settle, settle);
  for (;;) {
    while (queue.length) yield queue.shift()!;
    if (settled) return await done;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
}
