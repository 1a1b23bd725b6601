// Entry of the "Radarm: Preview Data" editor tab: same CSP, theme and table component as the chat panel,
// its own small bundle (preview.js). The host sends previewLoading, then a quick preview (pandas-free, a small
// sample) which the full one replaces in place, or previewError — which keeps a preview already shown.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { isPreviewMessage, type PreviewMessage } from '../src/protocol/preview';
import { PreviewView, type PreviewState } from './components/preview-view';
import { post } from './vscode-api';
import './style.css';

export function nextState(state: PreviewState, msg: PreviewMessage): PreviewState {
  if (msg.type === 'previewLoading') return { name: msg.name };
  if (msg.type === 'preview') return { name: state.name, shown: msg };
  return { ...state, error: msg };
}

function PreviewApp() {
  const [state, setState] = useState<PreviewState>({ name: '' });
  useEffect(() => {
    const on = (e: MessageEvent) => isPreviewMessage(e.data) && setState((s) => nextState(s, e.data as PreviewMessage));
    window.addEventListener('message', on);
    post({ type: 'ready' });
    return () => window.removeEventListener('message', on);
  }, []);
  return <PreviewView state={state} locale={document.body?.dataset.locale ?? 'en'} />;
}

render(<PreviewApp />, document.getElementById('radarm-root') ?? document.body);
