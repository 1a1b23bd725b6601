// Ask mode: question + history + what we know about the data files → one streamed answer, no code
// run. With a kernel the prompt gets its data profile (columns, types, samples); without one, a short
// preview of each text data file (CSV/TSV/JSON, UTF-8 or GBK) or at least the file names and sizes.
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { emptyCompleteData, errorMessage, type TokenUsage } from '../protocol/events';
import { llmCode } from './error-codes';
import type { ChatRequest } from '../llm/types';
import type { DataProfile } from '../kernel/types';
import { isDatabaseFile } from '../kernel/database-sources';
import type { AgentContext, ModeRunner } from './types';
import { announcementLanguage, detectLanguage, texts, type Lang } from './announcements';
import { askMessages, truncateMiddle } from './prompts';
import { abortable, delay } from '../util/abort';
import { decide, decodeAs, readSamples, refusal } from './data-sniff';
import { allFailed, checkDataFiles, noDataMessage, type FileProblem } from './data-check';

/** The Ask prompt itself lives with every other prompt in prompts.ts. */
export { askMessages };

const PREVIEW_BYTES = 4096;
const PREVIEW_LINES = 12;
const PREVIEW_LINE_CHARS = 300;
const MAX_PREVIEW_FILES = 8;
const PROFILE_CHARS = 24_000;
const LOADING_NOTICE_MS = 800;
const TEXT_EXTENSIONS = new Set(['.csv', '.tsv', '.txt', '.json', '.jsonl', '.ndjson']);

export const runAsk: ModeRunner = async function* (ctx, question, signal) {
  const lang = detectLanguage(question);
  const t = texts(announcementLanguage(ctx.locale, question));
  let data: string | undefined;
  if (ctx.dataFiles.length || ctx.databases?.length) {
    const gathering = dataContext(ctx, question, signal);
    const slow = await Promise.race([gathering.then(() => false), delay(LOADING_NOTICE_MS).then(() => true)]);
    if (slow) yield { type: 'thinking', stage: 'system', content: t.loadingData(ctx.dataFiles.length) };
    const result = await gathering;
    data = result.text;
    for (const note of result.notes) yield { type: 'thinking', stage: 'system', content: note };
    if (result.failed && !signal?.aborted) {
      // No chosen file is usable: say why for each, without a model call.
      yield { type: 'error', content: noDataMessage(result.failed, announcementLanguage(ctx.locale, question)), code: 'data' };
      return;
    }
  }
  if (signal?.aborted) {
    yield { type: 'error', content: t.cancelled, code: 'cancelled' };
    return;
  }

  const request: ChatRequest = {
    provider: ctx.provider,
    apiKey: ctx.apiKey,
    messages: askMessages(question, lang, ctx, data),
    stage: 'response',
    timeoutMs: ctx.timeoutMs,
    stallTimeoutMs: ctx.stallTimeoutMs,
    locale: ctx.locale,
  };

  let reply: string;
  let usage: TokenUsage | undefined;
  let finishReason: string | undefined;
  if (ctx.stream === false) {
    const r = await ctx.llm.chat(request, signal);
    if (!r.ok) {
      yield { type: 'error', content: r.error ?? 'The model call failed.', code: llmCode((r as { code?: unknown }).code) };
      return;
    }
    if (r.reasoning) yield { type: 'thinking', stage: 'explanation', content: r.reasoning };
    yield { type: 'content', stage: 'response', content: r.text };
    ({ text: reply, usage, finishReason } = r);
  } else {
    let ended: { text: string; usage?: TokenUsage; finishReason?: string } | undefined;
    for await (const ev of ctx.llm.streamChat(request, signal)) {
      if (ev.type === 'end') {
        ended = ev;
        break;
      }
      if (ev.type === 'error') {
        yield { ...ev, code: llmCode(ev.code) };
        return;
      }
      yield ev;
    }
    if (!ended) {
      yield { type: 'error', content: 'The model stream ended without a result.', code: 'bad_response' };
      return;
    }
    ({ text: reply, usage, finishReason } = ended);
  }
  if (finishReason === 'length' || finishReason === 'max_tokens')
    yield { type: 'thinking', stage: 'system', content: truncatedNote(lang) };
  yield { type: 'complete', data: { ...emptyCompleteData(), reply, ...(usage ? { usage } : {}) } };
};

function truncatedNote(lang: Lang): string {
  return lang === 'zh'
    ? '⚠️ 回答达到了模型的输出长度上限，可能不完整。可以让它“继续”。'
    : '⚠️ The answer hit the model\'s output limit and may be incomplete. Ask it to "continue".';
}

interface DataContext {
  text: string;
  /** Announcements for the user (a file that could not be read…). */
  notes: string[];
  /** Set when every file failed: each one's error. */
  failed?: FileProblem[];
}

/** The kernel is still starting or loading: answer from previews this time. */
class ColdKernel extends Error {}

/** How long Ask waits for a started kernel's profile before answering from previews. */
const PROFILE_WAIT_MS = 1500;

/** The kernel's profile when there is a warm kernel (or a database, which has no preview), else file previews. Never throws. */
async function dataContext(ctx: AgentContext, question: string, signal?: AbortSignal): Promise<DataContext> {
  const notes: string[] = [];
  if (ctx.kernel) {
    const kernel = ctx.kernel;
    const loading = kernel.start().then(() => kernel.loadData(ctx.dataFiles, { databases: ctx.databases, question }));
    // A database has no text preview: its schema is what the model needs, so it is waited for.
    const needsSchema = !!ctx.databases?.length || ctx.dataFiles.some(isDatabaseFile);
    try {
      // A cold kernel (Python still starting) never holds up the answer: the previews below serve this
      // time, and the load goes on so that the next question gets the real profile.
      if (!kernel.info && !needsSchema) {
        loading.catch(() => {});
        throw new ColdKernel();
      }
      const profile: DataProfile = await abortable(
        needsSchema ? loading : Promise.race([loading, delay(PROFILE_WAIT_MS).then(() => Promise.reject(new ColdKernel()))]),
        signal,
        () => new Error('cancelled'),
      );
      const failed = allFailed(profile);
      if (failed) return { text: '', notes, failed };
      for (const f of profile.files) if (f.error || f.warning) notes.push(`⚠️ ${f.name}: ${f.error ?? f.warning}`);
      if (profile.text.trim()) return { text: truncateMiddle(profile.text.trim(), PROFILE_CHARS), notes };
    } catch (err) {
      if (signal?.aborted) return { text: '', notes };
      if (!(err instanceof ColdKernel)) notes.push(`⚠️ ${errorMessage(err)} — ${previewFallbackNote(ctx.dataFiles)}`);
    }
  }
  const problems = await checkDataFiles(ctx.dataFiles);
  if (ctx.dataFiles.length && problems.length === ctx.dataFiles.length) return { text: '', notes, failed: problems };

  for (const p of problems) notes.push(`⚠️ ${p.name}: ${p.error}`);
  const previews = await Promise.all(ctx.dataFiles.slice(0, MAX_PREVIEW_FILES).map(previewFile));
  const more = ctx.dataFiles.length - MAX_PREVIEW_FILES;
  if (more > 0) previews.push(`(and ${more} more: ${ctx.dataFiles.slice(MAX_PREVIEW_FILES).map((f) => basename(f)).join(', ')})`);
  return { text: previews.join('\n\n'), notes };
}

function previewFallbackNote(files: string[]): string {
  return `answering from a preview of ${files.length === 1 ? 'the file' : 'the files'} instead.`;
}

/**
 * The first lines of a text data file, decoded as the kernel would decode it (same rule: data-sniff.ts), or
 * why it cannot be read (empty, binary under a data extension), or at least its name and size.
 */
export async function previewFile(path: string): Promise<string> {
  const name = basename(path);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    return `### ${name}\n(could not be read: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`;
  }
  const header = `### ${name} (${formatSize(size)})`;
  if (!TEXT_EXTENSIONS.has(extname(path).toLowerCase())) return `${header}\n(binary format: no preview without the Python kernel)`;
  const { samples } = await readSamples(path);
  const decision = decide(samples, size);
  const refused = refusal(name, decision);
  if (refused || decision.kind !== 'text') return `${header}\n(not loaded: ${refused})`;
  const head = samples[0].subarray(0, PREVIEW_BYTES);
  const truncated = head.length < size;
  const text = decodeAs(head, decision.encoding, truncated);
  let lines = text.split(/\r?\n/);
  if (truncated) lines = lines.slice(0, -1); // the last line may be cut
  const shown = lines.slice(0, PREVIEW_LINES).map((l) => (l.length > PREVIEW_LINE_CHARS ? `${l.slice(0, PREVIEW_LINE_CHARS)}…` : l));
  const notes = [
    truncated || lines.length > PREVIEW_LINES ? 'first lines only' : '',
    /^utf-8/.test(decision.encoding) ? '' : `encoding ${decision.encoding}`,
    decision.badBytes ? `${decision.badBytes} byte(s) in the sampled parts are not valid UTF-8 and show as \ufffd` : '',
  ].filter(Boolean);
  return `${header}\n\`\`\`text\n${shown.join('\n')}\n\`\`\`${notes.length ? `\n(${notes.join('; ')})` : ''}`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
