// Small native-looking building blocks: codicons, icon buttons, disclosure headers, copy.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { store } from '../store';
import { post } from '../vscode-api';

import { Codicon } from './codicon';

export { Codicon };

export function IconButton({
  icon,
  label,
  onClick,
  disabled,
  class: cls,
}: {
  icon: string;
  label: string;
  onClick: () => void;
  disabled?: boolean;
  class?: string;
}) {
  return (
    <button type="button" class={`icon-button ${cls ?? ''}`} title={label} aria-label={label} onClick={onClick} disabled={disabled}>
      <Codicon name={icon} />
    </button>
  );
}

/** Copies through the host (the webview's own clipboard access is not reliable) and shows a tick. */
export function CopyButton({ text, label }: { text: string | (() => string); label?: string }) {
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (!done) return;
    const t = setTimeout(() => setDone(false), 1500);
    return () => clearTimeout(t);
  }, [done]);
  const s = store.strings;
  return (
    <IconButton
      icon={done ? 'check' : 'copy'}
      label={done ? s.copied : (label ?? s.copy)}
      onClick={() => {
        const value = typeof text === 'function' ? text() : text;
        if (value) post({ type: 'copy', text: value });
        setDone(true);
      }}
    />
  );
}

/** A header button that opens and closes a region (aria-expanded / aria-controls). */
export function Disclosure({
  open,
  controls,
  onToggle,
  label,
  class: cls,
}: {
  open: boolean;
  controls: string;
  onToggle: () => void;
  label: ComponentChildren;
  class?: string;
}) {
  return (
    <button type="button" class={`disclosure ${cls ?? ''}`} aria-expanded={open} aria-controls={controls} onClick={onToggle}>
      <Codicon name={open ? 'chevron-down' : 'chevron-right'} />
      {label}
    </button>
  );
}
