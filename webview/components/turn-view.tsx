// One turn: the question, then the answer with its stage sections, artifacts and status.
import { memo } from 'preact/compat';
import { useState } from 'preact/hooks';
import type { CompleteData, Stage, TokenUsage } from '../../src/protocol/events';
import { format } from '../i18n';
import { store } from '../store';
import { MarkdownStream, TextStream } from '../streams';
import { activeStage, type Segment, type TurnModel } from '../turn-model';
import { post } from '../vscode-api';
import { ChartView } from './chart-view';
import { DataTable } from './data-table';
import { Disclosure, IconButton, Codicon, CopyButton } from './widgets';
import { MarkdownView, TextView } from './stream-views';

const STAGE_ICONS: Record<Stage, string> = {
  planner: 'lightbulb',
  executor: 'code',
  verifier: 'checklist',
  system: 'info',
  code_generation: 'code',
  execution: 'terminal',
  explanation: 'comment',
  response: 'comment',
};

interface TurnProps {
  turn: TurnModel;
  version: number;
  busy: boolean;
  locale: string;
}

export const TurnView = memo(
  function TurnView({ turn, busy }: TurnProps) {
    const s = store.strings;
    const streaming = !turn.done;
    const active = activeStage(turn);
    const last = turn.segments[turn.segments.length - 1];
    return (
      <article class="turn" aria-label={turn.question.slice(0, 80)}>
        <div class="request">
          <div class="role">
            <Codicon name="account" />
            <span class="role-name">{s.you}</span>
            <span class="badge" title={s.modeHints[turn.mode]}>
              {s.modes[turn.mode]}
            </span>
          </div>
          <div class="question">{turn.question}</div>
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
        <div class="response" aria-live="polite" aria-busy={streaming}>
          <div class="role">
            <Codicon name="sparkle" />
            <span class="role-name">{s.assistant}</span>
            {turn.model && <span class="muted small">{turn.model}</span>}
            {streaming && (
              <span class="live" role="status">
                <Codicon name="loading" spin />
                {s.streaming}
                {active && active !== 'response' && <span class="muted"> · {s.stages[active]}</span>}
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
          {turn.error && <ErrorBox text={turn.error} turnId={turn.id} busy={busy} stopped={turn.stopped} />}
          {turn.stopped && !turn.error && <div class="muted stopped">{s.stopped}</div>}
          {turn.done && <Footer turn={turn} />}
        </div>
      </article>
    );
  },
  (a, b) => a.turn === b.turn && a.version === b.version && a.busy === b.busy && a.locale === b.locale,
);

function NoteView({ seg }: { seg: Segment }) {
  return (
    <div class="note">
      <Codicon name="info" />
      <TextView stream={seg.thinking} class="note-text" />
    </div>
  );
}

function StageSection({ seg, active, turnId, mode }: { seg: Segment; active: boolean; turnId: string; mode: string }) {
  const s = store.strings;
  const [userOpen, setUserOpen] = useState<boolean | null>(null);
  const [userThinkingOpen, setUserThinkingOpen] = useState<boolean | null>(null);
  const open = userOpen ?? active;
  const hasContent = seg.content.length > 0;
  const hasThinking = seg.thinking.length > 0;
  // Reasoning before the answer (Ask mode's explanation stage) is "Thinking", not "Explanation".
  const title = mode === 'ask' && seg.stage === 'explanation' && !hasContent ? s.thinking : s.stages[seg.stage];
  const thinkingOpen = userThinkingOpen ?? !hasContent;
  const verdict = seg.stage === 'verifier' && !active ? verdictOf(seg) : null;
  const id = `stage-${turnId}-${seg.key}`;
  return (
    <section class={`stage stage-${seg.stage}${active ? ' active' : ''}`}>
      <Disclosure
        open={open}
        controls={id}
        onToggle={() => setUserOpen(!open)}
        class="stage-header"
        label={
          <>
            <Codicon name={STAGE_ICONS[seg.stage]} />
            <span class="stage-title">{title}</span>
            {active && <Codicon name="loading" spin />}
            {verdict && (
              <span class={`verdict ${verdict}`}>
                <Codicon name={verdict === 'pass' ? 'pass' : 'error'} />
                {verdict === 'pass' ? s.verdictPass : s.verdictFail}
              </span>
            )}
            {!open && hasThinking && <span class="muted small thinking-preview">{preview(seg.thinking)}</span>}
          </>
        }
      />
      {open && (
        <div class="stage-body" id={id}>
          {hasThinking && !hasContent && <TextView stream={seg.thinking} class="thinking-text" />}
          {hasThinking && hasContent && (
            <div class="thinking">
              <Disclosure
                open={thinkingOpen}
                controls={`${id}-thinking`}
                onToggle={() => setUserThinkingOpen(!thinkingOpen)}
                class="thinking-header"
                label={
                  <>
                    <span>{s.thinking}</span>
                    {!thinkingOpen && <span class="muted small thinking-preview">{preview(seg.thinking)}</span>}
                  </>
                }
              />
              {thinkingOpen && (
                <div id={`${id}-thinking`}>
                  <TextView stream={seg.thinking} class="thinking-text" />
                </div>
              )}
            </div>
          )}
          {hasContent &&
            (seg.content instanceof MarkdownStream ? (
              <MarkdownView stream={seg.content} />
            ) : (
              <TextView stream={seg.content} class="output" fold />
            ))}
        </div>
      )}
    </section>
  );
}

/** The verifier's JSON verdict, when its content has one. */
function verdictOf(seg: Segment): 'pass' | 'fail' | null {
  const m = /"verdict"\s*:\s*"(pass|fail)"/i.exec(seg.content instanceof MarkdownStream ? seg.content.text() : seg.content.text());
  return m ? (m[1].toLowerCase() as 'pass' | 'fail') : null;
}

function preview(t: TextStream): string {
  const first = t.chunks.length ? t.text().trimStart().split('\n', 1)[0] : '';
  return first.length > 80 ? first.slice(0, 79) + '…' : first;
}

function Artifacts({ data, turnId }: { data: CompleteData; turnId: string }) {
  const s = store.strings;
  const [codeOpen, setCodeOpen] = useState(false);
  const output = data.execution_result;
  const image = data.image && /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,/.test(data.image) ? data.image : null;
  const code = data.generated_code;
  return (
    <div class="artifacts">
      {code && (
        <section class="artifact code-artifact">
          <div class="artifact-header">
            <Disclosure
              open={codeOpen}
              controls={`code-${turnId}`}
              onToggle={() => setCodeOpen(!codeOpen)}
              label={
                <>
                  <Codicon name="code" />
                  <span>{s.code}</span>
                  <span class="muted small">{format(s.lines, code.split('\n').length)}</span>
                </>
              }
            />
            <span class="spacer" />
            <CopyButton text={code} />
            <IconButton icon="insert" label={s.insert} onClick={() => post({ type: 'insertCode', code })} />
          </div>
          {codeOpen && (
            <pre class="code" id={`code-${turnId}`}>
              <code>{code}</code>
            </pre>
          )}
        </section>
      )}
      {data.tables?.map((table, i) => <DataTable key={`${turnId}-table-${i}`} table={table} locale={store.locale} code={code} />)}
      {output && <OutputArtifact text={output} />}
      {image && (
        <figure class="artifact figure">
          <img src={image} alt={s.figure} />
        </figure>
      )}
      {data.plotly_json && <ChartView json={data.plotly_json} />}
    </div>
  );
}

function OutputArtifact({ text }: { text: string }) {
  const s = store.strings;
  const [stream] = useState(() => {
    const t = new TextStream();
    t.append(text);
    return t;
  });
  return (
    <section class="artifact">
      <div class="artifact-header static">
        <Codicon name="output" />
        <span>{s.output}</span>
        <span class="spacer" />
        <CopyButton text={text} />
      </div>
      <TextView stream={stream} class="output" fold />
    </section>
  );
}

const KEY_ERROR = /api[ -]?key|401|403|unauthori[sz]ed|密钥|Set API Key/i;

function ErrorBox({ text, turnId, busy, stopped }: { text: string; turnId: string; busy: boolean; stopped: boolean }) {
  const s = store.strings;
  return (
    <div class={`error-box${stopped ? ' stopped' : ''}`} role="alert">
      <Codicon name={stopped ? 'debug-stop' : 'error'} />
      <div class="error-text">{text}</div>
      <div class="error-actions">
        {KEY_ERROR.test(text) && (
          <button type="button" class="button secondary" onClick={() => post({ type: 'setApiKey', providerId: store.providerId || undefined })}>
            <Codicon name="key" />
            {s.setApiKey}
          </button>
        )}
        <button type="button" class="button secondary retry" disabled={busy} onClick={() => post({ type: 'retry', turnId })}>
          <Codicon name="refresh" />
          {s.retry}
        </button>
      </div>
    </div>
  );
}

function Footer({ turn }: { turn: TurnModel }) {
  const usage = turn.complete?.usage;
  const answer = turn.answer;
  if (!usage && !answer) return null;
  return (
    <div class="turn-footer">
      {usage && <UsageView usage={usage} />}
      <span class="spacer" />
      {answer && <CopyButton text={() => answer.text()} label={store.strings.copyAnswer} />}
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
