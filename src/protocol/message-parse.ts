// The validators of the host <-> webview messages (see messages.ts for the messages themselves): each
// side runs them on what it receives. Dependency-free, like the rest of the protocol.
import { isRadarmEvent, type RadarmEvent } from './events';
import { isMentionSources } from './mentions';
import {
  FIGURE_ACTIONS,
  FIGURE_KINDS,
  NOTICE_ACTIONS,
  NOTICE_LEVELS,
  type DataFilesState,
  type HostToWebview,
  type PanelConfig,
  type PanelState,
  type ProviderInfo,
  type TurnRecord,
  type WebviewToHost,
} from './messages';
import { isLocale, isMode } from './vocabulary';

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

export const isPanelMode = isMode;

/**
 * One validator per message type, keyed by the type: a new message type without a validator does not
 * compile (the table's type requires every key). Each returns a fresh object holding only the known
 * fields (never the input itself), or undefined when anything does not fit.
 */
type Validators<M extends { type: string }> = { [K in M['type']]: (x: Obj) => Extract<M, { type: K }> | undefined };

const WEBVIEW_VALIDATORS: Validators<WebviewToHost> = {
  ready: () => ({ type: 'ready' }),
  pickDataFiles: () => ({ type: 'pickDataFiles' }),
  showLog: () => ({ type: 'showLog' }),
  addDatabase: () => ({ type: 'addDatabase' }),
  newChat: () => ({ type: 'newChat' }),
  openSettings: (x) => {
    if (x.query === undefined) return { type: 'openSettings' };
    return str(x.query, LIMITS.id) && /^radarm\.[\w.]*$/.test(x.query) ? { type: 'openSettings', query: x.query } : undefined;
  },
  regenerate: (x) => (nonEmpty(x.turnId, LIMITS.id) ? { type: 'regenerate', turnId: x.turnId } : undefined),
  editResend: (x) => {
    if (!nonEmpty(x.turnId, LIMITS.id) || !nonEmpty(x.text, LIMITS.question) || x.text.trim() === '') return undefined;
    return { type: 'editResend', turnId: x.turnId, text: x.text };
  },
  figure: (x) => {
    if (!nonEmpty(x.turnId, LIMITS.id) || !oneOf(FIGURE_KINDS, x.kind) || !oneOf(FIGURE_ACTIONS, x.action)) return undefined;
    return { type: 'figure', turnId: x.turnId, kind: x.kind, action: x.action };
  },
  exportNotebook: () => ({ type: 'exportNotebook' }),
  clearHistory: () => ({ type: 'clearHistory' }),
  send: (x) => {
    if (!nonEmpty(x.text, LIMITS.question) || x.text.trim() === '') return undefined;
    if (!isPanelMode(x.mode) || !strList(x.dataFiles, LIMITS.files, LIMITS.path)) return undefined;
    return { type: 'send', text: x.text, mode: x.mode, dataFiles: [...x.dataFiles] };
  },
  cancel: (x) => {
    if (x.turnId !== undefined && !nonEmpty(x.turnId, LIMITS.id)) return undefined;
    return x.turnId === undefined ? { type: 'cancel' } : { type: 'cancel', turnId: x.turnId };
  },
  retry: (x) => (nonEmpty(x.turnId, LIMITS.id) ? { type: 'retry', turnId: x.turnId } : undefined),
  insertCode: (x) => (nonEmpty(x.code, LIMITS.code) ? { type: 'insertCode', code: x.code } : undefined),
  copy: (x) => (nonEmpty(x.text, LIMITS.code) ? { type: 'copy', text: x.text } : undefined),
  setDataFiles: (x) => (strList(x.files, LIMITS.files, LIMITS.path) ? { type: 'setDataFiles', files: [...x.files] } : undefined),
  setMode: (x) => (isPanelMode(x.mode) ? { type: 'setMode', mode: x.mode } : undefined),
  setProvider: (x) => (nonEmpty(x.id, LIMITS.id) ? { type: 'setProvider', id: x.id } : undefined),
  setApiKey: (x) => {
    if (x.providerId !== undefined && !nonEmpty(x.providerId, LIMITS.id)) return undefined;
    return x.providerId === undefined ? { type: 'setApiKey' } : { type: 'setApiKey', providerId: x.providerId };
  },
  openFile: (x) => (nonEmpty(x.path, LIMITS.path) ? { type: 'openFile', path: x.path } : undefined),
  previewData: (x) => (nonEmpty(x.path, LIMITS.path) ? { type: 'previewData', path: x.path } : undefined),
};

/** Looks up the validator of an untrusted message's type (own keys only: `__proto__`, `toString` are unknown types). */
function validate<M extends { type: string }>(table: Validators<M>, x: unknown): M | undefined {
  if (!isObj(x) || typeof x.type !== 'string' || !Object.prototype.hasOwnProperty.call(table, x.type)) return undefined;
  const check = (table as Record<string, (x: Obj) => M | undefined>)[x.type];
  return check(x);
}

/** Validates a message posted by the webview; undefined (ignored by the host) when anything does not fit. */
export function parseWebviewMessage(x: unknown): WebviewToHost | undefined {
  return validate(WEBVIEW_VALIDATORS, x);
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

const HOST_VALIDATORS: Validators<HostToWebview> = {
  mentionSources: (x) => (isMentionSources(x) ? x : undefined),
  init: (x) => {
    const state = parseState(x.state);
    return state ? { type: 'init', state } : undefined;
  },
  turnStart: (x) => {
    const turn = parseTurn(x.turn);
    return turn ? { type: 'turnStart', turn } : undefined;
  },
  events: (x) => {
    const events = validEvents(x.events);
    if (!nonEmpty(x.turnId, LIMITS.id) || !events) return undefined;
    return { type: 'events', turnId: x.turnId, events };
  },
  turnEnd: (x) => {
    if (!nonEmpty(x.turnId, LIMITS.id) || (x.stopped !== undefined && typeof x.stopped !== 'boolean')) return undefined;
    return { type: 'turnEnd', turnId: x.turnId, stopped: x.stopped === true };
  },
  dataFiles: (x) => {
    const files = parseDataFiles(x);
    return files ? { type: 'dataFiles', ...files } : undefined;
  },
  config: (x) => {
    const config = parseConfig(x.config);
    return config ? { type: 'config', config } : undefined;
  },
  clear: () => ({ type: 'clear' }),
  focus: () => ({ type: 'focus' }),
  prefill: (x) => {
    if (!str(x.question, LIMITS.question)) return undefined;
    if (x.dataFiles !== undefined && !strList(x.dataFiles, LIMITS.files, LIMITS.path)) return undefined;
    if (x.mode !== undefined && !isPanelMode(x.mode)) return undefined;
    if (x.run !== undefined && typeof x.run !== 'boolean') return undefined;
    const m: Extract<HostToWebview, { type: 'prefill' }> = { type: 'prefill', question: x.question, run: x.run === true };
    if (x.dataFiles !== undefined) m.dataFiles = [...x.dataFiles];
    if (x.mode !== undefined) m.mode = x.mode;
    return m;
  },
  notice: (x) => {
    if (!oneOf(NOTICE_LEVELS, x.level) || !nonEmpty(x.text, LIMITS.label)) return undefined;
    if (x.action !== undefined && !oneOf(NOTICE_ACTIONS, x.action)) return undefined;
    return x.action === undefined
      ? { type: 'notice', level: x.level, text: x.text }
      : { type: 'notice', level: x.level, text: x.text, action: x.action };
  },
};

/**
 * Validates a message posted by the host (the webview runs it on every `message` event, which
 * any frame could send). Returns a fresh, well-typed copy, or undefined to ignore the message.
 * Invalid events inside a batch are dropped individually; a wrong envelope drops the message.
 */
export function parseHostMessage(x: unknown): HostToWebview | undefined {
  return validate(HOST_VALIDATORS, x);
}

