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

function decodeChunk(data: string, event: string | undefined): StreamUpdate {
  if (data.trim() === '[DONE]') return { done: true };
  const json = parseJsonObject(data);
  if (!json) return { malformed: true };
  if (json.error !== undefined || event === 'error')
    return { error: errorText(json.error ?? json) ?? 'the server reported an error' };
  const update: StreamUpdate = {};
  const usage = usageOf(json.usage);
  if (usage) update.usage = usage;
  const choices = json.choices;
  if (Array.isArray(choices)) {
    const choice = obj(choices[0]);
    const delta = obj(choice?.delta) ?? obj(choice?.message);
    if (delta) {
      const content = str(delta.content);
      if (content) update.content = content;
      const reasoning = reasoningOf(delta);
      if (reasoning) update.reasoning = reasoning;
    }
    const finish = str(choice?.finish_reason);
    if (finish) update.finishReason = finish;
  } else if (!usage) return { malformed: true };
  return update;
}

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
