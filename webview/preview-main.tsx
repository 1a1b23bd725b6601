// Entry of the "Radarm: Preview Data" editor tab: same CSP, theme and table component as the chat panel,
// its own small bundle (preview.js). The host sends previewLoading, then preview or previewError.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { isPreviewMessage, type PreviewMessage } from '../src/protocol/preview';
import { PreviewView } from './components/preview-view';
import { post } from './vscode-api';
import './style.css';

function PreviewApp() {
  const [msg, setMsg] = useState<PreviewMessage | null>(null);
  useEffect(() => {
    const on = (e: MessageEvent) => isPreviewMessage(e.data) && setMsg(e.data);
    window.addEventListener('message', on);
    post({ type: 'ready' });
    return () => window.removeEventListener('message', on);
  }, []);
  return <PreviewView message={msg} locale={document.body?.dataset.locale ?? 'en'} />;
}

render(<PreviewApp />, document.getElementById('radarm-root') ?? document.body);
