// Webview entry: restores the cached state, renders the panel, wires host messages and the
// delegated clicks of rendered markdown (code-block Copy / Insert), then tells the host it is ready.
import { render } from 'preact';
import './style.css';
import './style-actions.css';
import { App } from './components/app';
import { dispatch, handleHostMessage, startStore, store } from './store';
import { post } from './vscode-api';

function onMarkdownAction(e: MouseEvent): void {
  const button = (e.target as Element | null)?.closest?.('button[data-action]');
  if (!button) return;
  const code = button.closest('.code-block')?.querySelector('pre code')?.textContent ?? '';
  if (!code) return;
  const action = button.getAttribute('data-action');
  if (action === 'copy-code') {
    post({ type: 'copy', text: code });
    flashCopied(button);
  } else if (action === 'insert-code') {
    post({ type: 'insertCode', code });
  }
}

function flashCopied(button: Element): void {
  const icon = button.querySelector('.codicon');
  if (!icon) return;
  icon.classList.replace('codicon-copy', 'codicon-check');
  button.setAttribute('aria-label', store.strings.copied);
  setTimeout(() => {
    icon.classList.replace('codicon-check', 'codicon-copy');
    button.setAttribute('aria-label', store.strings.copy);
  }, 1500);
}

startStore();
const root = document.getElementById('radarm-root') ?? document.body;
render(<App />, root);
window.addEventListener('message', (e: MessageEvent) => handleHostMessage(e.data));
document.addEventListener('click', onMarkdownAction);
// The panel got keyboard focus (radarm.chat.focus, Ctrl+Alt+D): the question box takes it.
// Checked a frame later: a click that brought the focus (on a button, a select) has moved it by then.
window.addEventListener('focus', () =>
  requestAnimationFrame(() => {
    if (document.activeElement === document.body || !document.activeElement) dispatch({ type: 'focus' });
  }),
);
post({ type: 'ready' });
