// Keeps stored conversations bounded: old turns lose their figures and long texts, the oldest turns
// go first when a conversation grows past its caps. Pure: used by the history store before writing
// and before sending history to the webview (whose init message must stay small on long chats).
import type { RadarmEvent } from '../protocol/events';
import { coalesceEvents, type TurnRecord } from '../protocol/messages';

export interface CompactOptions {
  /** Most recent turns kept (the historyLimit setting). */
  maxTurns: number;
  /** The last N turns keep their images and Plotly figures. */
  keepMediaTurns?: number;
  /** Upper bound on the serialised size; oldest turns are dropped past it (the last turn always stays). */
  maxChars?: number;
  /** Longest text kept per event in turns older than keepMediaTurns. */
  maxOldTextChars?: number;
}

export const DEFAULTS = { keepMediaTurns: 10, maxChars: 8_000_000, maxOldTextChars: 20_000 };

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}\n… [${s.length - max} characters not kept in history]` : s);

function slim(events: readonly RadarmEvent[], maxText: number): RadarmEvent[] {
  return events.map((e) => {
    if (e.type === 'complete') {
      const d = e.data;
      return {
        type: 'complete',
        data: {
          ...d,
          image: null,
          plotly_json: null,
          execution_result: d.execution_result === null ? null : clip(d.execution_result, maxText),
          // Old turns keep the first rows of their tables (the total shape still says how many there were).
          ...(d.tables ? { tables: d.tables.map((t) => ({ ...t, rows: t.rows.slice(0, 200), index: t.index.slice(0, 200) })) } : {}),
        },
      };
    }
    if (e.type === 'thinking' || e.type === 'content') return { ...e, content: clip(e.content, maxText) };
    return e;
  });
}

/** A finished copy of a turn that was still streaming when it was saved (e.g. the window reloaded). */
export function closeUnfinished(turn: TurnRecord, reason: string): TurnRecord {
  if (turn.events.some((e) => e.type === 'done')) return turn;
  const terminal = turn.events.some((e) => e.type === 'complete' || e.type === 'error');
  const events: RadarmEvent[] = [...turn.events];
  if (!terminal) events.push({ type: 'error', content: reason });
  events.push({ type: 'done' });
  return { ...turn, events };
}

export function compactTurns(turns: readonly TurnRecord[], opts: CompactOptions): TurnRecord[] {
  const keepMedia = opts.keepMediaTurns ?? DEFAULTS.keepMediaTurns;
  const maxChars = opts.maxChars ?? DEFAULTS.maxChars;
  const maxText = opts.maxOldTextChars ?? DEFAULTS.maxOldTextChars;
  let kept = turns.slice(-Math.max(1, opts.maxTurns)).map((t, i, all) => {
    const events = coalesceEvents(t.events);
    return { ...t, events: i < all.length - keepMedia ? slim(events, maxText) : events };
  });
  // Past the size cap: first strip media from every turn but the last, then drop the oldest turns.
  let size = JSON.stringify(kept).length;
  if (size > maxChars) {
    kept = kept.map((t, i) => (i < kept.length - 1 ? { ...t, events: slim(t.events, maxText) } : t));
    size = JSON.stringify(kept).length;
  }
  while (size > maxChars && kept.length > 1) {
    size -= JSON.stringify(kept[0]).length + 1;
    kept = kept.slice(1);
  }
  return kept;
}

/** A short title for a conversation: its first question, on one line. */
export function titleOf(turns: readonly TurnRecord[]): string {
  const q = turns[0]?.question.replace(/\s+/g, ' ').trim() ?? '';
  return q.length > 80 ? `${q.slice(0, 79)}…` : q;
}
