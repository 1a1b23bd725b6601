import type { LlmStreamEvent } from './types';

const utf8 = new TextEncoder();

/**
 * The part of one read's events that fits in `budget` UTF-8 bytes: a read that crosses the answer
 * cap shows the answer up to the cap, never past it (one read can carry many deltas under load).
 * A cut falls between whole characters.
 */
export function withinByteBudget(batch: readonly LlmStreamEvent[], budget: number): LlmStreamEvent[] {
  const kept: LlmStreamEvent[] = [];
  let left = Math.max(0, budget);
  for (const e of batch) {
    if (e.type !== 'thinking' && e.type !== 'content') {
      kept.push(e);
      continue;
    }
    if (left <= 0) break;
    const bytes = Buffer.byteLength(e.content);
    if (bytes <= left) {
      kept.push(e);
      left -= bytes;
      continue;
    }
    const { read } = utf8.encodeInto(e.content, new Uint8Array(left));
    if (read) kept.push({ ...e, content: e.content.slice(0, read) });
    break;
  }
  return kept;
}
