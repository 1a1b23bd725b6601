// `@column` / `#file` completion for the composer's textarea. Keyboard-only works: ↑/↓ choose, Enter or Tab
// insert, Escape dismisses; no key does anything while an input method is composing (pinyin, kana, …).
import { useState } from 'preact/hooks';
import { findMentions, mentionToken } from '../../src/protocol/mentions';
import { tableStrings } from '../table-i18n';
import { activeTrigger, candidates, listenForMentionSources, type Candidate } from '../mention-source';
import { Codicon } from './widgets';
import '../tables.css';

export interface MentionState {
  /** Call on input, click and caret moves. */
  update(el: HTMLTextAreaElement): void;
  /** Call first in keydown; true when the menu used the key. */
  onKeyDown(e: KeyboardEvent, composing: boolean, el: HTMLTextAreaElement): boolean;
  menu: preact.JSX.Element | null;
}

listenForMentionSources();

const ICONS = { column: 'symbol-field', table: 'database', file: 'table' } as const;

export function useMentions(opts: { locale: string; files: string[]; setText: (text: string) => void }): MentionState {
  const [open, setOpen] = useState<{ trigger: '@' | '#'; start: number; end: number; items: Candidate[] } | null>(null);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState(-1);
  const t = tableStrings(opts.locale);

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
    setOpen({ trigger: trig.trigger, start: trig.start, end: caret, items });
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

  const title = open?.trigger === '#' ? t.mentionFiles : t.mentionColumns;
  const menu = open ? (
    <div class="mention-menu" role="listbox" id="mention-menu" aria-label={title}>
      <div class="mention-title muted small">
        {title} · {t.mentionHint}
      </div>
      {open.items.length === 0 && <div class="mention-empty muted">{t.noMatches}</div>}
      {open.items.map((item, i) => (
        <div
          role="option"
          id={`mention-${i}`}
          aria-selected={i === active}
          class={`mention-item${i === active ? ' active' : ''}`}
          onMouseDown={(e) => {
            e.preventDefault(); // keep the textarea's focus and caret
            const el = (e.currentTarget as HTMLElement).closest('.input-box')?.querySelector('textarea');
            if (el) accept(el, item);
          }}
        >
          <Codicon name={ICONS[item.kind]} />
          <span class="mention-name">{item.name}</span>
          <span class="mention-detail muted small">{item.kind === 'table' ? t.mentionTables : item.detail}</span>
        </div>
      ))}
    </div>
  ) : null;

  return { update, onKeyDown, menu };
}

/** The mentions in the draft as chips under the box: what the model will be told, exactly. */
export function MentionChips({ text }: { text: string }) {
  const found = findMentions(text);
  if (!found.length) return null;
  return (
    <div class="chips mention-chips">
      {found.map((m) => (
        <span class="chip mention-chip" title={mentionToken(m.trigger, m.name)}>
          <Codicon name={m.trigger === '#' ? 'table' : 'symbol-field'} />
          <span class="chip-label">{m.name}</span>
        </span>
      ))}
    </div>
  );
}
