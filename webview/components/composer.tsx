// The composer: question box, mode, data files, model, Send / Stop.
//
// Enter sends, Shift+Enter is a new line, and Enter that confirms an input-method composition
// (Chinese pinyin, Japanese kana, Korean hangul) never sends. Browsers disagree on the order:
// Chromium fires keydown(Enter, isComposing=true, keyCode 229) before compositionend; Safari
// fires compositionend first and then keydown(Enter) with isComposing=false but keyCode 229.
// So a keydown is part of a composition when isComposing, or keyCode 229, or we are between
// compositionstart and compositionend.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { PANEL_MODES } from '../../src/protocol/messages';
import { cancel, send, setMode, setProvider, store, takePendingRun, typed } from '../store';
import { post } from '../vscode-api';
import { recallList, recallStep } from '../recall';
import { Elapsed } from './elapsed';
import { FilePicker } from './file-picker';
import { MentionChips, useMentions } from './mention-menu';
import { Codicon } from './widgets';

export function isImeEnter(e: KeyboardEvent, composing: boolean): boolean {
  return e.isComposing || e.keyCode === 229 || composing;
}

export function Composer() {
  const s = store.strings;
  const busy = store.busyTurnId !== null;
  const ta = useRef<HTMLTextAreaElement>(null);
  const composing = useRef(false);
  const [text, setText] = useState(store.draft);
  const recallIndex = useRef(-1);
  const mentions = useMentions({
    locale: store.locale,
    files: store.available.filter((f) => !f.startsWith('db:')), // database connections are not files
    setText: (v) => {
      setText(v);
      typed(v);
    },
  });

  // Prefill / focus / restore from the store.
  useEffect(() => {
    setText(store.draft);
    ta.current?.focus();
    if (takePendingRun()) send(store.draft) && setText('');
  }, [store.draftVersion]);

  useLayoutEffect(() => autoGrow(ta.current), [text]);

  const submit = () => {
    if (send(text)) setText('');
    recallIndex.current = -1;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (ta.current && mentions.onKeyDown(e, composing.current, ta.current)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      if (isImeEnter(e, composing.current)) return; // the IME confirms its word; nothing is sent
      e.preventDefault();
      if (!busy) submit();
    } else if (e.key === 'Escape' && busy) {
      e.preventDefault();
      cancel();
    } else if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      if (isImeEnter(e, composing.current)) return;
      const list = recallList(store.turns.map((t) => t.question));
      const step = recallStep(list, recallIndex.current, text, e.key);
      if (!step) return;
      e.preventDefault();
      recallIndex.current = step.index;
      setText(step.text);
      typed(step.text);
      const el = ta.current;
      if (el) requestAnimationFrame(() => el.setSelectionRange(step.text.length, step.text.length));
    }
  };

  const provider = store.providers.find((p) => p.id === store.providerId);
  const canSend = !busy && text.trim().length > 0;
  const running = busy ? store.turns.find((t) => t.id === store.busyTurnId)?.running : null;

  return (
    <div class="composer">
      <FilePicker />
      <div class="input-box">
        <textarea
          ref={ta}
          class="input"
          rows={1}
          value={text}
          placeholder={s.placeholder}
          aria-label={s.composerLabel}
          onInput={(e) => {
            const v = (e.currentTarget as HTMLTextAreaElement).value;
            setText(v);
            typed(v);
            if (!composing.current) mentions.update(e.currentTarget as HTMLTextAreaElement);
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(e) => /^(Arrow(Left|Right)|Home|End)$/.test(e.key) && mentions.update(e.currentTarget as HTMLTextAreaElement)}
          onClick={(e) => mentions.update(e.currentTarget as HTMLTextAreaElement)}
          onCompositionStart={() => (composing.current = true)}
          onCompositionEnd={(e) => {
            composing.current = false;
            mentions.update(e.currentTarget as HTMLTextAreaElement);
          }}
          {...mentions.aria}
        />
        {mentions.menu}
        <div class="composer-toolbar">
          <select
            class="select mode-select"
            aria-label={s.mode}
            title={`${s.mode}: ${s.modeHints[store.mode]}`}
            value={store.mode}
            onChange={(e) => setMode((e.currentTarget as HTMLSelectElement).value as never)}
          >
            {PANEL_MODES.map((m) => (
              <option value={m} title={s.modeHints[m]}>
                {s.modes[m]}
              </option>
            ))}
          </select>
          <ProviderPicker />
          <span class="spacer" />
          {busy ? (
            // While code runs, the seconds it has been running sit on the Stop button itself.
            <button type="button" class="button stop" onClick={cancel} title={`${s.stop} (Esc)`} aria-label={s.stop}>
              <Codicon name="debug-stop" />
              <span class="stop-label">{s.stop}</span>
              {running && <Elapsed since={running.startedAt} class="composer-elapsed" />}
            </button>
          ) : (
            <button
              type="button"
              class="icon-button send"
              onClick={submit}
              disabled={!canSend}
              title={`${s.send} (Enter)`}
              aria-label={s.send}
            >
              <Codicon name="send" />
            </button>
          )}
        </div>
      </div>
      <MentionChips text={text} />
      {provider?.hasKey === false && (
        <div class="composer-hint">
          <Codicon name="key" />
          <button type="button" class="link-button" onClick={() => post({ type: 'setApiKey', providerId: provider.id })}>
            {s.setApiKey}
          </button>
        </div>
      )}
    </div>
  );
}

function ProviderPicker() {
  const s = store.strings;
  const providers = store.providers;
  if (providers.length === 0)
    return (
      <button type="button" class="link-button small" onClick={() => post({ type: 'openSettings' })}>
        {s.noProvider}
      </button>
    );
  const current = providers.find((p) => p.id === store.providerId) ?? providers[0];
  if (providers.length === 1)
    return (
      <span class="provider muted small" title={`${current.label} · ${current.model}`}>
        {current.model || current.label}
      </span>
    );
  return (
    <select
      class="select provider-select"
      aria-label={s.provider}
      title={`${current.label} · ${current.model}`}
      value={current.id}
      onChange={(e) => setProvider((e.currentTarget as HTMLSelectElement).value)}
    >
      {/* The narrow panel shows the selected option's text: the model's name, with the provider in the tooltip. */}
      {providers.map((p) => (
        <option value={p.id} title={p.label}>
          {p.model || p.label}
        </option>
      ))}
    </select>
  );
}

function autoGrow(el: HTMLTextAreaElement | null): void {
  if (!el) return;
  el.style.height = 'auto';
  el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
}
