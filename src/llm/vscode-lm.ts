// The `vscode-lm` provider: VS Code's language models (GitHub Copilot and others, through `vscode.lm`)
// behind the same LlmClient interface as the HTTP providers. No API key is ever involved.
//
// This module never imports 'vscode' at runtime: the few runtime pieces it needs (selectChatModels,
// LanguageModelChatMessage, CancellationTokenSource, the part classes) are injected, so that it runs
// and is tested outside VS Code. `src/vscode/lm-provider.ts` wires the real API in.
import type * as vscode from 'vscode';
import { isContentStage, isThinkingStage, type ContentStage, type Stage, type ThinkingStage } from '../protocol/events';
import type { ChatMessage, ChatRequest, ChatResult, LlmClient, LlmStreamEvent, Provider } from './types';
import type { Locale } from '../protocol/vocabulary';

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
// Providers and models

const PROVIDER_PREFIX = 'vscode-lm:';

/** A model as a provider entry (plain data, like every other provider). */
export function vscodeLmProvider(model: Pick<LmModel, 'id' | 'vendor'>): Provider {
  return { id: PROVIDER_PREFIX + model.id, kind: 'vscode-lm', baseUrl: `vscode-lm://${model.vendor}`, model: model.id };
}

/** "GPT-4o · copilot": what the provider picker shows. */
export function vscodeLmLabel(model: Pick<LmModel, 'name' | 'vendor'>): string {
  return `${model.name} · ${model.vendor}`;
}

export const isVscodeLmProvider = (p: Pick<Provider, 'kind'>): boolean => p.kind === 'vscode-lm';

export interface DefaultProviderInput<P extends Provider> {
  /** The configured (HTTP) providers, in settings order. */
  configured: readonly P[];
  /** Providers made from the available VS Code language models (see vscodeLmProvider). */
  vscodeLm: readonly P[];
  /** The id from the default-provider setting, if any. */
  defaultId?: string;
  /** Whether an API key is actually stored for a configured provider. */
  hasKey: (provider: P) => boolean;
  /** Whether a provider needs a key at all (local endpoints such as Ollama do not). Default: yes. */
  needsKey?: (provider: P) => boolean;
}

/**
 * The provider to use when the user has not picked one: the default setting when it is usable as it is
 * (a VS Code model, a key stored, or no key needed); else a configured provider with a stored key; else a
 * VS Code language model (zero set-up for Copilot users); else the default, so the user is led to Set API Key.
 */
export function pickDefaultProvider<P extends Provider>(input: DefaultProviderInput<P>): P | undefined {
  const { configured, vscodeLm, defaultId, hasKey } = input;
  const needsKey = input.needsKey ?? (() => true);
  const all = [...configured, ...vscodeLm];
  const preferred = defaultId ? all.find((p) => p.id === defaultId) : undefined;
  if (preferred && (isVscodeLmProvider(preferred) || !needsKey(preferred) || hasKey(preferred))) return preferred;
  const keyed = configured.find((p) => !isVscodeLmProvider(p) && hasKey(p));
  if (keyed) return keyed;
  if (vscodeLm.length) return vscodeLm[0];
  return preferred ?? configured.find((p) => !isVscodeLmProvider(p));
}

/** One LlmClient for every provider kind: `vscode-lm` requests go to `vscodeLm`, the rest to `http`. */
export function routeByProviderKind(http: LlmClient, vscodeLm: LlmClient): LlmClient {
  const pick = (r: ChatRequest) => (isVscodeLmProvider(r.provider) ? vscodeLm : http);
  return {
    streamChat: (request, signal) => pick(request).streamChat(request, signal),
    chat: (request, signal) => pick(request).chat(request, signal),
  };
}

// ---------------------------------------------------------------------------------------------
// Messages

/**
 * ChatMessage[] → LanguageModelChatMessage[]. The 1.100 API has no system role: system prompts
 * become User messages in place (a leading one for the usual leading system prompt). Empty messages
 * are dropped: some models reject empty turns.
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
// Errors

type StopReason = 'cancelled' | 'timeout' | 'stall';

const modelRef = (m?: Pick<LmModel, 'name' | 'vendor'>, id?: string) =>
  m ? `'${m.name}' (${m.vendor})` : `'${id ?? '?'}'`;

const texts = {
  en: {
    cancelled: 'Cancelled.',
    timeout: (m: string, s: number) =>
      `The language model ${m} did not finish within ${s} s; the request was stopped. Try again, ask a narrower question, or raise the request timeout in the settings.`,
    stall: (m: string, s: number) =>
      `The language model ${m} sent nothing for ${s} s; the request was stopped. Try again or pick another model.`,
    noApi: 'This VS Code has no language-model API (vscode.lm). Update VS Code, or pick a provider with an API key.',
    noModels:
      'No VS Code language model is available. Install and sign in to GitHub Copilot (or another extension that provides models), or pick a provider with an API key.',
    notFound: (m: string) =>
      `The model ${m} is not available (any more). Pick another in the provider list, or check that GitHub Copilot is installed and signed in.`,
    noPermissions: (m: string) =>
      `Radarm is not allowed to use the language model ${m}. Allow Radarm to use the language model: send the request again and choose "Allow" in VS Code's dialog (Accounts menu › Manage Language Model Access changes it later).`,
    blocked: (m: string, d: string) =>
      `The request to ${m} was blocked (quota or policy)${d}. Wait a moment and try again, check your Copilot plan and your organisation's policy, or pick another model.`,
    tooLong: (m: string, n: number) =>
      `The conversation is too long for ${m} (at most ${n} input tokens). Start a new chat, ask about fewer columns, or pick a model with a larger context.`,
    failed: (m: string, d: string) => `The language model ${m} failed: ${d}. Try again or pick another model.`,
  },
  'zh-cn': {
    cancelled: '已取消。',
    timeout: (m: string, s: number) =>
      `语言模型 ${m} 在 ${s} 秒内没有完成，请求已停止。请重试、缩小问题范围，或在设置中调大请求超时。`,
    stall: (m: string, s: number) => `语言模型 ${m} 已 ${s} 秒没有输出，请求已停止。请重试或换一个模型。`,
    noApi: '当前 VS Code 没有语言模型 API（vscode.lm）。请升级 VS Code，或选择一个配置了 API Key 的提供方。',
    noModels:
      '没有可用的 VS Code 语言模型。请安装并登录 GitHub Copilot（或其他提供模型的扩展），或选择一个配置了 API Key 的提供方。',
    notFound: (m: string) => `模型 ${m} 不可用（或已不存在）。请在提供方列表中另选一个，或确认 GitHub Copilot 已安装并登录。`,
    noPermissions: (m: string) =>
      `Radarm 没有使用语言模型 ${m} 的权限。请允许 Radarm 使用该语言模型：重新发送请求，并在 VS Code 的对话框中选择“允许”（之后可在“账户”菜单 › 管理语言模型访问中修改）。`,
    blocked: (m: string, d: string) =>
      `对 ${m} 的请求被拦截（配额或策略限制）${d}。请稍后重试，检查 Copilot 套餐和组织策略，或换一个模型。`,
    tooLong: (m: string, n: number) =>
      `对话太长，超出了 ${m} 的上限（最多 ${n} 个输入 token）。请新建对话、少问几列，或换一个上下文更大的模型。`,
    failed: (m: string, d: string) => `语言模型 ${m} 出错：${d}。请重试或换一个模型。`,
  },
} satisfies Record<Locale, unknown>;

/** The localized "cancelled" text: what a stream stopped by its AbortSignal ends with. */
export const cancelledText = (locale: Locale = 'en') => texts[locale].cancelled;

const errorText = (err: unknown): string => {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? err.cause.message : typeof err.cause === 'string' ? err.cause : '';
    const msg = err.message || err.name;
    return cause && !msg.includes(cause) ? `${msg} (${cause})` : msg;
  }
  return String(err);
};

/** `LanguageModelError.code` ('NoPermissions' | 'NotFound' | 'Blocked' | 'Unknown' | …), duck-typed. */
export function lmErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code ? code : undefined;
}

/** VS Code's CancellationError, or our own AbortError. */
const isCancellationError = (err: unknown) =>
  err instanceof Error && (err.name === 'Canceled' || err.name === 'AbortError' || err.message === 'Canceled');

/** A clear, actionable message for an error thrown by `sendRequest` or its stream. */
export function describeLmError(err: unknown, model?: LmModel, locale: Locale = 'en', modelId?: string): string {
  const t = texts[locale];
  const m = modelRef(model, modelId);
  const detail = errorText(err);
  switch (lmErrorCode(err)) {
    case 'NoPermissions':
      return t.noPermissions(m);
    case 'NotFound':
      return t.notFound(m);
    case 'Blocked': {
      const own = err instanceof Error && err.message && err.message !== 'Blocked' ? `: ${err.message}` : '';
      return t.blocked(m, own);
    }
  }
  if (isCancellationError(err)) return t.cancelled;
  // A model unregistered after it was picked can surface as a plain Error from the main thread.
  if (/\b(is not registered|is unknown)\b/i.test(detail)) return t.notFound(m);
  if (model && /token limit|too long|context length|maximum context|too many tokens/i.test(detail))
    return t.tooLong(m, model.maxInputTokens);
  return t.failed(m, detail || 'unknown error');
}

// ---------------------------------------------------------------------------------------------
// Streaming

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
    if (signal?.aborted) {
      yield { type: 'error', content: t.cancelled };
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
        yield { type: 'error', content: resolved };
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
              : describeLmError(err, model, locale, request.provider.model);
      yield { type: 'error', content };
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
      else if (ev.type === 'error') return { ok: false, text, reasoning, error: ev.content };
    }
    return { ok: false, text, reasoning, error: 'The language model stream ended without a result.' };
  }

  return { streamChat, chat };
}
