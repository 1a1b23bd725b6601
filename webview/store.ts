// The panel's state and its one way in: host messages. Event batches are queued and applied
// once per animation frame (with a timer fallback, as hidden webviews get no frames), so
// 10,000 tokens/s cost one DOM update per frame. Structural changes bump `version`, which
// re-renders the Preact tree; text growth goes straight to the stream views.
import type { RadarmEvent } from '../src/protocol/events';
import {
  isLocale,
  isPanelMode,
  parseHostMessage,
  type HostToWebview,
  type Locale,
  type NoticeAction,
  type NoticeLevel,
  type PanelMode,
  type ProviderInfo,
  type TurnRecord,
} from '../src/protocol/messages';
import { STRINGS, type Strings } from './i18n';
import { createMarkdown, type Markdown } from './markdown';
import { applyEvent, createTurn, finish, flushTurn, toRecord, turnFromRecord, type TurnModel } from './turn-model';
import { getState, post, setState } from './vscode-api';

export interface Notice {
  level: NoticeLevel;
  text: string;
  action?: NoticeAction;
}

export interface PanelStore {
  locale: Locale;
  strings: Strings;
  mode: PanelMode;
  providers: ProviderInfo[];
  providerId: string;
  trusted: boolean;
  plotlyUri: string;
  available: string[];
  selected: string[];
  turns: TurnModel[];
  busyTurnId: string | null;
  notice: Notice | null;
  /** The composer's text (kept here so that it persists). */
  draft: string;
  /** Bumped when the composer must take `draft` from the store (prefill, restore). */
  draftVersion: number;
  /** Set by prefill with run: the composer sends once it has rendered. */
  pendingRun: boolean;
  /** Has the host's init arrived (until then the cached state is shown). */
  initialized: boolean;
  /** Scroll offset to restore, or null to stay at the bottom. */
  scrollTop: number | null;
  version: number;
}

const initialLocale = (): Locale => {
  const l = document.body?.dataset.locale;
  return isLocale(l) ? l : 'en';
};

export const store: PanelStore = {
  locale: initialLocale(),
  strings: STRINGS[initialLocale()],
  mode: 'agent_multi',
  providers: [],
  providerId: '',
  trusted: true,
  plotlyUri: document.body?.dataset.plotlyUri ?? '',
  available: [],
  selected: [],
  turns: [],
  busyTurnId: null,
  notice: null,
  draft: '',
  draftVersion: 0,
  pendingRun: false,
  initialized: false,
  scrollTop: null,
  version: 0,
};

// One markdown-it per locale: code-block button labels are part of the rendered HTML.
const markdowns = new Map<Locale, Markdown>();
export function markdown(): Markdown {
  let md = markdowns.get(store.locale);
  if (!md) {
    md = createMarkdown({ copy: store.strings.copy, insert: store.strings.insert });
    markdowns.set(store.locale, md);
  }
  return md;
}

// ---------------------------------------------------------------------------------------------
// Change notification

const listeners = new Set<() => void>();

export function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function changed(): void {
  store.version++;
  for (const fn of listeners) fn();
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

// Going away (hidden, reloaded): save now rather than after the debounce.
addEventListener('pagehide', () => persistNow());
document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && persistNow());

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

export function restorePersisted(): void {
  const s = getState() as Partial<Persisted> | undefined;
  if (!s || s.v !== 1) return;
  if (typeof s.draft === 'string') {
    store.draft = s.draft;
    store.draftVersion++;
  }
  if (isPanelMode(s.mode)) store.mode = s.mode;
  if (Array.isArray(s.selected)) store.selected = s.selected.filter((f) => typeof f === 'string');
  if (isLocale(s.locale)) setLocale(s.locale);
  if (typeof s.scrollTop === 'number' || s.scrollTop === null) store.scrollTop = s.scrollTop ?? null;
  if (Array.isArray(s.turns)) {
    // Re-validate: state written by an older panel version must not break this one.
    const parsed = parseHostMessage({ type: 'init', state: { ...emptyInitFields(), turns: s.turns } });
    if (parsed?.type === 'init') {
      cachedTurns = parsed.state.turns;
      store.turns = parsed.state.turns.map((r) => turnFromRecord(r, markdown));
      turnsDirty = false;
    }
  }
  changed();
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

function setLocale(locale: Locale): void {
  store.locale = locale;
  store.strings = STRINGS[locale];
  document.documentElement.lang = locale === 'zh-cn' ? 'zh-CN' : 'en';
}

// ---------------------------------------------------------------------------------------------
// Event batches, applied once per frame

let queue: { turnId: string; events: RadarmEvent[] }[] = [];
let frame = 0;
let fallback: ReturnType<typeof setTimeout> | undefined;

/** Optional instrumentation for the benchmark and tests: window.__radarmPerf = [] turns it on. */
interface PerfSample {
  at: number;
  ms: number;
  /** Of ms: applying events to the models (the rest is rendering into the DOM). */
  applyMs: number;
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
  let structural = false;
  let chars = 0;
  let count = 0;
  const touched = new Set<TurnModel>();
  for (const b of batches) {
    const turn = findTurn(b.turnId);
    if (!turn) continue; // a turn we never saw start: the next init brings it
    touched.add(turn);
    for (const ev of b.events) {
      count++;
      if (ev.type === 'thinking' || ev.type === 'content') chars += ev.content.length;
      if (applyEvent(turn, ev, markdown)) structural = true;
    }
    if (turn.done && store.busyTurnId === turn.id) {
      store.busyTurnId = null;
      structural = true;
    }
  }
  const t1 = performance.now();
  for (const turn of touched) {
    flushTurn(turn);
    if (turn.done) persistTurnsSoon();
  }
  if (structural) changed();
  perfLog()?.push({ at: t0, ms: performance.now() - t0, applyMs: t1 - t0, chars, events: count });
}

const findTurn = (id: string): TurnModel | undefined => {
  for (let i = store.turns.length - 1; i >= 0; i--) if (store.turns[i].id === id) return store.turns[i];
  return undefined;
};

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
  apply(msg);
}

function apply(msg: Exclude<HostToWebview, { type: 'events' }>): void {
  switch (msg.type) {
    case 'init': {
      const s = msg.state;
      setLocale(s.locale);
      store.mode = s.mode;
      store.providers = s.providers;
      store.providerId = s.providerId;
      store.trusted = s.trusted;
      store.plotlyUri = s.plotlyUri;
      store.available = s.dataFiles.available;
      store.selected = s.dataFiles.selected;
      store.turns = s.turns.map((r) => turnFromRecord(r, markdown));
      // Turns the host no longer streams are over, even if their events stop short.
      for (const t of store.turns) if (!t.done && t.id !== s.busyTurnId) finish(t);
      store.busyTurnId = s.busyTurnId;
      store.initialized = true;
      persistTurnsSoon();
      break;
    }
    case 'turnStart': {
      if (findTurn(msg.turn.id)) break;
      const turn = createTurn(msg.turn);
      for (const ev of msg.turn.events) applyEvent(turn, ev, markdown);
      flushTurn(turn);
      store.turns = [...store.turns, turn];
      store.busyTurnId = turn.done ? store.busyTurnId : turn.id;
      store.scrollTop = null; // follow the new turn
      break;
    }
    case 'turnEnd': {
      const turn = findTurn(msg.turnId);
      if (turn) {
        finish(turn, msg.stopped);
        turn.stopped = turn.stopped || msg.stopped === true;
        turn.version++;
        flushTurn(turn);
        persistTurnsSoon();
      }
      if (store.busyTurnId === msg.turnId) store.busyTurnId = null;
      break;
    }
    case 'dataFiles':
      store.available = msg.available;
      store.selected = msg.selected;
      persistSoon();
      break;
    case 'config': {
      const c = msg.config;
      if (c.locale) setLocale(c.locale);
      if (c.mode) store.mode = c.mode;
      if (c.providers) store.providers = c.providers;
      if (c.providerId !== undefined) store.providerId = c.providerId;
      if (c.trusted !== undefined) store.trusted = c.trusted;
      if (c.plotlyUri !== undefined) store.plotlyUri = c.plotlyUri;
      break;
    }
    case 'clear':
      store.turns = [];
      store.busyTurnId = null;
      store.scrollTop = null;
      persistTurnsSoon();
      break;
    case 'prefill':
      store.draft = msg.question;
      store.draftVersion++;
      if (msg.dataFiles) store.selected = msg.dataFiles;
      if (msg.mode) store.mode = msg.mode;
      store.pendingRun = msg.run === true;
      persistSoon();
      break;
    case 'focus':
      store.draftVersion++; // the composer focuses itself when draftVersion changes
      break;
    case 'notice':
      store.notice = { level: msg.level, text: msg.text, action: msg.action };
      break;
  }
  changed();
}

// ---------------------------------------------------------------------------------------------
// User actions

export function send(text: string): boolean {
  const question = text.trim();
  if (!question || store.busyTurnId) return false;
  post({ type: 'send', text: question, mode: store.mode, dataFiles: store.selected });
  store.draft = '';
  store.notice = null;
  store.scrollTop = null;
  persistSoon(0);
  changed();
  return true;
}

export function cancel(): void {
  post(store.busyTurnId ? { type: 'cancel', turnId: store.busyTurnId } : { type: 'cancel' });
}

export function setMode(mode: PanelMode): void {
  store.mode = mode;
  post({ type: 'setMode', mode });
  persistSoon();
  changed();
}

export function setProvider(id: string): void {
  store.providerId = id;
  post({ type: 'setProvider', id });
  changed();
}

export function setSelected(files: string[]): void {
  store.selected = files;
  post({ type: 'setDataFiles', files });
  persistSoon();
  changed();
}

/** Puts text into the composer (and focuses it). */
export function setDraft(text: string): void {
  store.draft = text;
  store.draftVersion++;
  persistSoon();
  changed();
}

export function dismissNotice(): void {
  store.notice = null;
  changed();
}
