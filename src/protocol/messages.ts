// The host ↔ webview message protocol of the chat panel: every message either side may post,
// and the validators each side runs on what it receives. Dependency-free (the webview bundles it).
//
// Flow: the webview posts `ready`; the host answers `init` with the whole panel state (history
// included). A turn is `turnStart`, then any number of `events` batches (the host coalesces
// per-token deltas, see coalesceEvents, and posts at most every ~16–50 ms), ending with a batch
// that contains `done` (after `complete` or `error`). The webview never trusts the host blindly
// either: parseHostMessage drops malformed messages and invalid events.
import type { MentionSources } from './mentions';
import type { RadarmEvent } from './events';
import { isLocale, LOCALES, MODES, type Locale, type Mode } from './vocabulary';

export { LOCALES, isLocale, type Locale };

// ---------------------------------------------------------------------------------------------
// Shared data

/** The panel's modes: the protocol's modes (kept as an alias for the webview's imports). */
export const PANEL_MODES = MODES;
export type PanelMode = Mode;

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
  /** Column / table names for the composer's @ completion (src/protocol/mentions.ts). */
  | MentionSources
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
  /** Show the host's log (VS Code: the "Radarm" output channel), from a failed turn's Show Log. */
  | { type: 'showLog' }
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
  /** Radarm: Preview Data for a data file (the preview button on its chip). */
  | { type: 'previewData'; path: string }
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

// Limits and validators: message-parse.ts (one validator per message type).
export { LIMITS, isPanelMode, parseHostMessage, parseWebviewMessage } from './message-parse';

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
