// The host ↔ webview message protocol of the chat panel: every message either side may post,
// and the validators each side runs on what it receives. Dependency-free (the webview bundles it).
//
// Flow: the webview posts `ready`; the host answers `init` with the whole panel state (history
// included). A turn is `turnStart`, then any number of `events` batches (the host coalesces
// per-token deltas, see coalesceEvents, and posts at most every ~16–50 ms), ending with a batch
// that contains `done` (after `complete` or `error`). The webview never trusts the host blindly
// either: parseHostMessage drops malformed messages and invalid events.
import type { Mode } from '../agent/types';
import { isRadarmEvent, type RadarmEvent } from './events';

// ---------------------------------------------------------------------------------------------
// Shared data

/** The panel's modes; the same values as agent/types `Mode`. */
export const PANEL_MODES = ['ask', 'agent_single', 'agent_multi'] as const;
export type PanelMode = (typeof PANEL_MODES)[number];
// Compile-time check that the panel's modes and the agent's modes stay the same set.
const _modesMatch: [PanelMode, Mode] extends [Mode, PanelMode] ? true : never = true;
void _modesMatch;

export const LOCALES = ['en', 'zh-cn'] as const;
export type Locale = (typeof LOCALES)[number];

/** What the panel shows about a configured provider (never its key). */
export interface ProviderInfo {
  id: string;
  /** Display name, e.g. "DeepSeek". */
  label: string;
  model: string;
  /** false when no API key is stored for it: the panel offers "Set API Key". Unknown when absent. */
  hasKey?: boolean;
}

/** A finished or running turn as the webview renders it (and the host stores it in history). */
export interface TurnRecord {
  id: string;
  question: string;
  mode: PanelMode;
  /** Data files the turn ran with: workspace-relative paths (display form). */
  dataFiles: string[];
  /** The turn's events, ideally compacted with coalesceEvents. Ends with `done` when finished. */
  events: RadarmEvent[];
  /** Epoch ms. */
  startedAt?: number;
  providerId?: string;
  model?: string;
}

/** Everything the panel needs on (re)load. */
export interface PanelState {
  locale: Locale;
  turns: TurnRecord[];
  mode: PanelMode;
  providers: ProviderInfo[];
  /** Id of the current provider ('' when none is configured). */
  providerId: string;
  dataFiles: DataFilesState;
  /** Id of the turn still streaming, or null. */
  busyTurnId: string | null;
  /** Workspace Trust: false → agent modes will not run code (the panel says so). */
  trusted: boolean;
  /** webview URI of dist/webview/plotly.min.js, loaded only when the first chart arrives. */
  plotlyUri: string;
}

export interface DataFilesState {
  /** Workspace data files the user may pick from (workspace-relative paths). */
  available: string[];
  /** Currently selected files (a subset of available, normally). */
  selected: string[];
}

/** The part of PanelState a `config` message may update. */
export type PanelConfig = Pick<PanelState, 'locale' | 'mode' | 'providers' | 'providerId' | 'trusted' | 'plotlyUri'>;

// ---------------------------------------------------------------------------------------------
// Host → webview

export type HostToWebview =
  /** Full state; the answer to `ready` (and after a history reload). Replaces everything. */
  | { type: 'init'; state: PanelState }
  /** A turn begins (the user sent, retried, or a command ran one). The webview shows it as streaming. */
  | { type: 'turnStart'; turn: TurnRecord }
  /** A batch of events of one turn, in order. A batch containing `done` ends the turn. */
  | { type: 'events'; turnId: string; events: RadarmEvent[] }
  /** Optional explicit end (e.g. the host gave up on a turn without a `done`); stopped = user pressed Stop. */
  | { type: 'turnEnd'; turnId: string; stopped?: boolean }
  | { type: 'dataFiles'; available: string[]; selected: string[] }
  /** Partial update of providers, mode, locale, trust… */
  | { type: 'config'; config: Partial<PanelConfig> }
  /** New chat: forget every turn. */
  | { type: 'clear' }
  /** Fill the composer (Analyze Data command). run: send it at once. */
  | { type: 'prefill'; question: string; dataFiles?: string[]; mode?: PanelMode; run?: boolean }
  /** Move keyboard focus to the composer. */
  | { type: 'focus' }
  /** A banner above the composer; action adds a button that posts that message back. */
  | { type: 'notice'; level: NoticeLevel; text: string; action?: NoticeAction };

export const NOTICE_LEVELS = ['info', 'warning', 'error'] as const;
export type NoticeLevel = (typeof NOTICE_LEVELS)[number];
export const NOTICE_ACTIONS = ['setApiKey', 'openSettings', 'pickDataFiles'] as const;
export type NoticeAction = (typeof NOTICE_ACTIONS)[number];

// ---------------------------------------------------------------------------------------------
// Webview → host

export type WebviewToHost =
  /** The webview loaded (or reloaded) and wants `init`. */
  | { type: 'ready' }
  | { type: 'send'; text: string; mode: PanelMode; dataFiles: string[] }
  /** Stop the running turn (turnId when the webview knows it). */
  | { type: 'cancel'; turnId?: string }
  /** Run a turn's question again (after an error). */
  | { type: 'retry'; turnId: string }
  /** Insert code into the active editor at the cursor (else a new untitled Python file). */
  | { type: 'insertCode'; code: string }
  /** Copy text to the clipboard through the host (the webview's clipboard may be blocked). */
  | { type: 'copy'; text: string }
  /** Show the host's quick pick of data files. */
  | { type: 'pickDataFiles' }
  /** Runs "Radarm: Add Database"; connections are then listed with the data files as "db:<name>". */
  | { type: 'addDatabase' }
  | { type: 'setDataFiles'; files: string[] }
  | { type: 'setMode'; mode: PanelMode }
  | { type: 'setProvider'; id: string }
  | { type: 'newChat' }
  | { type: 'setApiKey'; providerId?: string }
  /** query: a setting to show, e.g. radarm.stallTimeout (only `radarm.` settings). */
  | { type: 'openSettings'; query?: string }
  | { type: 'openFile'; path: string }
  /** Run a turn's question again; that turn and every later one leave the conversation. */
  | { type: 'regenerate'; turnId: string }
  /** Ask an earlier question again, edited; the conversation continues from there (later turns leave it). */
  | { type: 'editResend'; turnId: string; text: string }
  /** A turn's figure (its image, or its Plotly chart): open it full size in an editor tab, or save it. */
  | { type: 'figure'; turnId: string; kind: FigureKind; action: FigureAction }
  | { type: 'exportNotebook' }
  | { type: 'clearHistory' };

export const FIGURE_ACTIONS = ['open', 'save'] as const;
export type FigureAction = (typeof FIGURE_ACTIONS)[number];
export const FIGURE_KINDS = ['image', 'chart'] as const;
export type FigureKind = (typeof FIGURE_KINDS)[number];

// ---------------------------------------------------------------------------------------------
// Limits (enforced by both validators)

export const LIMITS = {
  /** A question typed in the composer. */
  question: 100_000,
  /** Code sent to Insert / Copy. */
  code: 2_000_000,
  /** Ids: turn ids, provider ids. */
  id: 200,
  /** One file path. */
  path: 4096,
  /** Files in a selection. */
  files: 200,
  /** Files listed as available. */
  availableFiles: 10_000,
  /** Turns in an init message. */
  turns: 10_000,
  /** Events in one batch or one stored turn. */
  events: 1_000_000,
  /** Short display strings: labels, model names, notices, URIs. */
  label: 4096,
  providers: 100,
} as const;

// ---------------------------------------------------------------------------------------------
// Validators

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const nonEmpty = (v: unknown, max: number): v is string => str(v, max) && v.length > 0;
const optStr = (v: unknown, max: number) => v === undefined || str(v, max);
const oneOf = <T extends string>(values: readonly T[], v: unknown): v is T =>
  typeof v === 'string' && (values as readonly string[]).includes(v);
const strList = (v: unknown, maxItems: number, maxLen: number): v is string[] =>
  Array.isArray(v) && v.length <= maxItems && v.every((s) => nonEmpty(s, maxLen));

export const isPanelMode = (v: unknown): v is PanelMode => oneOf(PANEL_MODES, v);
export const isLocale = (v: unknown): v is Locale => oneOf(LOCALES, v);

/**
 * Validates a message posted by the webview. Returns a fresh object holding only the known
 * fields (never the input itself), or undefined when anything does not fit: unknown type, a
 * wrong type, an over-long string, an unknown mode. The host ignores undefined.
 */
export function parseWebviewMessage(x: unknown): WebviewToHost | undefined {
  if (!isObj(x)) return undefined;
  switch (x.type) {
    case 'ready':
    case 'pickDataFiles':
    case 'addDatabase':
    case 'newChat':
    case 'exportNotebook':
    case 'clearHistory':
      return { type: x.type };
    case 'send':
      if (!nonEmpty(x.text, LIMITS.question) || x.text.trim() === '') return undefined;
      if (!isPanelMode(x.mode) || !strList(x.dataFiles, LIMITS.files, LIMITS.path)) return undefined;
      return { type: 'send', text: x.text, mode: x.mode, dataFiles: [...x.dataFiles] };
    case 'cancel':
      if (x.turnId !== undefined && !nonEmpty(x.turnId, LIMITS.id)) return undefined;
      return x.turnId === undefined ? { type: 'cancel' } : { type: 'cancel', turnId: x.turnId };
    case 'retry':
      return nonEmpty(x.turnId, LIMITS.id) ? { type: 'retry', turnId: x.turnId } : undefined;
    case 'insertCode':
      return nonEmpty(x.code, LIMITS.code) ? { type: 'insertCode', code: x.code } : undefined;
    case 'copy':
      return nonEmpty(x.text, LIMITS.code) ? { type: 'copy', text: x.text } : undefined;
    case 'setDataFiles':
      return strList(x.files, LIMITS.files, LIMITS.path) ? { type: 'setDataFiles', files: [...x.files] } : undefined;
    case 'setMode':
      return isPanelMode(x.mode) ? { type: 'setMode', mode: x.mode } : undefined;
    case 'setProvider':
      return nonEmpty(x.id, LIMITS.id) ? { type: 'setProvider', id: x.id } : undefined;
    case 'setApiKey':
      if (x.providerId !== undefined && !nonEmpty(x.providerId, LIMITS.id)) return undefined;
      return x.providerId === undefined ? { type: 'setApiKey' } : { type: 'setApiKey', providerId: x.providerId };
    case 'openFile':
      return nonEmpty(x.path, LIMITS.path) ? { type: 'openFile', path: x.path } : undefined;
    case 'openSettings':
      if (x.query === undefined) return { type: 'openSettings' };
      return str(x.query, LIMITS.id) && /^radarm\.[\w.]*$/.test(x.query) ? { type: 'openSettings', query: x.query } : undefined;
    case 'regenerate':
      return nonEmpty(x.turnId, LIMITS.id) ? { type: 'regenerate', turnId: x.turnId } : undefined;
    case 'editResend':
      if (!nonEmpty(x.turnId, LIMITS.id) || !nonEmpty(x.text, LIMITS.question) || x.text.trim() === '') return undefined;
      return { type: 'editResend', turnId: x.turnId, text: x.text };
    case 'figure':
      if (!nonEmpty(x.turnId, LIMITS.id) || !oneOf(FIGURE_KINDS, x.kind) || !oneOf(FIGURE_ACTIONS, x.action)) return undefined;
      return { type: 'figure', turnId: x.turnId, kind: x.kind, action: x.action };
    default:
      return undefined;
  }
}

/** Keeps the valid events of an untrusted list (invalid ones are dropped, not fatal). */
function validEvents(v: unknown): RadarmEvent[] | undefined {
  if (!Array.isArray(v) || v.length > LIMITS.events) return undefined;
  return v.filter(isRadarmEvent);
}

function parseProvider(v: unknown): ProviderInfo | undefined {
  if (!isObj(v) || !nonEmpty(v.id, LIMITS.id) || !str(v.label, LIMITS.label) || !str(v.model, LIMITS.label))
    return undefined;
  if (v.hasKey !== undefined && typeof v.hasKey !== 'boolean') return undefined;
  const p: ProviderInfo = { id: v.id, label: v.label, model: v.model };
  if (v.hasKey !== undefined) p.hasKey = v.hasKey;
  return p;
}

function parseProviders(v: unknown): ProviderInfo[] | undefined {
  if (!Array.isArray(v) || v.length > LIMITS.providers) return undefined;
  const out = v.map(parseProvider);
  return out.every((p): p is ProviderInfo => p !== undefined) ? out : undefined;
}

function parseTurn(v: unknown): TurnRecord | undefined {
  if (!isObj(v) || !nonEmpty(v.id, LIMITS.id) || !str(v.question, LIMITS.question) || !isPanelMode(v.mode))
    return undefined;
  if (!strList(v.dataFiles, LIMITS.files, LIMITS.path)) return undefined;
  const events = validEvents(v.events);
  if (!events) return undefined;
  if (v.startedAt !== undefined && typeof v.startedAt !== 'number') return undefined;
  if (!optStr(v.providerId, LIMITS.id) || !optStr(v.model, LIMITS.label)) return undefined;
  const t: TurnRecord = { id: v.id, question: v.question, mode: v.mode, dataFiles: [...v.dataFiles], events };
  if (typeof v.startedAt === 'number') t.startedAt = v.startedAt;
  if (typeof v.providerId === 'string') t.providerId = v.providerId;
  if (typeof v.model === 'string') t.model = v.model;
  return t;
}

function parseDataFiles(v: Obj): DataFilesState | undefined {
  if (!strList(v.available, LIMITS.availableFiles, LIMITS.path) || !strList(v.selected, LIMITS.files, LIMITS.path))
    return undefined;
  return { available: [...v.available], selected: [...v.selected] };
}

function parseConfig(v: unknown): Partial<PanelConfig> | undefined {
  if (!isObj(v)) return undefined;
  const c: Partial<PanelConfig> = {};
  if (v.locale !== undefined) {
    if (!isLocale(v.locale)) return undefined;
    c.locale = v.locale;
  }
  if (v.mode !== undefined) {
    if (!isPanelMode(v.mode)) return undefined;
    c.mode = v.mode;
  }
  if (v.providers !== undefined) {
    const providers = parseProviders(v.providers);
    if (!providers) return undefined;
    c.providers = providers;
  }
  if (v.providerId !== undefined) {
    if (!str(v.providerId, LIMITS.id)) return undefined;
    c.providerId = v.providerId;
  }
  if (v.trusted !== undefined) {
    if (typeof v.trusted !== 'boolean') return undefined;
    c.trusted = v.trusted;
  }
  if (v.plotlyUri !== undefined) {
    if (!str(v.plotlyUri, LIMITS.label)) return undefined;
    c.plotlyUri = v.plotlyUri;
  }
  return c;
}

function parseState(v: unknown): PanelState | undefined {
  if (!isObj(v)) return undefined;
  const config = parseConfig(v);
  if (!config || !isObj(v.dataFiles) || !Array.isArray(v.turns) || v.turns.length > LIMITS.turns) return undefined;
  const { locale, mode, providers, providerId, trusted, plotlyUri } = config;
  if (!locale || !mode || !providers || providerId === undefined || trusted === undefined || plotlyUri === undefined)
    return undefined;
  const dataFiles = parseDataFiles(v.dataFiles);
  if (!dataFiles) return undefined;
  const turns = v.turns.map(parseTurn);
  if (!turns.every((t): t is TurnRecord => t !== undefined)) return undefined;
  if (v.busyTurnId !== null && !nonEmpty(v.busyTurnId, LIMITS.id)) return undefined;
  return { locale, mode, providers, providerId, trusted, plotlyUri, dataFiles, turns, busyTurnId: v.busyTurnId };
}

/**
 * Validates a message posted by the host (the webview runs it on every `message` event, which
 * any frame could send). Returns a fresh, well-typed copy, or undefined to ignore the message.
 * Invalid events inside a batch are dropped individually; a wrong envelope drops the message.
 */
export function parseHostMessage(x: unknown): HostToWebview | undefined {
  if (!isObj(x)) return undefined;
  switch (x.type) {
    case 'init': {
      const state = parseState(x.state);
      return state ? { type: 'init', state } : undefined;
    }
    case 'turnStart': {
      const turn = parseTurn(x.turn);
      return turn ? { type: 'turnStart', turn } : undefined;
    }
    case 'events': {
      const events = validEvents(x.events);
      if (!nonEmpty(x.turnId, LIMITS.id) || !events) return undefined;
      return { type: 'events', turnId: x.turnId, events };
    }
    case 'turnEnd':
      if (!nonEmpty(x.turnId, LIMITS.id) || (x.stopped !== undefined && typeof x.stopped !== 'boolean'))
        return undefined;
      return { type: 'turnEnd', turnId: x.turnId, stopped: x.stopped === true };
    case 'dataFiles': {
      const files = parseDataFiles(x);
      return files ? { type: 'dataFiles', ...files } : undefined;
    }
    case 'config': {
      const config = parseConfig(x.config);
      return config ? { type: 'config', config } : undefined;
    }
    case 'clear':
    case 'focus':
      return { type: x.type };
    case 'prefill': {
      if (!str(x.question, LIMITS.question)) return undefined;
      if (x.dataFiles !== undefined && !strList(x.dataFiles, LIMITS.files, LIMITS.path)) return undefined;
      if (x.mode !== undefined && !isPanelMode(x.mode)) return undefined;
      if (x.run !== undefined && typeof x.run !== 'boolean') return undefined;
      const m: Extract<HostToWebview, { type: 'prefill' }> = { type: 'prefill', question: x.question, run: x.run === true };
      if (x.dataFiles !== undefined) m.dataFiles = [...x.dataFiles];
      if (x.mode !== undefined) m.mode = x.mode;
      return m;
    }
    case 'notice':
      if (!oneOf(NOTICE_LEVELS, x.level) || !nonEmpty(x.text, LIMITS.label)) return undefined;
      if (x.action !== undefined && !oneOf(NOTICE_ACTIONS, x.action)) return undefined;
      return x.action === undefined
        ? { type: 'notice', level: x.level, text: x.text }
        : { type: 'notice', level: x.level, text: x.text, action: x.action };
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Batching helper (host side: coalesce before postMessage; also to compact stored history)

/**
 * Merges adjacent thinking/content deltas of the same type and stage into one event, so that
 * 1,000 one-token events become one. Order and meaning are preserved: concatenating the merged
 * contents gives exactly the original text of each run. Returns a new array.
 */
export function coalesceEvents(events: readonly RadarmEvent[]): RadarmEvent[] {
  const out: RadarmEvent[] = [];
  let pending: string[] = [];
  const flush = () => {
    if (pending.length > 1) {
      const last = out[out.length - 1] as { content: string };
      last.content = pending.join('');
    }
    pending = [];
  };
  for (const ev of events) {
    const prev = out[out.length - 1];
    if (
      (ev.type === 'thinking' || ev.type === 'content') &&
      (prev?.type === 'thinking' || prev?.type === 'content') &&
      prev.type === ev.type &&
      prev.stage === ev.stage &&
      pending.length > 0
    ) {
      pending.push(ev.content);
      continue;
    }
    flush();
    if (ev.type === 'thinking' || ev.type === 'content') {
      out.push({ ...ev });
      pending = [ev.content];
    } else {
      out.push(ev);
    }
  }
  flush();
  return out;
}
