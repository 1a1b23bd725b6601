// Bytes of a server-sent-events response → parsed SSE messages, through eventsource-parser.
// UTF-8 is decoded with a streaming TextDecoder, so a character split across chunks stays whole.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseStats {
  /** Lines the SSE parser could not read as `field: value` (skipped). */
  invalidLines: number;
  bytes: number;
}

/** A line or event larger than this is an error, not something to buffer forever. */
const MAX_BUFFER_CHARS = 16 * 1024 * 1024;

/**
 * Yields the SSE messages parsed from each network read as one batch: the caller handles a whole read
 * synchronously, so the per-message cost is a function call, not an async-generator round-trip.
 */
export async function* readSse(
  body: AsyncIterable<Uint8Array | string>,
  stats: SseStats,
): AsyncGenerator<EventSourceMessage[]> {
  let pending: EventSourceMessage[] = [];
  let fatal: Error | undefined;
  const parser = createParser({
    maxBufferSize: MAX_BUFFER_CHARS,
    onEvent: (msg) => pending.push(msg),
    onError: (err) => {
      if (err.type === 'max-buffer-size-exceeded')
        fatal = new Error(`the server sent an event larger than ${MAX_BUFFER_CHARS / 1024 / 1024} MB`);
      else stats.invalidLines++;
    },
  });
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of body) {
    if (typeof chunk === 'string') parser.feed(chunk);
    else {
      stats.bytes += chunk.byteLength;
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
    if (fatal) throw fatal;
    if (pending.length) {
      const batch = pending;
      pending = [];
      yield batch;
    }
  }
  // A last event without its blank line still counts (some servers end with `data: [DONE]`):
  // terminate it; blank lines after nothing dispatch nothing.
  parser.feed(decoder.decode() + '\n\n');
  if (pending.length) yield pending;
}
