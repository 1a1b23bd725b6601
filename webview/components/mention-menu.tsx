// `@column` / `@table` / `#file` completion for a question's textarea (the composer and Edit-and-resend).
// Keyboard-only works: ↑/↓ choose, Enter or Tab insert, Escape dismisses; no key does anything while an input
// method is composing (pinyin, kana, …). The textarea is an ARIA combobox whose active option is announced.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { findMentions, mentionParts, mentionToken } from '../../src/protocol/mentions';
import { tableStrings } from '../table-i18n';
import { activeTrigger, candidates, hasTables, listenForMentionSources, onMentionSources, type Candidate } from '../mention-source';
import { Codicon } from './widgets';
import '../tables.css';

export interface MentionState {
  /** Call on input, click and caret moves. */
  update(el: HTMLTextAreaElement): void;
  /** Call first in keydown; true when the menu used the key. */
  onKeyDown(e: KeyboardEvent, composing: boolean, el: HTMLTextAreaElement): boolean;
  menu: preact.JSX.Element | null;
  /** Combobox attributes for the textarea (expanded, the listbox, the active option). */
  aria: Record<string, string | boolean | undefined>;
}

listenForMentionSources();

const ICONS = { column: 'symbol-field', table: 'database', file: 'table' } as const;

export function useMentions(opts: {
  locale: string;
  files: string[];
  setText: (text: string) => void;
  /** Element ids start with it (two boxes can be open at once: the composer and an edited question). */
  idPrefix?: string;
}): MentionState {
  const ids = opts.idPrefix ?? 'mention';
  const [open, setOpen] = useState<{ trigger: '@' | '#'; start: number; end: number; query: string; items: Candidate[] } | null>(null);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState(-1);
  const t = tableStrings(opts.locale);
  const files = useRef(opts.files);
  files.current = opts.files;
  // Names that arrive while the menu is open (a workbook's sheets, a database's tables come a moment later).
  useEffect(() => onMentionSources(() => setOpen((o) => o && { ...o, items: candidates(o.trigger, o.query, files.current) })), []);

  const accept = (el: HTMLTextAreaElement, item: Candidate) => {
    if (!open) return;
    const token = mentionToken(item.trigger, item.name) + ' ';
    const text = el.value.slice(0, open.start) + token + el.value.slice(open.end);
    const caret = open.start + token.length;
    el.value = text;
    el.setSelectionRange(caret, caret);
    opts.setText(text);
    setOpen(null);
  };

  const update = (el: HTMLTextAreaElement) => {
    const caret = el.selectionStart ?? el.value.length;
    const trig = el.selectionStart === el.selectionEnd ? activeTrigger(el.value, caret) : null;
    if (!trig) setDismissedAt(-1); // the dismissed trigger is gone: a new one at the same place opens again
    if (!trig || trig.start === dismissedAt) return setOpen(null);
    const items = candidates(trig.trigger, trig.query, opts.files);
    setOpen({ trigger: trig.trigger, start: trig.start, end: caret, query: trig.query, items });
    setActive(0);
  };

  const onKeyDown = (e: KeyboardEvent, composing: boolean, el: HTMLTextAreaElement): boolean => {
    if (!open || composing || e.isComposing || e.keyCode === 229) return false;
    const n = open.items.length;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        if (!n) return false;
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return true;
      case 'Enter':
      case 'Tab':
        if (!n || e.shiftKey) return false;
        e.preventDefault();
        accept(el, open.items[Math.min(active, n - 1)]);
        return true;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        setDismissedAt(open.start);
        setOpen(null);
        return true;
      default:
        return false;
    }
  };

  const title = open?.trigger === '#' ? t.mentionFiles : hasTables() ? t.mentionColumnsTables : t.mentionColumns;
  const kindLabel = { column: t.mentionColumn, table: t.mentionTable, file: t.mentionFiles } as const;
  const current = open && open.items.length ? Math.min(active, open.items.length - 1) : -1;
  const menu = open ? (
    <div class="mention-menu" role="listbox" id={`${ids}-menu`} aria-label={title}>
      <div class="mention-title muted small" aria-hidden="true">
        {title} · {t.mentionHint}
      </div>
      {open.items.length === 0 && <div class="mention-empty muted">{t.noMatches}</div>}
      {open.items.map((item, i) => (
        <div
          role="option"
          id={`${ids}-${i}`}
          aria-selected={i === current}
          title={`${kindLabel[item.kind]}: ${item.name} — ${item.detail}`}
          class={`mention-item mention-${item.kind}${i === current ? ' active' : ''}`}
          onMouseDown={(e) => {
            e.preventDefault(); // keep the textarea's focus and caret
            const el = (e.currentTarget as HTMLElement).closest('.input-box, .edit-box')?.querySelector('textarea');
            if (el) accept(el, item);
          }}
        >
          <Codicon name={ICONS[item.kind]} />
          <span class="mention-name">{item.name}</span>
          <span class="mention-detail muted small">{item.detail}</span>
        </div>
      ))}
    </div>
  ) : null;
  useLayoutEffect(() => {
    if (current >= 0) document.getElementById(`${ids}-${current}`)?.scrollIntoView({ block: 'nearest' });
  }, [current, open]);
  const aria = {
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-haspopup': 'listbox',
    'aria-expanded': !!open,
    'aria-controls': open ? `${ids}-menu` : undefined,
    'aria-activedescendant': current >= 0 ? `${ids}-${current}` : undefined,
  };

  return { update, onKeyDown, menu, aria };
}

const chipIcon = (trigger: '@' | '#') => (trigger === '#' ? 'table' : 'symbol-field');

/** The mentions in the draft as chips under the box: what the model will be told, exactly. */
export function MentionChips({ text }: { text: string }) {
  const found = findMentions(text);
  if (!found.length) return null;
  return (
    <div class="chips mention-chips">
      {found.map((m) => (
        <span class="chip mention-chip" title={mentionToken(m.trigger, m.name)}>
          <Codicon name={chipIcon(m.trigger)} />
          <span class="chip-label">{m.name}</span>
        </span>
      ))}
    </div>
  );
}

/**
 * A sent question with its mentions as inline chips. Copying a selection of it gives the exact text that was sent
 * (each chip copies as its backquoted token), so a pasted question mentions the same names.
 */
export function QuestionText({ text }: { text: string }) {
  return (
    <div class="question" onCopy={copyWithTokens}>
      {mentionParts(text).map((p) =>
        'trigger' in p ? (
          <span class="mention-chip inline" data-token={p.token} title={p.token}>
            <Codicon name={chipIcon(p.trigger)} />
            <span class="chip-label">{p.name}</span>
          </span>
        ) : (
          p.text
        ),
      )}
    </div>
  );
}

function copyWithTokens(e: ClipboardEvent) {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed || !e.clipboardData) return;
  const box = document.createElement('div');
  box.append(sel.getRangeAt(0).cloneContents());
  for (const chip of box.querySelectorAll<HTMLElement>('[data-token]')) chip.replaceWith(chip.dataset.token ?? '');
  e.clipboardData.setData('text/plain', box.textContent ?? '');
  e.preventDefault();
}
