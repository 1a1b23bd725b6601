// One stage of an answer (planner, executor, execution…): its announcement, the model's reasoning in
// its own block, and the stage's content; and the one-line notes between stages (system lines, retries).
import { useState } from 'preact/hooks';
import type { Stage } from '../../src/protocol/events';
import { store } from '../store';
import { MarkdownStream, type TextStream } from '../streams';
import type { Segment } from '../turn-model';
import { MarkdownView, TextView } from './stream-views';
import { Codicon, Disclosure } from './widgets';

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

export function NoteView({ seg }: { seg: Segment }) {
  return (
    <div class={`note note-${seg.icon}`}>
      <Codicon name={seg.icon} />
      <span class="note-text">{seg.note}</span>
      {seg.url && (
        <a class="note-link" href={seg.url}>
          <Codicon name="link-external" />
        </a>
      )}
    </div>
  );
}

export function StageSection({ seg, active, turnId, mode }: { seg: Segment; active: boolean; turnId: string; mode: string }) {
  const s = store.strings;
  const [userOpen, setUserOpen] = useState<boolean | null>(null);
  const [userThinkingOpen, setUserThinkingOpen] = useState<boolean | null>(null);
  const open = userOpen ?? (active || seg.keepOpen);
  const hasContent = seg.content.length > 0;
  const hasThinking = seg.thinking.length > 0;
  // Reasoning before the answer (Ask mode's explanation stage) is "Thinking", not "Explanation".
  const title = mode === 'ask' && seg.stage === 'explanation' && !hasContent ? s.thinking : s.stages[seg.stage];
  const thinkingOpen = userThinkingOpen ?? !hasContent;
  const verdict = seg.stage === 'verifier' && !active ? verdictOf(seg) : null;
  const id = `stage-${turnId}-${seg.key}`;
  const headerPreview = hasThinking ? preview(seg.thinking) : seg.announcement?.text ?? '';
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
            {!open && headerPreview && <span class="muted small thinking-preview">{headerPreview}</span>}
          </>
        }
      />
      {open && (
        <div class="stage-body" id={id}>
          {seg.announcement && (
            <div class="stage-announcement muted small">
              <Codicon name={seg.announcement.icon} />
              <span>{seg.announcement.text}</span>
            </div>
          )}
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
  const m = /"verdict"\s*:\s*"(pass|fail)"/i.exec(seg.content.text());
  return m ? (m[1].toLowerCase() as 'pass' | 'fail') : null;
}

function preview(t: TextStream): string {
  const first = t.chunks.length ? t.text().trimStart().split('\n', 1)[0] : '';
  return first.length > 80 ? first.slice(0, 79) + '…' : first;
}
