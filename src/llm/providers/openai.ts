// OpenAI chat completions: OpenAI, DeepSeek, Qwen/DashScope compatible mode, Moonshot, Ollama, vLLM,
// LM Studio, OpenRouter… and Azure OpenAI (same wire format, different URL and auth header).
import type { ChatRequest, Provider } from '../types';
import type { TokenUsage } from '../../protocol/events';
import {
  errorText,
  joinPath,
  num,
  obj,
  parseJsonObject,
  str,
  type CallOptions,
  type HttpCall,
  type ProviderAdapter,
  type Reply,
  type StreamUpdate,
} from './types';

export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

function openAiUrl(provider: Provider): URL {
  return joinPath(new URL(provider.baseUrl), '/chat/completions');
}

/**
 * Azure: the resource URL (https://NAME.openai.azure.com) → /openai/deployments/<model>/chat/completions
 * ?api-version=…; a deployment URL is used as is; the v1 API (…/openai/v1) needs no api-version.
 */
export function azureUrl(provider: Provider): URL {
  const base = new URL(provider.baseUrl);
  const path = base.pathname.replace(/\/+$/, '');
  let u: URL;
  if (/\/openai\/deployments\/[^/]+/.test(path) || /\/openai\/v1$/.test(path)) u = joinPath(base, '/chat/completions');
  else {
    u = new URL(base.href);
    u.pathname = `${path}/openai/deployments/${encodeURIComponent(provider.model)}/chat/completions`;
  }
  const isV1 = /\/openai\/v1\//.test(u.pathname);
  const version = provider.apiVersion ?? u.searchParams.get('api-version') ?? (isV1 ? undefined : DEFAULT_AZURE_API_VERSION);
  if (version) u.searchParams.set('api-version', version);
  return u;
}

function buildCall(req: ChatRequest, opts: CallOptions, azure: boolean): HttpCall {
  const { provider } = req;
  const headers: Record<string, string> = {};
  if (req.apiKey) {
    if (azure) headers['api-key'] = req.apiKey;
    else headers.authorization = `Bearer ${req.apiKey}`;
  }
  const body: Record<string, unknown> = {
    model: provider.model,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
    stream: opts.stream,
  };
  if (opts.stream && opts.includeUsage) body.stream_options = { include_usage: true };
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  return { url: azure ? azureUrl(provider) : openAiUrl(provider), headers, body: JSON.stringify(body) };
}

function usageOf(u: unknown): TokenUsage | undefined {
  const o = obj(u);
  if (!o) return undefined;
  return {
    promptTokens: num(o.prompt_tokens),
    completionTokens: num(o.completion_tokens),
    totalTokens: num(o.total_tokens),
  };
}

/** DeepSeek/Qwen send `reasoning_content`; OpenRouter and newer vLLM/Ollama send `reasoning`. */
const reasoningOf = (d: Record<string, any>) => str(d.reasoning_content) ?? str(d.reasoning);

const MALFORMED: StreamUpdate = Object.freeze({ malformed: true });
const DONE: StreamUpdate = Object.freeze({ done: true });

// The hot path of every streamed answer (one call per provider chunk): plain property checks, no
// helper calls across modules, and the usual chunk (one choice with a content delta) decided early.
function decodeChunk(data: string, event: string | undefined): StreamUpdate {
  if (data.length < 16 && data.trim() === '[DONE]') return DONE;
  let json: any;
  try {
    json = JSON.parse(data);
  } catch {
    return MALFORMED;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return MALFORMED;
  if (json.error !== undefined || event === 'error')
    return { error: errorText(json.error ?? json) ?? 'the server reported an error' };
  const update: StreamUpdate = {};
  const rawUsage = json.usage;
  const usage = rawUsage === undefined || rawUsage === null ? undefined : usageOf(rawUsage);
  if (usage) update.usage = usage;
  const choices = json.choices;
  if (Array.isArray(choices)) {
    const choice = choices[0];
    if (typeof choice === 'object' && choice !== null) {
      const delta = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : undefined;
      if (delta) {
        const content = delta.content;
        if (typeof content === 'string' && content) update.content = content;
        const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : delta.reasoning;
        if (typeof reasoning === 'string' && reasoning) update.reasoning = reasoning;
      }
      const finish = choice.finish_reason;
      if (typeof finish === 'string' && finish) update.finishReason = finish;
    }
  } else if (!usage) return MALFORMED;
  return update;
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseReply(json: unknown): Reply | undefined {
  const o = obj(json);
  const choice = obj(o?.choices?.[0]);
  const message = obj(choice?.message);
  if (!o || !message) return undefined;
  return {
    text: str(message.content) ?? '',
    reasoning: reasoningOf(message) ?? '',
    usage: usageOf(o.usage),
    finishReason: str(choice?.finish_reason),
  };
}

export const openAiAdapter: ProviderAdapter = {
  buildCall: (req, opts) => buildCall(req, opts, false),
  createStreamDecoder: () => (msg) => decodeChunk(msg.data, msg.event),
  parseReply,
};

export const azureAdapter: ProviderAdapter = {
  buildCall: (req, opts) => buildCall(req, opts, true),
  createStreamDecoder: () => (msg) => decodeChunk(msg.data, msg.event),
  parseReply,
};
