// What a host offers beside an error, decided by its code alone (never by matching the text: a user's
// `KeyError: 401` is not an authentication failure). The panel renders these as buttons in the turn;
// the extension host puts the same ones on a notification when the panel is hidden.
import type { ErrorCode } from './events';

export const ERROR_ACTIONS = ['setApiKey', 'retry', 'openSettings', 'showLog'] as const;
export type ErrorAction = (typeof ERROR_ACTIONS)[number];

const ACTIONS: Partial<Record<ErrorCode, readonly ErrorAction[]>> = {
  auth: ['setApiKey'],
  no_key: ['setApiKey'],
  no_provider: ['openSettings'],
  rate_limit: ['retry'],
  timeout: ['retry', 'openSettings'],
  stall: ['retry', 'openSettings'],
  network: ['retry', 'showLog'],
  not_found: ['openSettings'],
  bad_request: ['retry'],
  context_too_long: ['retry'],
  response_too_large: ['retry'],
  bad_response: ['retry'],
  no_python: ['openSettings', 'showLog'],
  sandbox: ['openSettings', 'showLog'],
  kernel: ['retry', 'showLog'],
  data: ['showLog'],
  database: ['showLog'],
  dask: ['showLog'],
  no_code: ['retry'],
  max_rounds: ['retry'],
  internal: ['retry', 'showLog'],
};

/** The actions for an error (an error without a code is treated as `internal`); none after a Stop. */
export function errorActions(code: ErrorCode | undefined): readonly ErrorAction[] {
  return ACTIONS[code ?? 'internal'] ?? [];
}

/** The setting an `openSettings` action opens for this code (a search query for the Settings editor). */
export function settingFor(code: ErrorCode | undefined): string {
  switch (code) {
    case 'no_python':
      return 'radarm.pythonPath';
    case 'sandbox':
      return 'radarm.sandbox';
    case 'timeout':
      return 'radarm.requestTimeout';
    case 'stall':
      return 'radarm.stallTimeout';
    case 'no_provider':
    case 'not_found':
      return 'radarm.providers';
    default:
      return 'radarm.';
  }
}
