// A conversation's memory for the model: one entry per turn, built from the turn's events alone, so
// that a live turn, a stored one (the panel's history file) and a CLI session file give the same
// history. A failed turn is kept with what failed and the last code tried, so "fix it" can follow;
// a cancelled turn (error code `cancelled`) is not.
import type { HistoryEntry } from '../agent/types';
import { extractPythonCode } from '../agent/code-extract';
import type { RadarmEvent } from '../protocol/events';

/** Watches a turn's events and builds its history entry. */
export function historyRecorder(question: string) {
  let complete: Extract<RadarmEvent, { type: 'complete' }> | undefined;
  let error: Extract<RadarmEvent, { type: 'error' }> | undefined;
  let codeText = '';
  let lastCode: string | null = null;
  let lastOutput: string | null = null;
  let codeStage = '';
  const flushCode = () => {
    const code = codeText && extractPythonCode(codeText);
    if (code) lastCode = code;
    codeText = '';
  };
  return {
    get ended() {
      return complete !== undefined || error !== undefined;
    },
    see(ev: RadarmEvent) {
      // The model's text of one code-writing call arrives as consecutive content events of its stage.
      if (ev.type === 'content' && (ev.stage === 'code_generation' || ev.stage === 'executor')) {
        codeStage = ev.stage;
        codeText += ev.content;
        return;
      }
      if (codeText && !(ev.type === 'thinking' && ev.stage === codeStage)) flushCode();
      if (ev.type === 'content' && ev.stage === 'execution') lastOutput = ev.content;
      if (ev.type === 'complete') complete = ev;
      if (ev.type === 'error') error = ev;
    },
    /** The history entry; undefined for a cancelled turn or one that ended without a result. */
    entry(cancelled = false): HistoryEntry | undefined {
      if (complete)
        return {
          question,
          reply: complete.data.reply,
          code: complete.data.generated_code,
          output: complete.data.execution_result,
        };
      if (cancelled || !error || error.code === 'cancelled') return undefined;
      flushCode();
      return {
        question,
        reply: `(This turn failed: ${error.content})`,
        code: lastCode,
        output: lastOutput,
        error: error.content,
        ...(error.code ? { errorCode: error.code } : {}),
      };
    },
  };
}

/** The history entry of a finished turn from its stored events. */
export function historyEntryFromEvents(question: string, events: readonly RadarmEvent[]): HistoryEntry | undefined {
  const r = historyRecorder(question);
  for (const ev of events) r.see(ev);
  return r.entry();
}

/** The code a continued conversation re-runs to rebuild its namespace: that of the turns that succeeded. */
export function successfulCode(history: readonly HistoryEntry[]): string[] {
  return history.flatMap((t) => (!t.error && t.code ? [t.code] : []));
}
