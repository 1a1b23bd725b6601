// Anthropic Messages API: its own SSE event names (message_start, content_block_delta, message_stop…),
// thinking blocks as reasoning, system prompt as a top-level field.
import type { ChatRequest } from '../types';
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

export const ANTHROPIC_VERSION = '2023-06-01';
// The API requires max_tokens; 4096 is accepted by every Claude model (older ones cap output there).
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

function messagesUrl(baseUrl: string): URL {
  const base = new URL(baseUrl);
  const path = base.pathname.replace(/\/+$/, '');
  if (path.endsWith('/messages')) return base;
  return joinPath(base, path.endsWith('/v1') ? '/messages' : '/v1/messages');
}

function buildCall(req: ChatRequest, opts: CallOptions): HttpCall {
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION };
  if (req.apiKey) headers['x-api-key'] = req.apiKey;
  const system = req.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  // The API wants alternating user/assistant messages starting with user: merge neighbours of one role.
  const messages: { role: 'user' | 'assistant'; content: string }[] = [];
  for (const m of req.messages) {
    if (m.role === 'system') continue;
    const last = messages[messages.length - 1];
    if (last && last.role === m.role) last.content += `\n\n${m.content}`;
    else messages.push({ role: m.role, content: m.content });
  }
  if (messages[0]?.role === 'assistant') messages.unshift({ role: 'user', content: '(continued)' });
  const body: Record<string, unknown> = {
    model: req.provider.model,
    max_tokens: req.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages,
    stream: opts.stream,
  };
  if (system) body.system = system;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  return { url: messagesUrl(req.provider.baseUrl), headers, body: JSON.stringify(body) };
}

function createStreamDecoder() {
  const usage: TokenUsage = {};
  const withUsage = (u: unknown): TokenUsage | undefined => {
    const o = obj(u);
    if (!o) return undefined;
    const input = num(o.input_tokens);
    const output = num(o.output_tokens);
    if (input !== undefined) usage.promptTokens = input;
    if (output !== undefined) usage.completionTokens = output;
    if (usage.promptTokens !== undefined && usage.completionTokens !== undefined)
      usage.totalTokens = usage.promptTokens + usage.completionTokens;
    return { ...usage };
  };
  return (msg: { data: string; event?: string }): StreamUpdate => {
    const json = parseJsonObject(msg.data);
    if (!json) return { malformed: true };
    switch (json.type ?? msg.event) {
      case 'message_start':
        return { usage: withUsage(json.message?.usage) };
      case 'content_block_start': {
        const block = obj(json.content_block);
        if (block?.type === 'text' && str(block.text)) return { content: block.text };
        if (block?.type === 'thinking' && str(block.thinking)) return { reasoning: block.thinking };
        return {};
      }
      case 'content_block_delta': {
        const d = obj(json.delta);
        if (d?.type === 'text_delta') return { content: str(d.text) };
        if (d?.type === 'thinking_delta') return { reasoning: str(d.thinking) };
        return {};
      }
      case 'message_delta':
        return { finishReason: str(json.delta?.stop_reason), usage: withUsage(json.usage) };
      case 'message_stop':
        return { done: true };
      case 'error':
        return { error: errorText(json.error) ?? 'the server reported an error' };
      default:
        return {}; // ping, content_block_stop, and event types added later
    }
  };
}

function parseReply(json: unknown): Reply | undefined {
  const o = obj(json);
  if (!o || !Array.isArray(o.content)) return undefined;
  let text = '';
  let reasoning = '';
  for (const block of o.content) {
    if (block?.type === 'text') text += str(block.text) ?? '';
    if (block?.type === 'thinking') reasoning += str(block.thinking) ?? '';
  }
  const u = obj(o.usage);
  const promptTokens = num(u?.input_tokens);
  const completionTokens = num(u?.output_tokens);
  return {
    text,
    reasoning,
    usage: u
      ? {
          promptTokens,
          completionTokens,
          totalTokens:
            promptTokens !== undefined && completionTokens !== undefined ? promptTokens + completionTokens : undefined,
        }
      : undefined,
    finishReason: str(o.stop_reason),
  };
}

export const anthropicAdapter: ProviderAdapter = { buildCall, createStreamDecoder, parseReply };
