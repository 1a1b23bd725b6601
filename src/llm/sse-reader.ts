// Bytes of a server-sent-events response → parsed SSE messages, through eventsource-parser.
// UTF-8 is decoded with a streaming TextDecoder, so a character split across chunks stays whole; bytes
// that are not UTF-8 end the read with a NotUtf8Error (an event stream is always UTF-8).
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { firstInvalidUtf8 } from './unexpected-body';

export interface SseStats {
  /** Lines the SSE parser could not read as `field: value` (skipped). */
  invalidLines: number;
  bytes: number;
  /** The first characters of the body, to say what the server sent when it was not a stream. */
  head: string;
}

const HEAD_CHARS = 512;

/** One event was larger than the reader will buffer. */
export class EventTooLargeError extends Error {
  constructor(readonly limitChars: number) {
    super(`the server sent an event larger than ${limitChars / 1024 / 1024} MB`);
  }
}

/** The body held bytes that are not UTF-8, at `offset`. */
export class NotUtf8Error extends Error {
  constructor(
    readonly offset: number,
    readonly around: Uint8Array,
  ) {
    super(`not UTF-8 at byte ${offset}`);
  }
}

/** A line or event larger than this is an error, not something to buffer forever. */
const MAX_BUFFER_CHARS = 16 * 1024 * 1024;

/** Where the first SSE event in `text` from `from` ends (after its blank line), or -1 if it does not end there. */
export function eventEnd(text: string, from: number): number {
  let end = -1;
  for (const blank of ['\n\n', '\r\n\r\n', '\r\r']) {
    const at = text.indexOf(blank, from);
    if (at >= 0 && (end < 0 || at + blank.length < end)) end = at + blank.length;
  }
  return end;
}

/**
 * Feeds the body to the SSE parser, handing each message to `onMessage` synchronously as it is parsed
 * (no per-message array or object kept alive), and yields once after each network read that delivered
 * at least one message: the caller turns what that read carried into events at that point.
 *
 * Until `hasFirst()` says the caller holds something to show, a read is fed one SSE event at a time and
 * the reader yields as soon as it does: the first event of an answer does not wait for the rest of a
 * read that arrived in a burst (a buffering proxy, or a host that was busy) to be parsed first.
 */
export async function* readSse(
  body: AsyncIterable<Uint8Array | string>,
  stats: SseStats,
  onMessage: (msg: EventSourceMessage) => void,
  hasFirst?: () => boolean,
): AsyncGenerator<void> {
  let waitingForFirst = hasFirst !== undefined;
  let delivered = 0;
  let fatal: Error | undefined;
  const parser = createParser({
    maxBufferSize: MAX_BUFFER_CHARS,
    onEvent: (msg) => {
      delivered++;
      onMessage(msg);
    },
    onError: (err) => {
      if (err.type === 'max-buffer-size-exceeded') fatal = new EventTooLargeError(MAX_BUFFER_CHARS);
      else stats.invalidLines++;
    },
  });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of body) {
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else {
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        // What came before the bad bytes is still delivered (the partial answer is kept), then the error.
        const at = Math.max(0, firstInvalidUtf8(chunk));
        parser.feed(new TextDecoder().decode(chunk.subarray(0, at)));
        if (delivered) yield;
        throw new NotUtf8Error(stats.bytes + at, chunk.subarray(at, at + 12));
      }
      stats.bytes += chunk.byteLength;
    }
    if (stats.head.length < HEAD_CHARS) stats.head += text.slice(0, HEAD_CHARS - stats.head.length);
    if (waitingForFirst) {
      // Splitting the text anywhere is safe (the parser keeps a partial line for the next feed); at
      // event ends it lets the first event out before the rest of this read is parsed.
      let at = 0;
      while (at < text.length && waitingForFirst) {
        const end = eventEnd(text, at);
        const next = end < 0 ? text.length : end;
        parser.feed(at === 0 && next === text.length ? text : text.slice(at, next));
        at = next;
        if (fatal) throw fatal;
        if (hasFirst!()) waitingForFirst = false;
      }
      if (delivered) {
        delivered = 0;
        yield;
      }
      if (at >= text.length) continue;
      text = text.slice(at);
    }
    parser.feed(text);
    if (fatal) throw fatal;
    if (delivered) {
      delivered = 0;
      yield;
    }
  }
  // A last event without its blank line still counts (some servers end with `data: [DONE]`):
  // terminate it; blank lines after nothing dispatch nothing.
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw new NotUtf8Error(stats.bytes, new Uint8Array());
  }
  parser.feed(rest + '\n\n');
  if (delivered) yield;
}
