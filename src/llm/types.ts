// Contracts of the LLM service. Plain data in, async generators of events out.
import type { ContentEvent, ErrorCode, ErrorEvent, Stage, StatusEvent, ThinkingEvent, TokenUsage } from '../protocol/events';

export type ProviderKind = 'openai' | 'azure' | 'anthropic' | 'vscode-lm';

/** A provider is plain data; the API key is never part of it (it lives in SecretStorage / env). */
export interface Provider {
  id: string;
  kind: ProviderKind;
  /** e.g. https://api.deepseek.com/v1 ; for azure the resource URL; for anthropic https://api.anthropic.com */
  baseUrl: string;
  model: string;
  headers?: Record<string, string>;
  /** azure only: the `api-version` query parameter. */
  apiVersion?: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  provider: Provider;
  apiKey?: string;
  messages: ChatMessage[];
  /** Sent as the X-Radarm-Stage header; also the stage of the emitted thinking/content events. */
  stage: Stage;
  temperature?: number;
  maxTokens?: number;
  /** false: an independent client, closed when this request ends (the seed's use_pool). Default true. */
  usePool?: boolean;
  /** Whole-request timeout in ms (default 180 000). */
  timeoutMs?: number;
  /** Mid-stream stall timeout in ms: no byte for this long ends the stream with an error. */
  stallTimeoutMs?: number;
  /** Cap of the answer (text plus reasoning, UTF-8 bytes); past it the call ends with `response_too_large`. */
  maxResponseBytes?: number;
  /** Language of the status lines (retries) the stream reports; default English. */
  locale?: 'en' | 'zh-cn';
}

/** The last event of every successful LLM stream: the full text and what the provider reported. */
export interface LlmEndEvent {
  type: 'end';
  text: string;
  reasoning: string;
  usage?: TokenUsage;
  finishReason?: string;
  /** `data:` lines that could not be parsed and were skipped. */
  malformedLines: number;
}

/**
 * What streamChat yields: protocol thinking/content events (stage = request.stage) as deltas arrive,
 * `status` events while a request is retried, then exactly one terminal event: `end` on success or
 * `error` with its code (never a throw). On error, the partial text streamed so far has already been
 * yielded as content events.
 */
export type LlmStreamEvent = ThinkingEvent | ContentEvent | StatusEvent | ErrorEvent | LlmEndEvent;

export interface ChatResult {
  ok: boolean;
  text: string;
  reasoning: string;
  usage?: TokenUsage;
  finishReason?: string;
  /** Set when ok is false: a user-facing, actionable message (never contains the key). */
  error?: string;
  /** Set when ok is false: why, for the host's actions. */
  code?: ErrorCode;
}

/** What agents depend on. The undici service and the VS Code language-model provider both implement it. */
export interface LlmClient {
  streamChat(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<LlmStreamEvent>;
  chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResult>;
}
