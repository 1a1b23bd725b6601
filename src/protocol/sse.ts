// SSE encoding/decoding of protocol events (`data: <json>\n\n`), as the seed's /chat/stream spoke it.
import { createParser } from 'eventsource-parser';
import { isRadarmEvent, type RadarmEvent } from './events';

export function encodeSse(event: RadarmEvent): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}

export function encodeNdjson(event: RadarmEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/**
 * Decodes a byte or string stream of SSE-encoded protocol events. Chunks may split anywhere,
 * including inside a UTF-8 character. Lines that are not valid protocol events are reported
 * through `onInvalid` and skipped.
 */
export async function* decodeSse(
  chunks: AsyncIterable<Uint8Array | string>,
  onInvalid: (raw: string) => void = () => {},
): AsyncGenerator<RadarmEvent> {
  const pending: RadarmEvent[] = [];
  const parser = createParser({
    onEvent(msg) {
      try {
        const value: unknown = JSON.parse(msg.data);
        if (isRadarmEvent(value)) pending.push(value);
        else onInvalid(msg.data);
      } catch {
        onInvalid(msg.data);
      }
    },
  });
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (pending.length) yield pending.shift()!;
  }
  parser.feed(decoder.decode());
  while (pending.length) yield pending.shift()!;
}
