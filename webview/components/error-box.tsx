// A failed turn: its message once, in the turn, with the actions its error code calls for.
import { errorActionMessage, errorActions, type ErrorAction } from '../../src/protocol/error-actions';
import type { ErrorCode } from '../../src/protocol/events';
import type { Strings } from '../i18n';
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
  const actions: readonly ErrorAction[] = stopped ? [{ kind: 'retry' }] : errorActions(code);
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

/** How each action looks; what it posts comes from the protocol (errorActionMessage). */
const LOOKS: { [K in ErrorAction['kind']]: { class: string; icon: string; label: (s: Strings) => string } } = {
  setApiKey: { class: 'set-key', icon: 'key', label: (s) => s.setApiKey },
  retry: { class: 'retry', icon: 'refresh', label: (s) => s.retry },
  openSettings: { class: 'open-settings', icon: 'gear', label: (s) => s.openSettings },
  pickDataFiles: { class: 'pick-files', icon: 'table', label: (s) => s.addDataFiles },
  showLog: { class: 'show-log', icon: 'output', label: (s) => s.showLog },
};

function ActionButton({ action, turnId, busy }: { action: ErrorAction; turnId: string; busy: boolean }) {
  const look = LOOKS[action.kind];
  return (
    <button
      type="button"
      class={`button secondary ${look.class}`}
      title={action.kind === 'openSettings' ? action.query : undefined}
      disabled={action.kind === 'retry' && busy}
      onClick={() => post(errorActionMessage(action, { turnId, providerId: store.providerId || undefined }))}
    >
      <Codicon name={look.icon} />
      {look.label(store.strings)}
    </button>
  );
}
