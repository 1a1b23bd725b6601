// The one home of the waiting helpers: a delay that may be cancelled, and a promise raced with an
// AbortSignal so that no await outlives a Stop. Used by the agent modes, the LLM retries and the hosts.

/**
 * Resolves after `ms` (a timer that does not keep the process alive). With a signal: rejects with the
 * signal's reason as soon as it aborts, and clears the timer.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Settles like `p`, or rejects with `reason()` as soon as the signal aborts (p keeps running). */
export function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, reason: () => unknown = () => signal?.reason): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Resolves with true when `p` settles within `ms`, false otherwise (never rejects). */
export function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true, () => true), delay(ms).then(() => false)]);
}
