// The pieces of a panel turn: its stored record, the session settings and request it runs with, and the
// loop that records its events (coalesced, saved every few seconds while it streams).
import type { Mode } from '../agent/types';
import type { SessionOptions, TurnRequest } from '../engine/session';
import type { RadarmEvent } from '../protocol/events';
import { coalesceEvents, type TurnRecord } from '../protocol/messages';
import type { Locale } from '../protocol/vocabulary';
import type { ProviderChoice } from './provider-choice';
import type { ProviderSetting, RadarmSettings } from './settings';
import type { SourceChoice } from './source-choice';

/** How often a long turn is saved while it streams, so a crash or reload keeps what had streamed. */
const SAVE_EVERY_MS = 5000;

export function newTurnRecord(question: string, mode: Mode, dataFiles: string[], provider: ProviderSetting | undefined): TurnRecord {
  return {
    id: `turn-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`,
    question,
    mode,
    dataFiles,
    events: [],
    startedAt: Date.now(),
    ...(provider ? { providerId: provider.id, model: provider.model } : {}),
  };
}

/** The session settings of the next turn, from the radarm.* settings as they are now. */
export function turnSettings(
  settings: RadarmSettings,
  locale: Locale,
  confirm: (code: string) => Promise<boolean>,
): Partial<SessionOptions> {
  return {
    maxRounds: settings.maxRounds,
    stallTimeoutMs: settings.stallTimeoutMs,
    timeoutMs: settings.requestTimeoutMs,
    execTimeoutMs: settings.executionTimeoutMs,
    stream: settings.enableStream,
    locale,
    confirmRun: settings.confirmBeforeRunningCode ? confirm : undefined,
  };
}

/** The engine request of a panel turn: the provider's key and the chosen files and databases, as they are now. */
export async function panelTurnRequest(
  turn: { question: string; mode: Mode; dataFiles: string[] },
  provider: ProviderSetting | undefined,
  choices: { providers: ProviderChoice; sources: SourceChoice; trusted: boolean },
): Promise<TurnRequest> {
  return {
    question: turn.question,
    mode: turn.mode,
    provider,
    apiKey: await choices.providers.apiKey(provider),
    trusted: choices.trusted,
    dataFiles: choices.sources.dataFiles(turn.dataFiles),
    databases: await choices.sources.databasesOf(turn.dataFiles),
  };
}

/** Records a turn's events into its record as they stream; `seen` gets each one (the batcher, error reports). */
export async function recordTurn(
  events: AsyncIterable<RadarmEvent>,
  record: TurnRecord,
  hooks: { seen: (ev: RadarmEvent) => void; save: () => void },
): Promise<void> {
  let savedAt = Date.now();
  try {
    for await (const ev of events) {
      record.events.push(ev);
      hooks.seen(ev);
      if (Date.now() - savedAt > SAVE_EVERY_MS) {
        savedAt = Date.now();
        record.events = coalesceEvents(record.events);
        hooks.save();
      }
    }
  } finally {
    record.events = coalesceEvents(record.events); // one event per stage run in memory, not one per token
  }
}
