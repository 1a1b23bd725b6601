// Runs one turn's event source to its end under the stream contract, whatever the source does:
// exactly one terminal event (complete or error) then `done`; Stop ends the turn at once even when the
// source is stuck in an await (we stop reading it and ask it to return, without waiting for it).
import { errorMessage, type RadarmEvent } from '../protocol/events';

export interface RunTurnOptions {
  signal: AbortSignal;
  /** Error text when the user stopped the turn. */
  stoppedText: string;
  /** Error text when the source ended without a complete or error event. */
  noResultText: string;
}

export async function* runToEnd(source: AsyncIterable<RadarmEvent>, opts: RunTurnOptions): AsyncGenerator<RadarmEvent> {
  const it = source[Symbol.asyncIterator]();
  const aborted = new Promise<'aborted'>((resolve) => {
    if (opts.signal.aborted) resolve('aborted');
    else opts.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  let terminal = false;
  try {
    while (!terminal) {
      const r = await Promise.race([it.next(), aborted]);
      if (r === 'aborted' || r.done) break;
      const ev = r.value;
      if (ev.type === 'done') break;
      yield ev;
      if (ev.type === 'complete' || ev.type === 'error') terminal = true;
    }
  } catch (err) {
    if (!terminal && !opts.signal.aborted) {
      terminal = true;
      yield { type: 'error', content: `${opts.noResultText} ${errorMessage(err)}`.trim(), code: 'internal' };
    }
  } finally {
    // Not awaited: a source stuck in an await must not keep Stop waiting. Its own finally blocks
    // (closing the HTTP stream, interrupting the kernel) run when its pending await settles.
    it.return?.(undefined)?.catch(() => {});
  }
  if (!terminal)
    yield opts.signal.aborted
      ? { type: 'error', content: opts.stoppedText, code: 'cancelled' }
      : { type: 'error', content: opts.noResultText, code: 'internal' };
  yield { type: 'done' };
}
