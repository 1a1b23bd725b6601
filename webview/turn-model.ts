// One conversation turn as the panel shows it, built incrementally from protocol events.
//
// Layout of an answer: a timeline of stage sections (a new section whenever the stage changes,
// so a second round gets its own planner/executor/… sections), one-line system notes, then the
// answer text (content of stage `response` — Ask mode — or `explanation` — agent modes), then
// the artifacts of `complete` (code, output, figure, chart), usage, and the error if any.
import type { CompleteData, ErrorCode, RadarmEvent, Stage, StatusEvent } from '../src/protocol/events';
import { parseAnnouncement, type Announcement } from './announcement';
import type { PanelMode, TurnRecord } from '../src/protocol/messages';
import type { Markdown } from './markdown';
import { MarkdownStream, TextStream } from './streams';

export interface Segment {
  key: number;
  stage: Stage;
  /** System announcements ("round 2 of 3") and status lines (retries) are one-line notes, not sections. */
  kind: 'stage' | 'note';
  /** A note's codicon and text. */
  icon: string;
  note: string;
  /** A passing note (loading data, progress, a status line) does not end the stage section before it: that stage's
   *  next text continues the same section instead of opening a second header for the same stage. */
  passing?: boolean;
  /** For a `progress` note: a dashboard link (http/https, checked by the protocol). */
  url?: string;
  /** The agent's announcement of this stage ("Planner is planning…"), kept apart from the reasoning. */
  announcement: Announcement | null;
  /** Shown open when the turn ended early (Stop, a cut connection): the partial text stays visible. */
  keepOpen: boolean;
  thinking: TextStream;
  /** Stage content: markdown, or monospace output for the execution stage. */
  content: MarkdownStream | TextStream;
}

export interface TurnModel {
  id: string;
  question: string;
  mode: PanelMode;
  dataFiles: string[];
  startedAt?: number;
  providerId?: string;
  model?: string;
  segments: Segment[];
  answer: MarkdownStream | null;
  complete: CompleteData | null;
  error: string | null;
  /** The error event's machine-readable code (absent from older producers). */
  errorCode: ErrorCode | null;
  /** Code is running since this time (epoch ms): the panel shows the elapsed seconds. */
  running: { startedAt: number } | null;
  done: boolean;
  stopped: boolean;
  /** Bumped on every structural change (new segment, complete, error, done): views re-render. */
  version: number;
  /** Events so far, adjacent deltas merged: what gets persisted with setState. */
  events: RadarmEvent[];
  /** Streams that got text since the last flush. */
  dirty: Set<MarkdownStream | TextStream>;
}

const ANSWER_STAGES: ReadonlySet<Stage> = new Set(['response', 'explanation']);

export function createTurn(rec: TurnRecord): TurnModel {
  return {
    id: rec.id,
    question: rec.question,
    mode: rec.mode,
    dataFiles: rec.dataFiles,
    startedAt: rec.startedAt,
    providerId: rec.providerId,
    model: rec.model,
    segments: [],
    answer: null,
    complete: null,
    error: null,
    errorCode: null,
    running: null,
    done: false,
    stopped: false,
    version: 0,
    events: [],
    dirty: new Set(),
  };
}

/** Builds a turn from a stored record (history, setState) in one pass. */
export function turnFromRecord(rec: TurnRecord, md: () => Markdown): TurnModel {
  const turn = createTurn(rec);
  for (const ev of rec.events) applyEvent(turn, ev, md);
  flushTurn(turn);
  return turn;
}

export function toRecord(turn: TurnModel): TurnRecord {
  const rec: TurnRecord = { id: turn.id, question: turn.question, mode: turn.mode, dataFiles: turn.dataFiles, events: turn.events };
  if (turn.startedAt !== undefined) rec.startedAt = turn.startedAt;
  if (turn.providerId !== undefined) rec.providerId = turn.providerId;
  if (turn.model !== undefined) rec.model = turn.model;
  return rec;
}

function record(turn: TurnModel, ev: RadarmEvent): void {
  const last = turn.events[turn.events.length - 1];
  if (
    (ev.type === 'thinking' || ev.type === 'content') &&
    last !== undefined &&
    last.type === ev.type &&
    last.stage === ev.stage
  ) {
    // Replace rather than mutate: an event object may be shared with the host's batch.
    turn.events[turn.events.length - 1] = { ...last, content: last.content + ev.content };
  } else {
    turn.events.push(ev);
  }
}

/** The open stage section: the last segment, looking past passing notes. */
export function currentSection(turn: TurnModel): Segment | undefined {
  for (let i = turn.segments.length - 1; i >= 0; i--) if (!turn.segments[i].passing) return turn.segments[i];
  return undefined;
}

function segmentFor(turn: TurnModel, stage: Stage, md: () => Markdown, kind: 'stage' | 'note' = 'stage', passing = false): Segment {
  const current = currentSection(turn);
  if (current && current.stage === stage && current.kind === kind && kind === 'stage') return current;
  const seg: Segment = {
    key: turn.segments.length,
    stage,
    kind,
    icon: 'info',
    note: '',
    announcement: null,
    keepOpen: false,
    thinking: new TextStream(),
    content: stage === 'execution' ? new TextStream() : new MarkdownStream(md),
  };
  if (passing) seg.passing = true;
  // The previous stage is finished (unless a passing note only interrupts it): its last markdown block is final.
  for (let i = turn.segments.length - 1; i >= 0 && !passing; i--) {
    const prev = turn.segments[i];
    if (prev.content instanceof MarkdownStream) {
      prev.content.end();
      turn.dirty.add(prev.content);
    }
    if (!prev.passing) break;
  }
  turn.segments.push(seg);
  turn.version++;
  return seg;
}

/** Applies one event. Returns true when the turn's structure changed (views must re-render). */
export function applyEvent(turn: TurnModel, ev: RadarmEvent, md: () => Markdown): boolean {
  if (turn.done) return false; // the stream contract: nothing after `done`
  record(turn, ev);
  const before = turn.version;
  if (ev.type !== 'status' && ev.type !== 'thinking') turn.running = null;
  switch (ev.type) {
    case 'thinking': {
      const ann = parseAnnouncement(ev.content);
      if (ev.stage === 'system') {
        // Each system line is its own note ("Loading 1 data file…", "The code failed… retrying").
        const last = turn.segments[turn.segments.length - 1];
        if (!ann && last?.kind === 'note' && last.stage === 'system') {
          last.note += ev.content;
        } else {
          // Warnings (a failed run, a missing code block) end the section: the next attempt gets its own.
          const seg = segmentFor(turn, 'system', md, 'note', ann?.icon !== 'warning');
          seg.icon = ann?.icon ?? 'info';
          seg.note = ann?.text ?? ev.content.trim();
        }
        turn.version++;
        break;
      }
      if (ann) {
        // A new announcement of the same stage (the next round) starts a new section.
        const last = currentSection(turn);
        const seg =
          last && last.kind === 'stage' && last.stage === ev.stage && (last.announcement || last.thinking.length || last.content.length)
            ? newSegment(turn, ev.stage, md)
            : segmentFor(turn, ev.stage, md);
        seg.announcement = ann;
        turn.version++;
        break;
      }
      const seg = segmentFor(turn, ev.stage, md);
      if (seg.thinking.length === 0) turn.version++; // its view appears
      seg.thinking.append(ev.content);
      turn.dirty.add(seg.thinking);
      break;
    }
    case 'content': {
      if (ANSWER_STAGES.has(ev.stage)) {
        if (!turn.answer) {
          turn.answer = new MarkdownStream(md);
          turn.version++;
        }
        turn.answer.append(ev.content);
        turn.dirty.add(turn.answer);
        // Reasoning of the explanation stage still shows in its own section.
        break;
      }
      const seg = segmentFor(turn, ev.stage, md);
      if (seg.content.length === 0) turn.version++; // its view appears
      seg.content.append(ev.content);
      turn.dirty.add(seg.content);
      break;
    }
    case 'complete': {
      turn.complete = ev.data;
      const reply = ev.data.reply;
      if (reply.trim()) {
        if (!turn.answer) {
          turn.answer = new MarkdownStream(md);
          turn.answer.append(reply);
        } else if (turn.answer.text().trim() !== reply.trim()) {
          // The final reply is authoritative (e.g. the stream was cut and the agent summarised).
          turn.answer.reset(reply);
        }
        turn.dirty.add(turn.answer);
      }
      turn.version++;
      break;
    }
    case 'error':
      turn.error = turn.error ? `${turn.error}\n${ev.content}` : ev.content;
      turn.errorCode = ev.code ?? turn.errorCode ?? 'internal';
      if (ev.code === 'cancelled') turn.stopped = true;
      turn.version++;
      break;
    case 'status':
      applyStatus(turn, ev, md);
      turn.version++;
      break;
    case 'done':
      finish(turn);
      break;
  }
  return turn.version !== before;
}

function newSegment(turn: TurnModel, stage: Stage, md: () => Markdown): Segment {
  // segmentFor reuses a trailing segment of the same stage: a throwaway note in between forces a new one.
  const seg = segmentFor(turn, stage, md, 'note');
  seg.kind = 'stage';
  seg.content = stage === 'execution' ? new TextStream() : new MarkdownStream(md);
  return seg;
}

function applyStatus(turn: TurnModel, ev: StatusEvent, md: () => Markdown): void {
  if (ev.kind === 'running') {
    turn.running = { startedAt: typeof ev.startedAt === 'number' ? ev.startedAt : Date.now() };
    return;
  }
  const last = turn.segments[turn.segments.length - 1];
  // Progress of one computation updates its line instead of adding one per tick.
  const seg =
    ev.kind === 'progress' && last?.kind === 'note' && last.icon === 'pulse' && last.stage === ev.stage
      ? last
      : segmentFor(turn, ev.stage, md, 'note', ev.kind !== 'retry');
  seg.icon = ev.kind === 'retry' ? 'refresh' : ev.kind === 'progress' ? 'pulse' : 'info';
  seg.note = ev.content;
  if (ev.url) seg.url = ev.url;
}

/** Ends the turn: every open markdown block becomes final. */
export function finish(turn: TurnModel, stopped = false): void {
  if (turn.done) return;
  turn.done = true;
  turn.running = null;
  turn.stopped = turn.stopped || stopped;
  // Ended early without an answer: the last stage's partial text stays in view, not folded away.
  if ((turn.stopped || turn.error) && !turn.answer?.length) {
    for (let i = turn.segments.length - 1; i >= 0; i--) {
      const seg = turn.segments[i];
      if (seg.kind === 'stage' && (seg.content.length || seg.thinking.length)) {
        seg.keepOpen = true;
        break;
      }
    }
  }
  for (const seg of turn.segments) {
    if (seg.content instanceof MarkdownStream) {
      seg.content.end();
      turn.dirty.add(seg.content);
    }
  }
  if (turn.answer) {
    turn.answer.end();
    turn.dirty.add(turn.answer);
  }
  turn.version++;
}

/** Renders every stream of the turn that changed since the last flush. */
export function flushTurn(turn: TurnModel): void {
  for (const s of turn.dirty) s.flush();
  turn.dirty.clear();
}

/** The stage that is streaming right now (for the live indicator), or null. */
export function activeStage(turn: TurnModel): Stage | null {
  if (turn.done) return null;
  for (let i = turn.events.length - 1; i >= 0; i--) {
    const ev = turn.events[i];
    if (ev.type === 'thinking' || ev.type === 'content') return ev.stage;
    if (ev.type !== 'status') return null;
  }
  return null;
}
