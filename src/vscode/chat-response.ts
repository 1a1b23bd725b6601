// The @radarm chat participant's pure parts: which mode a request runs, which data files it is about,
// the conversation history it carries, and how the agent's protocol events become a chat response
// (progress lines, live markdown, the chart as an image, the code in a python fence with an Insert button).
//
// No runtime 'vscode' import: the chat response stream is taken structurally, so this is unit-tested
// outside VS Code. src/vscode/chat-participant.ts wires it to the real API.
import type { CompleteData, ContentStage, RadarmEvent } from '../protocol/events';
import type { Mode, HistoryEntry } from '../agent/types';
import type { Locale } from '../protocol/vocabulary';

export const PARTICIPANT_ID = 'radarm.chat-participant';
/** The command the "Insert code" button runs, with the code and the turn's data_files as its arguments. */
export const INSERT_CODE_COMMAND = 'radarm.insertCode';

export const DATA_FILE_EXTENSIONS = ['csv', 'tsv', 'xlsx', 'xls', 'parquet', 'json', 'jsonl', 'sqlite', 'sqlite3', 'db', 'duckdb'] as const;
export const DATA_FILE_GLOB = `**/*.{${DATA_FILE_EXTENSIONS.join(',')}}`;

export const isDataFile = (path: string): boolean => {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  return !!ext && (DATA_FILE_EXTENSIONS as readonly string[]).includes(ext);
};

/** `/ask`, `/analyze`, `/expert`; no command: the default mode (from the settings). */
export function modeForCommand(command: string | undefined, fallback: Mode): Mode {
  switch (command) {
    case 'ask':
      return 'ask';
    case 'analyze':
      return 'agent_single';
    case 'expert':
      return 'agent_multi';
    default:
      return fallback;
  }
}

export interface DataFileCandidates {
  /** Paths of the `#file` references (request.references with a file Uri or Location). */
  referenced: readonly string[];
  /** The active editor's (or active tab's) file, if any. */
  active?: string;
  /** Files of the other visible editors. */
  visible?: readonly string[];
  /** Data files in the workspace (a capped search), used only when it finds exactly one. */
  workspace?: readonly string[];
}

/** The data files a request is about: referenced ones first, else the active one, else the only one around. */
export function chooseDataFiles(c: DataFileCandidates): string[] {
  const unique = (xs: readonly string[]) => [...new Set(xs.filter(isDataFile))];
  const referenced = unique(c.referenced);
  if (referenced.length) return referenced;
  if (c.active && isDataFile(c.active)) return [c.active];
  const visible = unique(c.visible ?? []);
  if (visible.length) return visible;
  const ws = unique(c.workspace ?? []);
  return ws.length === 1 ? ws : [];
}

// ---------------------------------------------------------------------------------------------
// History

/** What a response carries in ChatResult.metadata, so that later requests rebuild the history exactly. */
export interface TurnMetadata {
  radarm: { question: string; reply: string; code: string | null; output: string | null; error?: string; errorCode?: HistoryEntry['errorCode'] };
}

/** The structural parts of vscode.ChatRequestTurn / ChatResponseTurn that history needs. */
export type ChatHistoryItem =
  | { prompt: string; participant: string; command?: string }
  | {
      participant: string;
      response: ReadonlyArray<{ value?: unknown }>;
      result: { metadata?: { readonly [key: string]: unknown } };
    };

const MAX_HISTORY_TURNS = 10;
const stripImages = (md: string) => md.replace(/!\[[^\]]*\]\(data:[^)]*\)/g, '[chart]');

/** context.history → HistoryEntry[] (this participant's turns only, newest last, capped). */
export function historyFromChat(history: readonly ChatHistoryItem[], participant = PARTICIPANT_ID): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  let question: string | undefined;
  for (const item of history) {
    if (item.participant !== participant) continue;
    if ('prompt' in item) {
      question = item.prompt;
      continue;
    }
    const meta = (item.result.metadata as Partial<TurnMetadata> | undefined)?.radarm;
    if (meta) {
      entries.push({
        question: meta.question,
        reply: meta.reply,
        code: meta.code,
        output: meta.output,
        ...(meta.error ? { error: meta.error, ...(meta.errorCode ? { errorCode: meta.errorCode } : {}) } : {}),
      });
    } else if (question !== undefined) {
      // A response without our metadata (e.g. cancelled early): its markdown is the reply.
      const reply = item.response
        .map((p) => {
          const v = p.value as { value?: unknown } | string | undefined;
          return typeof v === 'string' ? v : typeof v?.value === 'string' ? v.value : '';
        })
        .join('');
      if (reply.trim()) entries.push({ question, reply: stripImages(reply) });
    }
    question = undefined;
  }
  return entries.slice(-MAX_HISTORY_TURNS);
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** The part of vscode.ChatResponseStream the renderer uses. */
export interface ChatStreamLike {
  markdown(value: string): void;
  progress(value: string): void;
  button(command: { command: string; title: string; arguments?: unknown[]; tooltip?: string }): void;
}


const TEXTS = {
  en: {
    thinking: '💭 Thinking…',
    plan: 'Plan',
    code: 'Code',
    output: 'Output',
    chart: 'Chart',
    insert: 'Insert code',
    insertTip: 'Insert the code into the active editor at the cursor, or into a new Python file',
    more: (n: number) => `… ${n} more line${n === 1 ? '' : 's'} (the Radarm panel shows everything)`,
    interactive: '_An interactive Plotly chart was made: open the question in the Radarm panel to see it._',
    chartTooBig: (mb: string) => `_The chart (${mb} MB) is too large to show here._`,
    chartSaved: (uri: string) => `[Open the chart](${uri})`,
  },
  'zh-cn': {
    thinking: '💭 思考中…',
    plan: '计划',
    code: '代码',
    output: '输出',
    chart: '图表',
    insert: '插入代码',
    insertTip: '把代码插入当前编辑器的光标处，或新建一个 Python 文件',
    more: (n: number) => `… 还有 ${n} 行（Radarm 面板中可查看全部）`,
    interactive: '_生成了一个交互式 Plotly 图表：请在 Radarm 面板中提问以查看。_',
    chartTooBig: (mb: string) => `_图表（${mb} MB）太大，无法在此显示。_`,
    chartSaved: (uri: string) => `[打开图表](${uri})`,
  },
} as const;

/** A fence longer than any backtick run inside `text`, so code containing ``` cannot break out. */
export function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text.replace(/\n+$/, '')}\n${f}\n`;
}

/** The first `maxLines` lines (and at most maxChars), with a note of what was left out. */
export function truncateLines(text: string, maxLines: number, maxChars: number, more: (n: number) => string): string {
  let lines = text.replace(/\n+$/, '').split('\n');
  const total = lines.length;
  lines = lines.slice(0, maxLines);
  let out = lines.join('\n');
  if (out.length > maxChars) out = out.slice(0, maxChars);
  const shownLines = out.split('\n').length;
  return shownLines < total || out.length < lines.join('\n').length ? `${out}\n${more(total - shownLines)}` : out;
}

/** Agent announcements are one line beginning with an emoji (🧠, ⚙️, ⚠️…); the rest is a model's reasoning stream. */
const isAnnouncement = (s: string) => /^\p{Extended_Pictographic}/u.test(s.trim()) && !s.trim().includes('\n');

/** Stages whose content streams into the chat as it arrives; the rest show as progress only. */
const LIVE_STAGES: ReadonlySet<ContentStage> = new Set(['response', 'explanation', 'planner']);

export interface RenderOptions {
  locale?: Locale;
  /** Largest chart inlined as a data: image (bytes of the data URI). */
  maxInlineImageBytes?: number;
  /** Saves a chart that is too big to inline; returns a link target (a file URI) for it. */
  saveImage?: (dataUri: string) => Promise<string | undefined>;
}

export interface RenderResult {
  /** The terminal error text, if the run ended with an error. */
  error?: string;
  /** The final data, if the run completed. */
  complete?: CompleteData;
  /** Everything streamed as markdown for the answer (the reply, when there was no complete event). */
  streamedReply: string;
}

/**
 * Streams protocol events into a chat response: announcements → progress; the answer (and the
 * planner's plan) → markdown as it arrives; at the end the chart, the code with an Insert button,
 * and the output. Returns how the run ended.
 */
export async function renderEvents(
  events: AsyncIterable<RadarmEvent>,
  stream: ChatStreamLike,
  opts: RenderOptions = {},
): Promise<RenderResult> {
  const t = TEXTS[opts.locale ?? 'en'];
  let liveStage: ContentStage | undefined;
  let inThinkingRun = false;
  let streamedReply = '';
  let atLineStart = true;
  const md = (s: string) => {
    if (!s) return;
    stream.markdown(s);
    atLineStart = s.endsWith('\n');
  };
  const result: RenderResult = { streamedReply: '' };

  for await (const ev of events) {
    if (ev.type === 'thinking') {
      if (isAnnouncement(ev.content)) stream.progress(ev.content.trim());
      else if (!inThinkingRun) stream.progress(t.thinking);
      inThinkingRun = !isAnnouncement(ev.content);
      continue;
    }
    inThinkingRun = false;
    if (ev.type === 'content') {
      if (!LIVE_STAGES.has(ev.stage)) continue;
      if (ev.stage !== liveStage) {
        if (!atLineStart) md('\n');
        if (liveStage) md('\n');
        if (ev.stage === 'planner') md(`**${t.plan}**\n\n`);
        liveStage = ev.stage;
      }
      md(ev.content);
      if (ev.stage !== 'planner') streamedReply += ev.content;
    } else if (ev.type === 'complete') {
      result.complete = ev.data;
      if (!streamedReply.trim() && ev.data.reply.trim()) {
        if (!atLineStart) md('\n\n');
        md(ev.data.reply);
        streamedReply = ev.data.reply;
      }
      if (!atLineStart) md('\n');
      await renderComplete(ev.data, stream, md, t, opts);
    } else if (ev.type === 'error') {
      result.error = ev.content;
    } else if (ev.type === 'done') {
      break;
    }
  }
  result.streamedReply = streamedReply;
  return result;
}

async function renderComplete(
  data: CompleteData,
  stream: ChatStreamLike,
  md: (s: string) => void,
  t: (typeof TEXTS)[Locale],
  opts: RenderOptions,
): Promise<void> {
  const maxInline = opts.maxInlineImageBytes ?? 2_000_000;
  if (data.image) {
    if (data.image.length <= maxInline) md(`\n![${t.chart}](${data.image})\n`);
    else {
      const saved = await opts.saveImage?.(data.image).catch(() => undefined);
      md(`\n${saved ? t.chartSaved(saved) : t.chartTooBig((data.image.length / 1.37 / 1e6).toFixed(1))}\n`);
    }
  } else if (data.plotly_json) {
    md(`\n${t.interactive}\n`);
  }
  if (data.generated_code) {
    md(`\n**${t.code}**\n\n${fence(data.generated_code, 'python')}`);
    stream.button({
      command: INSERT_CODE_COMMAND,
      title: `$(insert) ${t.insert}`,
      tooltip: t.insertTip,
      // With the turn's data files (databases too): the inserted code reads them as this answer's kernel did.
      arguments: data.data_files?.length ? [data.generated_code, data.data_files] : [data.generated_code],
    });
  }
  if (data.execution_result?.trim()) {
    md(`\n**${t.output}**\n\n${fence(truncateLines(data.execution_result, 40, 4000, t.more), 'text')}`);
  }
}
