// Which buttons a failed turn offers, chosen from the error event's machine-readable code (never by
// matching its text: a user's `KeyError: 401` is not an authentication failure).
import type { ErrorCode } from '../src/protocol/events';

export type ErrorAction = { kind: 'setApiKey' } | { kind: 'retry' } | { kind: 'openSettings'; query?: string } | { kind: 'pickDataFiles' };

const retry: ErrorAction = { kind: 'retry' };
const settings = (query?: string): ErrorAction => ({ kind: 'openSettings', query });

const ACTIONS: Record<ErrorCode, ErrorAction[]> = {
  auth: [{ kind: 'setApiKey' }],
  no_key: [{ kind: 'setApiKey' }],
  network: [retry],
  timeout: [retry, settings('radarm.requestTimeout')],
  stall: [retry, settings('radarm.stallTimeout')],
  rate_limit: [retry],
  bad_response: [retry],
  internal: [retry],
  cancelled: [retry],
  not_found: [settings('radarm.providers')],
  bad_request: [retry, settings('radarm.providers')],
  context_too_long: [retry],
  response_too_large: [retry],
  no_provider: [settings('radarm.providers')],
  untrusted: [],
  sandbox: [settings(), retry],
  kernel: [retry],
  no_python: [settings('radarm.pythonPath'), retry],
  data: [{ kind: 'pickDataFiles' }, retry],
  database: [settings(), retry],
  dask: [settings(), retry],
  no_code: [retry],
  max_rounds: [retry, settings('radarm.maxRounds')],
};

export function errorActions(code: ErrorCode | null): ErrorAction[] {
  return ACTIONS[code ?? 'internal'] ?? [retry];
}
