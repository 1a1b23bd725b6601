// The panel's store in the browser: the current state (panel-state.ts holds the reducer), the
// per-frame queue of event batches, persistence through vscode.setState, and the user actions
// that post to the host. Nothing happens at import time: main.tsx calls startStore().
//
// Event batches are queued and applied once per animation frame (with a timer fallback, as hidden
// webviews get no frames), so 10,000 tokens/s cost one DOM update per frame. A structural change
// makes a new state, which re-renders the Preact tree; text growth goes straight to the stream views.
import type { RadarmEvent } from '../src/protocol/events';
import { isLocale, isPanelMode, parseHostMessage, type Locale, type PanelMode, type TurnRecord } from '../src/protocol/messages';
import { findTurn, initialState, reduce, type PanelMessage, type PanelStore } from './panel-state';
import { flushTurn, toRecord, type TurnModel } from './turn-model';
import { getState, post, setState } from './vscode-api';

export type { Notice, PanelStore } from './panel-state';

/** The current state; replaced (never mutated by views) on every change. A live binding. */
export let store: PanelStore = initialState();

const listeners = new Set<() => void>();

export function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Runs a message through the reducer and tells the views when the state changed. Quiet: a change
 * the DOM shows already (a keystroke, a scroll position), so nothing re-renders.
 */
export function dispatch(msg: PanelMessage, quiet = false): void {
  const before = store;
  store = reduce(store, msg);
  if (store.locale !== before.locale) document.documentElement.lang = store.locale === 'zh-cn' ? 'zh-CN' : 'en';
  if (store !== before && !quiet) for (const fn of listeners) fn();
}

// ---------------------------------------------------------------------------------------------
// Start-up

/** Reads the page's locale and plotly URI, restores the cached state and starts persisting. */
export function startStore(): void {
  const l = document.body?.dataset.locale;
  store = initialState(isLocale(l) ? l : 'en', document.body?.dataset.plotlyUri ?? '');
  // Going away (hidden, reloaded): save now rather than after the debounce.
  addEventListener('pagehide', () => persistNow());
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && persistNow());
  restorePersisted();
}

// ---------------------------------------------------------------------------------------------
// Persistence (vscode.setState): survives the view being hidden and shown, and a page reload.

interface Persisted {
  v: 1;
  draft: string;
  mode: PanelMode;
  selected: string[];
  locale: Locale;
  turns: TurnRecord[];
  scrollTop: number | null;
}

/** Cached turns are a fast first paint only (the host's init is authoritative): keep them small. */
const PERSIST_BUDGET_CHARS = 1_500_000;
let persistTimer: ReturnType<typeof setTimeout> | undefined;
let cachedTurns: TurnRecord[] = [];
let turnsDirty = true;

export function persistSoon(delayMs = 400): void {
  clearTimeout(persistTimer);
  persistTimer = setTimeout(persistNow, delayMs);
}

export function persistTurnsSoon(): void {
  turnsDirty = true;
  persistSoon();
}

function persistNow(): void {
  clearTimeout(persistTimer);
  if (turnsDirty) {
    // Newest turns first until the budget is spent; a turn still streaming is left to the host.
    const out: TurnRecord[] = [];
    let size = 0;
    for (let i = store.turns.length - 1; i >= 0; i--) {
      const t = store.turns[i];
      if (!t.done) continue;
      const rec = toRecord(t);
      size += rec.question.length + rec.events.reduce((n, e) => n + JSON.stringify(e).length, 0);
      if (size > PERSIST_BUDGET_CHARS) break;
      out.unshift(rec);
    }
    cachedTurns = out;
    turnsDirty = false;
  }
  const state: Persisted = {
    v: 1,
    draft: store.draft,
    mode: store.mode,
    selected: store.selected,
    locale: store.locale,
    turns: cachedTurns,
    scrollTop: store.scrollTop,
  };
  setState(state);
}

function restorePersisted(): void {
  const s = getState() as Partial<Persisted> | undefined;
  if (!s || s.v !== 1) return;
  let turns: TurnRecord[] | undefined;
  if (Array.isArray(s.turns)) {
    // Re-validate: state written by an older panel version must not break this one.
    const parsed = parseHostMessage({ type: 'init', state: { ...emptyInitFields(), turns: s.turns } });
    if (parsed?.type === 'init') {
      turns = parsed.state.turns;
      cachedTurns = turns;
      turnsDirty = false;
    }
  }
  dispatch({
    type: 'local/restore',
    draft: typeof s.draft === 'string' ? s.draft : undefined,
    mode: isPanelMode(s.mode) ? s.mode : undefined,
    selected: Array.isArray(s.selected) ? s.selected.filter((f) => typeof f === 'string') : undefined,
    locale: isLocale(s.locale) ? s.locale : undefined,
    scrollTop: typeof s.scrollTop === 'number' || s.scrollTop === null ? s.scrollTop : undefined,
    turns,
  });
}

const emptyInitFields = () => ({
  locale: store.locale,
  mode: store.mode,
  providers: [],
  providerId: '',
  trusted: true,
  plotlyUri: '',
  dataFiles: { available: [], selected: [] },
  busyTurnId: null,
});

// ---------------------------------------------------------------------------------------------
// Event batches, applied once per frame

let queue: { turnId: string; events: RadarmEvent[] }[] = [];
let frame = 0;
let fallback: ReturnType<typeof setTimeout> | undefined;

/** Optional instrumentation for the benchmark and tests: window.__radarmPerf = [] turns it on. */
interface PerfSample {
  at: number;
  ms: number;
  /** Of ms: applying events to the models (the rest is rendering into the DOM, then style and layout). */
  applyMs: number;
  /** Of ms: style recalculation and layout, forced at the end of the frame's work while measuring. */
  layoutMs: number;
  chars: number;
  events: number;
}
const perfLog = (): PerfSample[] | undefined => (globalThis as { __radarmPerf?: PerfSample[] }).__radarmPerf;

function schedule(): void {
  if (frame || fallback) return;
  frame = requestAnimationFrame(drain);
  // Hidden webviews get no animation frames: still apply, at a calmer pace.
  fallback = setTimeout(drain, 250);
}

export function drain(): void {
  if (frame) cancelAnimationFrame(frame);
  clearTimeout(fallback);
  frame = 0;
  fallback = undefined;
  if (!queue.length) return;
  const t0 = performance.now();
  const batches = queue;
  queue = [];
  let chars = 0;
  let count = 0;
  const before = store;
  const touched = new Set<TurnModel>();
  for (const b of batches) {
    const turn = findTurn(store, b.turnId);
    if (turn) touched.add(turn);
    for (const ev of b.events) {
      count++;
      if (ev.type === 'thinking' || ev.type === 'content') chars += ev.content.length;
    }
    store = reduce(store, { type: 'events', turnId: b.turnId, events: b.events });
  }
  const t1 = performance.now();
  for (const turn of touched) {
    flushTurn(turn);
    if (turn.done) persistTurnsSoon();
  }
  if (store !== before) for (const fn of listeners) fn();
  const perf = perfLog();
  if (perf) {
    // Measuring: force style and layout now, so that their cost is counted with the frame's work
    // (otherwise the browser does them after this callback, outside any timer).
    const t2 = performance.now();
    void document.documentElement.offsetHeight;
    const t3 = performance.now();
    perf.push({ at: t0, ms: t3 - t0, applyMs: t1 - t0, layoutMs: t3 - t2, chars, events: count });
  }
}

// ---------------------------------------------------------------------------------------------
// Host messages

export function handleHostMessage(data: unknown): void {
  const msg = parseHostMessage(data);
  if (!msg) return; // malformed, or not ours (any frame can post to us): ignore
  if (msg.type === 'events') {
    queue.push({ turnId: msg.turnId, events: msg.events });
    schedule();
    return;
  }
  drain(); // keep order: events queued before this message apply first
  dispatch(msg);
  switch (msg.type) {
    case 'init':
    case 'turnEnd':
    case 'clear':
      persistTurnsSoon();
      break;
    case 'dataFiles':
    case 'prefill':
      persistSoon();
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// User actions

export function send(text: string): boolean {
  const question = text.trim();
  if (!question || store.busyTurnId) return false;
  post({ type: 'send', text: question, mode: store.mode, dataFiles: store.selected });
  dispatch({ type: 'local/sent' });
  persistSoon(0);
  return true;
}

export function cancel(): void {
  post(store.busyTurnId ? { type: 'cancel', turnId: store.busyTurnId } : { type: 'cancel' });
}

export function setMode(mode: PanelMode): void {
  post({ type: 'setMode', mode });
  dispatch({ type: 'local/mode', mode });
  persistSoon();
}

export function setProvider(id: string): void {
  post({ type: 'setProvider', id });
  dispatch({ type: 'local/provider', id });
}

export function setSelected(files: string[]): void {
  post({ type: 'setDataFiles', files });
  dispatch({ type: 'local/selected', files });
  persistSoon();
}

/** Puts text into the composer (and focuses it). */
export function setDraft(text: string): void {
  dispatch({ type: 'local/draft', text });
  persistSoon();
}

/** The user typed into the composer. */
export function typed(text: string): void {
  dispatch({ type: 'local/typed', text }, true);
  // A cleared composer is saved at once: VS Code may tear the webview down before a debounce runs, and
  // a draft the user deleted must not come back (a half-typed one coming back is harmless).
  if (text) persistSoon();
  else persistNow();
}

export function takePendingRun(): boolean {
  const run = store.pendingRun;
  if (run) dispatch({ type: 'local/pendingRunTaken' }, true);
  return run;
}

export function scrolled(scrollTop: number | null): void {
  dispatch({ type: 'local/scrolled', scrollTop }, true);
  persistSoon(800);
}

export function dismissNotice(): void {
  dispatch({ type: 'local/dismissNotice' });
}
