// The sidebar's turn while it runs: its record, its Stop, the event batches to the panel, VS Code's
// `radarm.busy` context (menus and keybindings), and a promise of its end for whoever waits for it.
import * as vscode from 'vscode';
import type { RadarmEvent } from '../protocol/events';
import type { TurnRecord } from '../protocol/messages';
import { createEventBatcher, type EventBatcher } from './event-batcher';

export interface RunningTurn {
  record: TurnRecord;
  abort: AbortController;
  batcher: EventBatcher;
  /** Resolves with the record once the turn has ended and been saved. */
  finished: Promise<TurnRecord>;
  /** Flushes the batches and clears the busy context; true when the turn was stopped. */
  end(): boolean;
  /** Resolves `finished`. */
  settle(): void;
}

export function startRunningTurn(record: TurnRecord, postEvents: (events: RadarmEvent[]) => void): RunningTurn {
  const abort = new AbortController();
  const batcher = createEventBatcher(postEvents);
  let finish!: (t: TurnRecord) => void;
  const finished = new Promise<TurnRecord>((r) => (finish = r));
  void vscode.commands.executeCommand('setContext', 'radarm.busy', true);
  return {
    record,
    abort,
    batcher,
    finished,
    end: () => {
      batcher.dispose();
      void vscode.commands.executeCommand('setContext', 'radarm.busy', false);
      return abort.signal.aborted;
    },
    settle: () => finish(record),
  };
}
