// The panel's state and its reducer: state + message → state, with no DOM, no listeners and no
// timers, so that it runs (and is tested) in node. Host messages and the panel's own actions are
// the two kinds of message. The store (store.ts) adds what needs a browser: the per-frame queue
// of event batches, persistence through vscode.setState, and posting to the host.
//
// Turns are the one exception to immutability: a TurnModel grows in place as events stream in
// (its text streams are append-only, see streams.ts), because copying a 100,000-token message per
// frame would cost what the streaming design saves. The reducer returns a new state object whenever
// anything the Preact tree shows changed (structure, not text growth), and the same object otherwise.
import type { RadarmEvent } from '../src/protocol/events';
import type {
  HostToWebview,
  Locale,
  NoticeAction,
  NoticeLevel,
  PanelMode,
  ProviderInfo,
  TurnRecord,
} from '../src/protocol/messages';
import { STRINGS, type Strings } from './i18n';
import { createMarkdown, type Markdown } from './markdown';
import { applyEvent, createTurn, finish, flushTurn, turnFromRecord, type TurnModel } from './turn-model';

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
  /** Bumped when the composer must take `draft` from the store (prefill, restore, recall). */
  draftVersion: number;
  /** Set by prefill with run: the composer sends once it has rendered. */
  pendingRun: boolean;
  /** Has the host's init arrived (until then the cached state is shown). */
  initialized: boolean;
  /** Scroll offset to restore, or null to stay at the bottom. */
  scrollTop: number | null;
  version: number;
}

/** What the panel itself does to its state (the host learns of it separately, by a posted message). */
export type LocalAction =
  | { type: 'local/sent' }
  | { type: 'local/mode'; mode: PanelMode }
  | { type: 'local/provider'; id: string }
  | { type: 'local/selected'; files: string[] }
  /** Puts text into the composer and focuses it (examples, recall). */
  | { type: 'local/draft'; text: string }
  /** The user typed (the composer shows it already: the store dispatches this quietly). */
  | { type: 'local/typed'; text: string }
  | { type: 'local/pendingRunTaken' }
  | { type: 'local/scrolled'; scrollTop: number | null }
  | { type: 'local/dismissNotice' }
  /** The cached state of the last session (vscode.getState), already validated. */
  | {
      type: 'local/restore';
      draft?: string;
      mode?: PanelMode;
      selected?: string[];
      locale?: Locale;
      scrollTop?: number | null;
      turns?: TurnRecord[];
    };

export type PanelMessage = HostToWebview | LocalAction;

export function initialState(locale: Locale = 'en', plotlyUri = ''): PanelStore {
  return {
    locale,
    strings: STRINGS[locale],
    mode: 'agent_multi',
    providers: [],
    providerId: '',
    trusted: true,
    plotlyUri,
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
}

// One markdown-it per locale: code-block button labels are part of the rendered HTML.
const markdowns = new Map<Locale, Markdown>();
export function markdownFor(locale: Locale): Markdown {
  let md = markdowns.get(locale);
  if (!md) {
    const s = STRINGS[locale];
    md = createMarkdown({ copy: s.copy, insert: s.insert });
    markdowns.set(locale, md);
  }
  return md;
}

export function findTurn(state: PanelStore, id: string): TurnModel | undefined {
  for (let i = state.turns.length - 1; i >= 0; i--) if (state.turns[i].id === id) return state.turns[i];
  return undefined;
}

/** The reducer. Returns `state` itself when nothing the view tree shows changed. */
export function reduce(state: PanelStore, msg: PanelMessage): PanelStore {
  const next = step(state, msg);
  return next === state ? state : { ...next, version: state.version + 1 };
}

function withLocale(s: PanelStore, locale: Locale): PanelStore {
  return s.locale === locale ? s : { ...s, locale, strings: STRINGS[locale] };
}

function step(state: PanelStore, msg: PanelMessage): PanelStore {
  const md = () => markdownFor(state.locale);
  switch (msg.type) {
    case 'events':
      return applyBatch(state, msg.turnId, msg.events);
    case 'init': {
      const s = msg.state;
      const mdl = () => markdownFor(s.locale);
      const turns = s.turns.map((r) => turnFromRecord(r, mdl));
      // Turns the host no longer streams are over, even if their events stop short.
      for (const t of turns) if (!t.done && t.id !== s.busyTurnId) finish(t);
      return {
        ...withLocale(state, s.locale),
        mode: s.mode,
        providers: s.providers,
        providerId: s.providerId,
        trusted: s.trusted,
        plotlyUri: s.plotlyUri,
        available: s.dataFiles.available,
        selected: s.dataFiles.selected,
        turns,
        busyTurnId: s.busyTurnId,
        initialized: true,
      };
    }
    case 'turnStart': {
      if (findTurn(state, msg.turn.id)) return state;
      const turn = createTurn(msg.turn);
      for (const ev of msg.turn.events) applyEvent(turn, ev, md);
      flushTurn(turn);
      return {
        ...state,
        turns: [...state.turns, turn],
        busyTurnId: turn.done ? state.busyTurnId : turn.id,
        scrollTop: null, // follow the new turn
      };
    }
    case 'turnEnd': {
      const turn = findTurn(state, msg.turnId);
      if (turn) {
        finish(turn, msg.stopped);
        turn.stopped = turn.stopped || msg.stopped === true;
        turn.version++;
        flushTurn(turn);
      }
      return { ...state, busyTurnId: state.busyTurnId === msg.turnId ? null : state.busyTurnId };
    }
    case 'dataFiles':
      return { ...state, available: msg.available, selected: msg.selected };
    case 'config': {
      const c = msg.config;
      let s = c.locale ? withLocale(state, c.locale) : state;
      s = { ...s };
      if (c.mode) s.mode = c.mode;
      if (c.providers) s.providers = c.providers;
      if (c.providerId !== undefined) s.providerId = c.providerId;
      if (c.trusted !== undefined) s.trusted = c.trusted;
      if (c.plotlyUri !== undefined) s.plotlyUri = c.plotlyUri;
      return s;
    }
    case 'clear':
      return { ...state, turns: [], busyTurnId: null, scrollTop: null };
    case 'prefill':
      return {
        ...state,
        draft: msg.question,
        draftVersion: state.draftVersion + 1,
        selected: msg.dataFiles ?? state.selected,
        mode: msg.mode ?? state.mode,
        pendingRun: msg.run === true,
      };
    case 'focus':
      return { ...state, draftVersion: state.draftVersion + 1 }; // the composer focuses itself on a new draftVersion
    case 'notice':
      return { ...state, notice: { level: msg.level, text: msg.text, action: msg.action } };

    case 'local/sent':
      return { ...state, draft: '', notice: null, scrollTop: null };
    case 'local/mode':
      return { ...state, mode: msg.mode };
    case 'local/provider':
      return { ...state, providerId: msg.id };
    case 'local/selected':
      return { ...state, selected: msg.files };
    case 'local/draft':
      return { ...state, draft: msg.text, draftVersion: state.draftVersion + 1 };
    case 'local/typed':
      return { ...state, draft: msg.text };
    case 'local/pendingRunTaken':
      return { ...state, pendingRun: false };
    case 'local/scrolled':
      return { ...state, scrollTop: msg.scrollTop };
    case 'local/dismissNotice':
      return { ...state, notice: null };
    case 'local/restore': {
      let s = msg.locale ? withLocale(state, msg.locale) : { ...state };
      if (s === state) s = { ...state };
      if (msg.draft !== undefined) {
        s.draft = msg.draft;
        s.draftVersion++;
      }
      if (msg.mode) s.mode = msg.mode;
      if (msg.selected) s.selected = msg.selected;
      if (msg.scrollTop !== undefined) s.scrollTop = msg.scrollTop;
      if (msg.turns) {
        const mdl = () => markdownFor(s.locale);
        s.turns = msg.turns.map((r) => turnFromRecord(r, mdl));
      }
      return s;
    }
  }
}

/** Applies one batch of a turn's events. Text growth mutates the turn only; structure makes a new state. */
function applyBatch(state: PanelStore, turnId: string, events: RadarmEvent[]): PanelStore {
  const turn = findTurn(state, turnId);
  if (!turn) return state; // a turn we never saw start: the next init brings it
  const md = () => markdownFor(state.locale);
  let structural = false;
  for (const ev of events) if (applyEvent(turn, ev, md)) structural = true;
  if (turn.done && state.busyTurnId === turn.id) return { ...state, busyTurnId: null };
  return structural ? { ...state } : state;
}
