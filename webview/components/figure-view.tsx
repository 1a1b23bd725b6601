// A figure at the panel's full width with its actions: open full size in an editor tab, save
// (PNG; a Plotly chart as self-contained HTML) and copy as an image.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { copyPng } from '../clipboard-image';
import { store } from '../store';
import { post } from '../vscode-api';
import { Codicon, IconButton } from './widgets';

/** The toolbar above a figure. `png` yields the image to copy (a chart renders one on demand). */
export function FigureToolbar({ turnId, kind, png }: { turnId: string; kind: 'image' | 'chart'; png: () => Promise<string | null> }) {
  const s = store.strings;
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'blocked'>('idle');
  useEffect(() => {
    if (copyState !== 'copied') return;
    const t = setTimeout(() => setCopyState('idle'), 1500);
    return () => clearTimeout(t);
  }, [copyState]);
  const copy = async () => {
    const url = await png().catch(() => null);
    setCopyState(url && (await copyPng(url)) ? 'copied' : 'blocked');
  };
  return (
    <>
      <div class="figure-toolbar">
        <Codicon name={kind === 'chart' ? 'graph' : 'file-media'} />
        <span class="figure-title">{kind === 'chart' ? s.chart : s.figure}</span>
        <span class="spacer" />
        <IconButton icon="link-external" class="figure-open" label={s.openFigure} onClick={() => post({ type: 'figure', turnId, kind, action: 'open' })} />
        <IconButton
          icon="save"
          class="figure-save"
          label={kind === 'chart' ? s.saveHtml : s.savePng}
          onClick={() => post({ type: 'figure', turnId, kind, action: 'save' })}
        />
        <IconButton
          icon={copyState === 'copied' ? 'check' : 'copy'}
          class="figure-copy"
          label={copyState === 'copied' ? s.copied : s.copyImage}
          onClick={() => void copy()}
        />
      </div>
      {copyState === 'blocked' && (
        <div class="figure-note muted small" role="status">
          <Codicon name="info" />
          {s.copyImageBlocked}
        </div>
      )}
    </>
  );
}

export function ImageFigure({ src, turnId }: { src: string; turnId: string }) {
  return (
    <Figure>
      <FigureToolbar turnId={turnId} kind="image" png={async () => (src.startsWith('data:image/png') ? src : null)} />
      <img src={src} alt={store.strings.figure} />
    </Figure>
  );
}

function Figure({ children }: { children: ComponentChildren }) {
  return <figure class="artifact figure">{children}</figure>;
}
