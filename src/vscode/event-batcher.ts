// Coalesces a turn's events before they cross to the webview: token deltas arriving within one
// ~16 ms window become one event (coalesceEvents), so 10,000 tokens per second cost ~60 postMessage
// calls per second, not 10,000. Terminal events (complete, error, done) flush at once.
import { coalesceEvents } from '../protocol/messages';
import type { RadarmEvent } from '../protocol/events';

export interface EventBatcher {
  push(event: RadarmEvent): void;
  /** Posts whatever is pending now. */
  flush(): void;
  /** Forgets pending events without posting them (they reached the webview another way, e.g. init). */
  discard(): void;
  dispose(): void;
}

export function createEventBatcher(post: (events: RadarmEvent[]) => void, intervalMs = 16): EventBatcher {
  let pending: RadarmEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const flush = () => {
    clear();
    if (!pending.length) return;
    const batch = coalesceEvents(pending);
    pending = [];
    post(batch);
  };
  return {
    push(event) {
      pending.push(event);
      if (event.type === 'complete' || event.type === 'error' || event.type === 'done') flush();
      else if (!timer) timer = setTimeout(flush, intervalMs);
    },
    flush,
    discard() {
      clear();
      pending = [];
    },
    dispose() {
      clear();
      pending = [];
    },
  };
}
