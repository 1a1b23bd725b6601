// The `vscode-lm` provider: VS Code's language models (GitHub Copilot and others, through `vscode.lm`)
// behind the same LlmClient interface as the HTTP providers. No API key is ever involved.
//
// This module never imports 'vscode' at runtime: the few runtime pieces it needs (selectChatModels,
// LanguageModelChatMessage, CancellationTokenSource, the part classes) are injected, so that it runs
// and is tested outside VS Code. `src/vscode/lm-provider.ts` wires the real API in.
// Beside it: vscode-lm-providers.ts (models as provider entries, the default choice, routing by kind) and
// vscode-lm-errors.ts (what went wrong, in words and as a code).
import type * as vscode from 'vscode';
import { isContentStage, isThinkingStage, type ContentStage, type ErrorCode, type Stage, type ThinkingStage } from '../protocol/events';
import type { ChatMessage, ChatRequest, ChatResult, LlmClient, LlmStreamEvent, Provider } from './types';
import { DEFAULT_MAX_RESPONSE_BYTES } from './request';
import { describeLmError, lmFailureCode, modelRef } from './vscode-lm-errors';
import { vscodeLmTexts as texts } from './vscode-lm-texts';

/** The part of `vscode.LanguageModelChat` we use (a chat view's `request.model` is one). */
export type LmModel = Pick<
  vscode.LanguageModelChat,
  'id' | 'name' | 'vendor' | 'family' | 'version' | 'maxInputTokens' | 'sendRequest'
>;

type PartClass = abstract new (...args: never[]) => unknown;

/** The runtime pieces of the `vscode` API the client needs. */
export interface VscodeLmApi {
  /** `vscode.lm.selectChatModels`; absent when the host has no language-model API. */
  selectChatModels?: (selector?: vscode.LanguageModelChatSelector) => Thenable<readonly LmModel[]>;
  LanguageModelChatMessage: Pick<typeof vscode.LanguageModelChatMessage, 'User' | 'Assistant'>;
  CancellationTokenSource: new () => vscode.CancellationTokenSource;
  /** Used to recognise text parts with instanceof; without it any part with a string `value` is text. */
  LanguageModelTextPart?: PartClass;
  /** Thinking parts are not in the 1.100 API; newer hosts (and proposals) have them. */
  LanguageModelThinkingPart?: PartClass;
}

export interface VscodeLmOptions extends VscodeLmApi {
  /** A fixed model, used whatever `provider.model` says (the chat view's `request.model`). */
  model?: LmModel;
  /** Cap of one answer in UTF-8 bytes (a request's maxResponseBytes wins; default 8 MB). */
  maxResponseBytes?: number;
  /** Language of the error texts. */
  locale?: 'en' | 'zh-cn';
  /** Shown by VS Code in its consent dialog. */
  justification?: string;
}

export const DEFAULT_TIMEOUT_MS = 180_000;
/** Copilot's reasoning models can think for a while before the first part; stay patient but bounded. */
export const DEFAULT_STALL_TIMEOUT_MS = 120_000;
export const DEFAULT_JUSTIFICATION =
  'Radarm uses the language model to plan, write and explain pandas code for the data files you ask about.';

// ---------------------------------------------------------------------------------------------
// Messages

/**
 * ChatMessage[] → LanguageModelChatMessage[]. The 1.100 API has no system role: system prompts
 * become User messages in place (a leading one for the usual leading system prompt). Empty messages
 * are dropped: some models reject empty messages.
 */
export function toLmMessages(
  messages: readonly ChatMessage[],
  factory: VscodeLmApi['LanguageModelChatMessage'],
): vscode.LanguageModelChatMessage[] {
  return messages
    .filter((m) => m.content.length > 0)
    .map((m) => (m.role === 'assistant' ? factory.Assistant(m.content) : factory.User(m.content)));
}

// ---------------------------------------------------------------------------------------------
// Streaming

type StopReason = 'cancelled' | 'timeout' | 'stall' | 'response_too_large';

class Stopped extends Error {
  constructor(readonly reason: StopReason) {
    super(reason);
  }
}

/** 180000 → 180, 150 → 0.2 */
const seconds = (ms: number) => Math.round(ms / 100) / 10;

const contentStage = (s: Stage): ContentStage => (isContentStage(s) ? s : 'response');
const thinkingStage = (s: Stage): ThinkingStage => (isThinkingStage(s) ? s : 'explanation');

type Part = { kind: 'text' | 'thinking'; text: string } | undefined;

/** Text and thinking parts; tool calls, data parts and future kinds are skipped. */
function classifyPart(part: unknown, api: VscodeLmApi): Part {
  if (typeof part !== 'object' || part === null) return typeof part === 'string' ? { kind: 'text', text: part } : undefined;
  const value = (part as { value?: unknown }).value;
  const asText = typeof value === 'string' ? value : Array.isArray(value) ? value.filter((v) => typeof v === 'string').join('') : undefined;
  const isThinking = api.LanguageModelThinkingPart
    ? part instanceof api.LanguageModelThinkingPart
    : /ThinkingPart$/.test(part.constructor?.name ?? '');
  if (isThinking) return asText === undefined ? undefined : { kind: 'thinking', text: asText };
  if (api.LanguageModelTextPart && !(part instanceof api.LanguageModelTextPart)) return undefined;
  return typeof value === 'string' ? { kind: 'text', text: value } : undefined;
}

/** Chooses the model for a request: the fixed one, else by id, else by family, else (no model named) the first. */
async function resolveModel(opts: VscodeLmOptions, provider: Provider): Promise<LmModel | string> {
  const t = texts[opts.locale ?? 'en'];
  if (opts.model) return opts.model;
  if (!opts.selectChatModels) return t.noApi;
  const wanted = provider.model.trim();
  if (!wanted) {
    const all = await opts.selectChatModels();
    return all[0] ?? t.noModels;
  }
  const byId = await opts.selectChatModels({ id: wanted });
  if (byId[0]) return byId[0];
  const byFamily = await opts.selectChatModels({ family: wanted });
  if (byFamily[0]) return byFamily[0];
  const any = await opts.selectChatModels();
  return any.length ? t.notFound(modelRef(undefined, wanted)) : t.noModels;
}

/** An LlmClient over VS Code language models. */
export function createVscodeLmClient(opts: VscodeLmOptions): LlmClient {
  const locale = opts.locale ?? 'en';
  const t = texts[locale];

  async function* streamChat(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<LlmStreamEvent> {
    const cStage = contentStage(request.stage);
    const tStage = thinkingStage(request.stage);
    const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const stallMs = request.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    const maxBytes = request.maxResponseBytes ?? opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    let answerBytes = 0;
    if (signal?.aborted) {
      yield { type: 'error', content: t.cancelled, code: 'cancelled' };
      return;
    }

    // One place that stops everything: the CancellationToken for VS Code, and a rejected promise that
    // every wait races against, so that Stop stops even when a model ignores its token.
    const cts = new opts.CancellationTokenSource();
    let stopReason: StopReason | undefined;
    let rejectStopped!: (e: Stopped) => void;
    const stopped = new Promise<never>((_, reject) => (rejectStopped = reject));
    stopped.catch(() => {});
    const stop = (reason: StopReason) => {
      if (stopReason) return;
      stopReason = reason;
      cts.cancel();
      rejectStopped(new Stopped(reason));
    };
    const onAbort = () => stop('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    const wholeTimer = setTimeout(() => stop('timeout'), timeoutMs);
    let stallTimer: ReturnType<typeof setTimeout> | undefined;
    const armStall = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => stop('stall'), stallMs);
    };
    const race = <T>(p: PromiseLike<T>): Promise<T> => Promise.race([Promise.resolve(p), stopped]);

    let model: LmModel | undefined;
    let text = '';
    let reasoning = '';
    let iterator: AsyncIterator<unknown> | undefined;
    try {
      const resolved = await race(resolveModel(opts, request.provider));
      if (typeof resolved === 'string') {
        yield { type: 'error', content: resolved, code: 'no_provider' };
        return;
      }
      model = resolved;
      const options: vscode.LanguageModelChatRequestOptions = {
        justification: opts.justification ?? DEFAULT_JUSTIFICATION,
      };
      const response = await race(
        model.sendRequest(toLmMessages(request.messages, opts.LanguageModelChatMessage), options, cts.token),
      );
      const parts: AsyncIterable<unknown> = response.stream ?? response.text;
      iterator = parts[Symbol.asyncIterator]();
      armStall();
      for (;;) {
        const next = await race(iterator.next());
        if (next.done) break;
        armStall();
        const part = classifyPart(next.value, opts);
        if (!part || !part.text) continue;
        answerBytes += Buffer.byteLength(part.text);
        if (answerBytes > maxBytes) {
          stop('response_too_large');
          throw new Stopped('response_too_large');
        }
        if (part.kind === 'thinking') {
          reasoning += part.text;
          yield { type: 'thinking', stage: tStage, content: part.text };
        } else {
          text += part.text;
          yield { type: 'content', stage: cStage, content: part.text };
        }
      }
      // A model that honours its token may end the stream quietly when cancelled: that is no success.
      if (stopReason) throw new Stopped(stopReason);
      yield { type: 'end', text, reasoning, finishReason: 'stop', malformedLines: 0 };
    } catch (err) {
      const reason = err instanceof Stopped ? err.reason : stopReason;
      const m = modelRef(model, request.provider.model);
      const content =
        reason === 'cancelled'
          ? t.cancelled
          : reason === 'timeout'
            ? t.timeout(m, seconds(timeoutMs))
            : reason === 'stall'
              ? t.stall(m, seconds(stallMs))
              : reason === 'response_too_large'
                ? t.tooLarge(m, Math.round((maxBytes / 1024 / 1024) * 100) / 100)
                : describeLmError(err, model, locale, request.provider.model);
      const code: ErrorCode = reason ?? lmFailureCode(err, model);
      yield { type: 'error', content, code };
    } finally {
      clearTimeout(wholeTimer);
      clearTimeout(stallTimer);
      signal?.removeEventListener('abort', onAbort);
      if (!stopReason) cts.cancel(); // ends the model's work if our consumer stopped early
      // Do not await: a stream that ignores its token could hang in return().
      iterator?.return?.()?.catch?.(() => {});
      cts.dispose();
    }
  }

  async function chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResult> {
    let text = '';
    let reasoning = '';
    for await (const ev of streamChat(request, signal)) {
      if (ev.type === 'content') text += ev.content;
      else if (ev.type === 'thinking') reasoning += ev.content;
      else if (ev.type === 'end') return { ok: true, text: ev.text, reasoning: ev.reasoning, finishReason: ev.finishReason };
      else if (ev.type === 'error') return { ok: false, text, reasoning, error: ev.content, code: ev.code };
    }
    return { ok: false, text, reasoning, error: 'The language model stream ended without a result.', code: 'bad_response' };
  }

  return { streamChat, chat };
}
