// Data files for the next question: chips of the selected files and a popover listing the
// workspace's data files (from the host) with a filter, plus "Browse…" (the host's quick pick).
import { PreviewChipButton } from './preview-chip-button';
import { useEffect, useRef, useState } from 'preact/hooks';
import { format } from '../i18n';
import { setSelected, store } from '../store';
import { post } from '../vscode-api';
import { baseName } from './turn-view';
import { Codicon } from './widgets';

const MAX_LISTED = 200;

export function FilePicker() {
  const s = store.strings;
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const filterInput = useRef<HTMLInputElement>(null);
  const selected = store.selected;

  const close = (focusButton: boolean) => {
    setOpen(false);
    setFilter('');
    if (focusButton) button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    root.current?.querySelector<HTMLElement>('.popover input, .popover button')?.focus();
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) close(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const toggle = (f: string) =>
    setSelected(selected.includes(f) ? selected.filter((x) => x !== f) : [...selected, f]);

  const needle = filter.trim().toLowerCase();
  const matches = store.available.filter((f) => !needle || f.toLowerCase().includes(needle));

  return (
    <div
      class="file-picker"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.preventDefault();
          e.stopPropagation();
          close(true);
        }
      }}
    >
      <div class="chips">
        <button
          ref={button}
          type="button"
          class="chip chip-add"
          aria-haspopup="true"
          aria-expanded={open}
          aria-label={s.addDataFiles}
          title={s.addDataFiles}
          onClick={() => (open ? close(false) : setOpen(true))}
        >
          <Codicon name="attach" />
          {selected.length === 0 && <span class="chip-label">{s.dataFiles}</span>}
        </button>
        {selected.map((f) => (
          <span class="chip" title={f}>
            <Codicon name={isDb(f) ? 'database' : 'table'} />
            <span class="chip-label">{label(f)}</span>
            <PreviewChipButton path={f} locale={store.locale} />
            <button
              type="button"
              class="chip-remove"
              aria-label={format(s.removeFile, f)}
              title={format(s.removeFile, f)}
              onClick={() => setSelected(selected.filter((x) => x !== f))}
            >
              <Codicon name="close" />
            </button>
          </span>
        ))}
      </div>
      {open && (
        <div class="popover" role="dialog" aria-label={s.dataFiles}>
          {store.available.length > 8 && (
            <input
              ref={filterInput}
              class="input filter"
              type="text"
              placeholder={s.filterFiles}
              aria-label={s.filterFiles}
              value={filter}
              onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)}
            />
          )}
          {store.available.length === 0 ? (
            <div class="muted small popover-empty">{s.noDataFiles}</div>
          ) : (
            <ul class="file-list" role="group" aria-label={s.dataFiles}>
              {matches.slice(0, MAX_LISTED).map((f) => (
                <li>
                  <label class="file-option" title={f}>
                    <input type="checkbox" checked={selected.includes(f)} onChange={() => toggle(f)} />
                    {isDb(f) && <Codicon name="database" />}
                    <span class="file-name">{label(f)}</span>
                    <span class="muted small file-dir">{dirName(f)}</span>
                  </label>
                </li>
              ))}
            </ul>
          )}
          <button
            type="button"
            class="link-button browse"
            onClick={() => {
              post({ type: 'pickDataFiles' });
              close(true);
            }}
          >
            <Codicon name="folder-opened" />
            {s.browseFiles}
          </button>
          <button
            type="button"
            class="link-button browse"
            onClick={() => {
              post({ type: 'addDatabase' });
              close(true);
            }}
          >
            <Codicon name="database" />
            {s.addDatabase}
          </button>
        </div>
      )}
    </div>
  );
}

/** Database connections are listed as "db:<name>" (see src/vscode/databases.ts). */
const isDb = (f: string) => f.startsWith('db:');
const label = (f: string) => (isDb(f) ? f.slice(3) : baseName(f));

const dirName = (p: string) => {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i > 0 ? p.slice(0, i) : '';
};
