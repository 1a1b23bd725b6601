// One turn: the question (editable: edit and resend), then the answer with its stage sections,
// artifacts and status, and the actions on it (copy, regenerate).
import { memo } from 'preact/compat';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { TokenUsage } from '../../src/protocol/events';
import { format } from '../i18n';
import { store } from '../store';
import { activeStage, currentSection, type TurnModel } from '../turn-model';
import { post } from '../vscode-api';
import { Artifacts } from './artifacts';
import { Elapsed } from './elapsed';
import { ErrorBox } from './error-box';
import { MarkdownView } from './stream-views';
import { NoteView, StageSection } from './stage-section';
import { MentionChips, QuestionText, useMentions } from './mention-menu';
import { Codicon, CopyButton, IconButton } from './widgets';
import { tableStrings } from '../table-i18n';

interface TurnProps {
  turn: TurnModel;
  version: number;
  busy: boolean;
  locale: string;
  /** The newest turn (regenerating it removes nothing else). */
  last: boolean;
}

export const TurnView = memo(
  function TurnView({ turn, busy, last: isLast }: TurnProps) {
    const s = store.strings;
    const streaming = !turn.done;
    const active = activeStage(turn);
    const last = currentSection(turn); // a passing note (loading data…) does not close the open section
    return (
      <article class="turn" aria-label={turn.question.slice(0, 80)}>
        <Question turn={turn} busy={busy} last={isLast} />
        <div class="response" aria-live="polite" aria-busy={streaming}>
          <div class="role">
            <Codicon name="sparkle" />
            <span class="role-name">{s.assistant}</span>
            {turn.model && <span class="muted small model-name">{turn.model}</span>}
            {streaming && (
              <span class="live" role="status">
                <Codicon name="loading" spin />
                {turn.running ? (
                  <>
                    {s.runningCode} · <Elapsed since={turn.running.startedAt} />
                  </>
                ) : (
                  <>
                    {s.streaming}
                    {active && active !== 'response' && <span class="muted"> · {s.stages[active]}</span>}
                  </>
                )}
              </span>
            )}
          </div>
          {turn.segments.map((seg) =>
            seg.kind === 'note' ? (
              <NoteView key={seg.key} seg={seg} />
            ) : (
              <StageSection
                key={seg.key}
                seg={seg}
                active={streaming && seg === last && active === seg.stage}
                turnId={turn.id}
                mode={turn.mode}
              />
            ),
          )}
          {turn.answer && <MarkdownView stream={turn.answer} class="answer" />}
          {turn.complete && <Artifacts data={turn.complete} turnId={turn.id} />}
          {turn.error && <ErrorBox text={turn.error} code={turn.errorCode} turnId={turn.id} busy={busy} stopped={turn.stopped} />}
          {turn.stopped && !turn.error && <div class="muted stopped">{s.stopped}</div>}
          {turn.done && <Footer turn={turn} busy={busy} last={isLast} />}
        </div>
      </article>
    );
  },
  (a, b) => a.turn === b.turn && a.version === b.version && a.busy === b.busy && a.locale === b.locale && a.last === b.last,
);

/** The question, with Edit: an inline box whose Enter resends it (the later turns leave the conversation). */
function Question({ turn, busy, last }: { turn: TurnModel; busy: boolean; last: boolean }) {
  const s = store.strings;
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(turn.question);
  const ta = useRef<HTMLTextAreaElement>(null);
  const composing = useRef(false);
  // Editing a question completes @/# mentions as the composer does; its chips show under the box.
  const mentions = useMentions({ locale: store.locale, files: store.available.filter((f) => !f.startsWith('db:')), setText, idPrefix: `mention-edit-${turn.id}` });
  useLayoutEffect(() => {
    if (!editing || !ta.current) return;
    ta.current.focus();
    ta.current.select();
  }, [editing]);
  const resend = () => {
    const q = text.trim();
    if (!q || busy) return;
    post({ type: 'editResend', turnId: turn.id, text: q });
    setEditing(false);
  };
  return (
    <div class="request">
      <div class="role">
        <Codicon name="account" />
        <span class="role-name">{s.you}</span>
        <span class="badge" title={s.modeHints[turn.mode]}>
          {s.modes[turn.mode]}
        </span>
        <span class="spacer" />
        {!editing && (
          <span class="copy-question">
            <CopyButton text={turn.question} label={tableStrings(store.locale).copyQuestion} />
          </span>
        )}
        {!editing && turn.done && (
          <IconButton
            icon="edit"
            class="edit-question"
            label={last ? s.editQuestion : `${s.editQuestion} — ${s.regenerateEarlier}`}
            disabled={busy}
            onClick={() => {
              setText(turn.question);
              setEditing(true);
            }}
          />
        )}
      </div>
      {editing ? (
        <div class="edit-box">
          <textarea
            ref={ta}
            class="input edit-input"
            value={text}
            rows={Math.min(8, text.split('\n').length + 1)}
            aria-label={s.editQuestion}
            title={s.editHint}
            onInput={(e) => {
              setText((e.currentTarget as HTMLTextAreaElement).value);
              if (!composing.current) mentions.update(e.currentTarget as HTMLTextAreaElement);
            }}
            onCompositionStart={() => (composing.current = true)}
            onCompositionEnd={(e) => {
              composing.current = false;
              mentions.update(e.currentTarget as HTMLTextAreaElement);
            }}
            onClick={(e) => mentions.update(e.currentTarget as HTMLTextAreaElement)}
            {...mentions.aria}
            onKeyDown={(e) => {
              if (mentions.onKeyDown(e, composing.current, e.currentTarget as HTMLTextAreaElement)) return;
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
                e.preventDefault();
                resend();
              } else if (e.key === 'Escape') {
                e.preventDefault();
                setEditing(false);
              }
            }}
          />
          {mentions.menu}
          <MentionChips text={text} />
          <div class="edit-actions">
            <span class="muted small">{s.editHint}</span>
            <span class="spacer" />
            <button type="button" class="button secondary" onClick={() => setEditing(false)}>
              {s.cancelEdit}
            </button>
            <button type="button" class="button resend" disabled={busy || !text.trim()} onClick={resend}>
              <Codicon name="send" />
              {s.send}
            </button>
          </div>
        </div>
      ) : (
        <QuestionText text={turn.question} />
      )}
      {turn.dataFiles.length > 0 && (
        <div class="chips">
          {turn.dataFiles.map((f) => (
            <button type="button" class="chip chip-link" title={f} onClick={() => post({ type: 'openFile', path: f })}>
              <Codicon name="table" />
              <span class="chip-label">{baseName(f)}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

function Footer({ turn, busy, last }: { turn: TurnModel; busy: boolean; last: boolean }) {
  const usage = turn.complete?.usage;
  const answer = turn.answer;
  const s = store.strings;
  // A failed turn has Retry in its error box: no second button for the same thing.
  const regenerate = !turn.error;
  if (!usage && !answer && !regenerate) return null;
  return (
    <div class="turn-footer">
      {usage && <UsageView usage={usage} />}
      <span class="spacer" />
      {answer && <CopyButton text={() => answer.text()} label={s.copyAnswer} />}
      {regenerate && (
        <IconButton
          icon="refresh"
          class="regenerate"
          label={last ? s.regenerate : s.regenerateEarlier}
          disabled={busy}
          onClick={() => post({ type: 'regenerate', turnId: turn.id })}
        />
      )}
    </div>
  );
}

function UsageView({ usage }: { usage: TokenUsage }) {
  const s = store.strings;
  const total = usage.totalTokens ?? (usage.promptTokens ?? 0) + (usage.completionTokens ?? 0);
  if (!total) return null;
  const n = (x: number) => x.toLocaleString(store.locale === 'zh-cn' ? 'zh-CN' : 'en-US');
  const text =
    usage.promptTokens !== undefined && usage.completionTokens !== undefined
      ? format(s.tokensDetail, n(total), n(usage.promptTokens), n(usage.completionTokens))
      : format(s.tokens, n(total));
  return <span class="usage muted small">{text}</span>;
}

export const baseName = (p: string) => p.split(/[\\/]/).pop() || p;
