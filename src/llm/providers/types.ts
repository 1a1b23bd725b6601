// What a provider adapter does: turn a ChatRequest into an HTTP call, and the provider's replies
// (SSE messages or one JSON body) into plain updates the service turns into events.
import type { EventSourceMessage } from 'eventsource-parser';
import type { TokenUsage } from '../../protocol/events';
import type { ChatRequest } from '../types';

export interface HttpCall {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

export interface CallOptions {
  stream: boolean;
  /** OpenAI-compatible: ask for usage in the stream (`stream_options.include_usage`). */
  includeUsage: boolean;
}

/** What one SSE message contributed. */
export interface StreamUpdate {
  content?: string;
  reasoning?: string;
  usage?: TokenUsage;
  finishReason?: string;
  /** The provider's end-of-stream marker ([DONE], message_stop). */
  done?: boolean;
  /** An error the provider reported inside the stream. */
  error?: string;
  /** The message's data was not valid JSON of the expected shape; skipped. */
  malformed?: boolean;
}

export interface Reply {
  text: string;
  reasoning: string;
  usage?: TokenUsage;
  finishReason?: string;
}

export interface ProviderAdapter {
  buildCall(req: ChatRequest, opts: CallOptions): HttpCall;
  /** A fresh decoder per response (it may keep state across messages). */
  createStreamDecoder(): (msg: EventSourceMessage) => StreamUpdate;
  /** Reads a non-streaming reply body; undefined when it does not have the expected shape. */
  parseReply(json: unknown): Reply | undefined;
}

export function joinPath(base: URL, suffix: string): URL {
  const u = new URL(base.href);
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = path.endsWith(suffix) ? path : path + suffix;
  return u;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const obj = (v: unknown): Record<string, any> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, any>) : undefined;

export function parseJsonObject(data: string): Record<string, any> | undefined {
  try {
    return obj(JSON.parse(data));
  } catch {
    return undefined;
  }
}

/** A message from an `{error: {...}}` / `{error: "..."}` / `{message: "..."}` value. */
export function errorText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const o = obj(value);
  if (!o) return undefined;
  return str(o.message) ?? errorText(o.error) ?? str(o.detail) ?? (o.type ? String(o.type) : undefined);
}
