// What a failed turn offers, decided by its error code alone (never by matching the text: a user's
// `KeyError: 401` is not an authentication failure). One table for every host: the panel renders these
// as buttons in the turn, the extension host puts the same ones on a notification when the panel is
// hidden. Each action is something the webview can post (see errorActionMessage).
import type { ErrorCode } from './events';
import type { WebviewToHost } from './messages';

export type ErrorAction =
  | { kind: 'setApiKey' }
  | { kind: 'retry' }
  /** query: the setting to show (a `radarm.` search in the Settings editor). */
  | { kind: 'openSettings'; query: string }
  | { kind: 'pickDataFiles' }
  | { kind: 'showLog' };
export type ErrorActionKind = ErrorAction['kind'];

const setApiKey: ErrorAction = { kind: 'setApiKey' };
const retry: ErrorAction = { kind: 'retry' };
const settings = (query = 'radarm.'): ErrorAction => ({ kind: 'openSettings', query });
const pickDataFiles: ErrorAction = { kind: 'pickDataFiles' };
const showLog: ErrorAction = { kind: 'showLog' };

/**
 * The actions of each code, the most likely fix first. A Record over every ErrorCode: a new code
 * without an entry does not compile. Show Log where the cause is on this machine (Python, data).
 */
export const ERROR_ACTIONS: { readonly [C in ErrorCode]: readonly ErrorAction[] } = {
  auth: [setApiKey],
  no_key: [setApiKey],
  no_provider: [settings('radarm.providers')],
  rate_limit: [retry],
  timeout: [retry, settings('radarm.requestTimeout')],
  stall: [retry, settings('radarm.stallTimeout')],
  network: [retry],
  not_found: [settings('radarm.providers')],
  bad_request: [retry, settings('radarm.providers')],
  context_too_long: [retry],
  response_too_large: [retry],
  bad_response: [retry],
  // The host shows no notification after a Stop; the turn offers to ask again.
  cancelled: [retry],
  untrusted: [],
  no_python: [settings('radarm.pythonPath'), retry, showLog],
  sandbox: [settings('radarm.sandbox'), retry, showLog],
  kernel: [retry, showLog],
  data: [pickDataFiles, retry, showLog],
  database: [settings(), retry, showLog],
  dask: [settings('radarm.dask'), retry, showLog],
  no_code: [retry],
  max_rounds: [retry, settings('radarm.maxRounds')],
  internal: [retry, showLog],
};

/** The actions for an error; an error without a code (older producers) is treated as `internal`. */
export function errorActions(code: ErrorCode | null | undefined): readonly ErrorAction[] {
  return ERROR_ACTIONS[code ?? 'internal'] ?? [retry];
}

/** The message a panel button for this action posts to the host (the turn's id for Retry). */
export function errorActionMessage(action: ErrorAction, ctx: { turnId: string; providerId?: string }): WebviewToHost {
  switch (action.kind) {
    case 'setApiKey':
      return ctx.providerId ? { type: 'setApiKey', providerId: ctx.providerId } : { type: 'setApiKey' };
    case 'retry':
      return { type: 'retry', turnId: ctx.turnId };
    case 'openSettings':
      return { type: 'openSettings', query: action.query };
    case 'pickDataFiles':
      return { type: 'pickDataFiles' };
    case 'showLog':
      return { type: 'showLog' };
  }
}
