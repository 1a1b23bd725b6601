// A failed turn: its message once, in the turn, with the actions its error code calls for.
import type { ErrorCode } from '../../src/protocol/events';
import { errorActions, type ErrorAction } from '../error-actions';
import { store } from '../store';
import { post } from '../vscode-api';
import { Codicon } from './widgets';

export function ErrorBox({
  text,
  code,
  turnId,
  busy,
  stopped,
}: {
  text: string;
  code: ErrorCode | null;
  turnId: string;
  busy: boolean;
  stopped: boolean;
}) {
  const actions = stopped ? [{ kind: 'retry' } as ErrorAction] : errorActions(code);
  return (
    <div class={`error-box${stopped ? ' stopped' : ''}`} role="alert" data-code={code ?? 'internal'}>
      <Codicon name={stopped ? 'debug-stop' : 'error'} />
      <div class="error-text">{text}</div>
      {actions.length > 0 && (
        <div class="error-actions">
          {actions.map((a) => (
            <ActionButton action={a} turnId={turnId} busy={busy} />
          ))}
        </div>
      )}
    </div>
  );
}

function ActionButton({ action, turnId, busy }: { action: ErrorAction; turnId: string; busy: boolean }) {
  const s = store.strings;
  switch (action.kind) {
    case 'setApiKey':
      return (
        <button type="button" class="button secondary set-key" onClick={() => post({ type: 'setApiKey', providerId: store.providerId || undefined })}>
          <Codicon name="key" />
          {s.setApiKey}
        </button>
      );
    case 'retry':
      return (
        <button type="button" class="button secondary retry" disabled={busy} onClick={() => post({ type: 'retry', turnId })}>
          <Codicon name="refresh" />
          {s.retry}
        </button>
      );
    case 'openSettings':
      return (
        <button
          type="button"
          class="button secondary open-settings"
          title={action.query}
          onClick={() => post(action.query ? { type: 'openSettings', query: action.query } : { type: 'openSettings' })}
        >
          <Codicon name="gear" />
          {s.openSettings}
        </button>
      );
    case 'pickDataFiles':
      return (
        <button type="button" class="button secondary pick-files" onClick={() => post({ type: 'pickDataFiles' })}>
          <Codicon name="table" />
          {s.addDataFiles}
        </button>
      );
  }
}
