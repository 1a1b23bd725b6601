// Running turns, each with a bounded buffer of its numbered events, so a client that loses its connection
// can come back (GET /chat/stream/<id> + Last-Event-ID) and get exactly what came after the last event it
// saw. A turn keeps running without clients for a grace period; then it is stopped. A finished turn's
// buffer is kept for the same grace period, for clients that dropped just before its end.
import { randomUUID } from 'node:crypto';
import type { ErrorEvent, RadarmEvent } from '../protocol/events';

export interface NumberedEvent {
  id: number;
  event: RadarmEvent;
}

export interface StreamLimits {
  /** How long a turn runs on without any client, and how long a finished turn stays resumable. */
  graceMs: number;
  /** Events kept per turn; older ones are dropped (a resume from before them gets 410). */
  maxEvents: number;
  /** Bytes of event JSON kept per turn. */
  maxBytes: number;
}

export type Subscription =
  | { ok: true; events: AsyncGenerator<NumberedEvent> }
  /** The events after `afterId` are no longer all buffered. */
  | { ok: false; firstBuffered: number; lastId: number };

export interface TurnStream {
  readonly id: string;
  readonly sessionId: string;
  readonly finished: boolean;
  readonly lastId: number;
  readonly clients: number;
  /** Streams events with id > afterId: the buffered ones, then live ones, until `done`. */
  subscribe(afterId: number, signal?: AbortSignal): Subscription;
  /** Ends the turn now with this error (then `done`) and cancels what still runs. No-op once finished. */
  stop(error: ErrorEvent): void;
  /** Settles when the turn's source has fully wound down (the session may take the next turn). */
  readonly settled: Promise<void>;
}

export interface StreamRegistry {
  start(sessionId: string, source: AsyncIterable<RadarmEvent>, abort: AbortController): TurnStream;
  get(id: string): TurnStream | undefined;
  /** The running (unfinished) turn of a session, if any. */
  runningFor(sessionId: string): TurnStream | undefined;
  readonly running: number;
  /** Stops every running turn with `error`, and waits (up to `waitMs`) for them to wind down. */
  stopAll(error: ErrorEvent, waitMs: number): Promise<void>;
}

export function createStreamRegistry(
  limits: StreamLimits,
  hooks: { onStart?(s: TurnStream): void; onFinish?(s: TurnStream, last: RadarmEvent | undefined): void } = {},
): StreamRegistry {
  const streams = new Map<string, TurnStream>();
  let running = 0;

  function start(sessionId: string, source: AsyncIterable<RadarmEvent>, abort: AbortController): TurnStream {
    const id = randomUUID();
    const buffer: (NumberedEvent & { bytes: number })[] = [];
    let bytes = 0;
    let lastId = 0;
    let finished = false;
    let terminal: RadarmEvent | undefined;
    let clients = 0;
    let graceTimer: NodeJS.Timeout | undefined;
    const waiters = new Set<() => void>();
    const wake = () => {
      for (const w of [...waiters]) w();
    };

    function push(event: RadarmEvent) {
      if (finished) return;
      const n = { id: ++lastId, event, bytes: Buffer.byteLength(JSON.stringify(event)) };
      buffer.push(n);
      bytes += n.bytes;
      while (buffer.length > 1 && (buffer.length > limits.maxEvents || bytes > limits.maxBytes)) bytes -= buffer.shift()!.bytes;
      if (event.type === 'complete' || event.type === 'error') terminal = event;
      if (event.type === 'done') finish();
      wake();
    }

    function finish() {
      finished = true;
      running--;
      clearTimeout(graceTimer);
      hooks.onFinish?.(stream, terminal);
      // Resumable for the grace period, then forgotten.
      setTimeout(() => streams.delete(id), limits.graceMs).unref();
    }

    function armGrace() {
      clearTimeout(graceTimer);
      if (finished || clients > 0) return;
      graceTimer = setTimeout(() => {
        stream.stop({
          type: 'error',
          code: 'cancelled',
          content: `No client was connected for ${Math.round(limits.graceMs / 1000)} s, so the turn was stopped.`,
        });
      }, limits.graceMs);
      graceTimer.unref();
    }

    let settle!: () => void;
    const settled = new Promise<void>((r) => (settle = r));

    const stream: TurnStream = {
      id,
      sessionId,
      get finished() {
        return finished;
      },
      get lastId() {
        return lastId;
      },
      get clients() {
        return clients;
      },
      settled,
      subscribe(afterId, signal) {
        const first = buffer[0]?.id ?? lastId + 1;
        if (afterId < first - 1) return { ok: false, firstBuffered: first, lastId };
        return { ok: true, events: follow(afterId, signal) };
      },
      stop(error) {
        if (finished) return;
        push(error);
        push({ type: 'done' });
        abort.abort();
      },
    };

    async function* follow(afterId: number, signal?: AbortSignal): AsyncGenerator<NumberedEvent> {
      clients++;
      clearTimeout(graceTimer);
      let pos = afterId;
      const onAbort = () => wake();
      signal?.addEventListener('abort', onAbort);
      try {
        while (!signal?.aborted) {
          const first = buffer[0]?.id ?? lastId + 1;
          // This reader fell behind the buffer (a very slow client): end; it may resume and get a 410.
          if (pos < first - 1) return;
          // Indexed afresh each time: the buffer may have dropped old events while we were yielding.
          const next = buffer[pos + 1 - first];
          if (next) {
            pos = next.id;
            yield { id: next.id, event: next.event };
            continue;
          }
          if (finished) return;
          await new Promise<void>((resolve) => {
            const w = () => {
              waiters.delete(w);
              resolve();
            };
            waiters.add(w);
          });
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        clients--;
        armGrace();
      }
    }

    streams.set(id, stream);
    running++;
    hooks.onStart?.(stream);
    armGrace();
    // The pump: reads the turn as fast as it comes, whatever the clients do.
    (async () => {
      try {
        for await (const ev of source) {
          push(ev);
          if (finished) break;
        }
      } catch (err) {
        push({ type: 'error', code: 'internal', content: `The turn failed: ${(err as Error)?.message ?? err}` });
      } finally {
        if (!finished) {
          push({ type: 'error', code: 'internal', content: 'The turn ended without a result.' });
          push({ type: 'done' });
        }
        settle();
      }
    })();
    return stream;
  }

  return {
    start,
    get: (id) => streams.get(id),
    runningFor(sessionId) {
      for (const s of streams.values()) if (s.sessionId === sessionId && !s.finished) return s;
      return undefined;
    },
    get running() {
      return running;
    },
    async stopAll(error, waitMs) {
      const live = [...streams.values()].filter((s) => !s.finished);
      for (const s of live) s.stop(error);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(live.map((s) => s.settled)),
        new Promise<void>((r) => (timer = setTimeout(r, waitMs))),
      ]);
      clearTimeout(timer);
    },
  };
}
