// The scripting side of the fake LLM server (fake-llm-server.ts): what a test's handler receives and
// returns, step builders, and the scripts of hostile servers.
import type * as http from 'node:http';
export type FakeFormat = 'openai' | 'anthropic';

export interface FakeRequest {
  method: string;
  /** Path plus query, e.g. /v1/chat/completions or /openai/deployments/d/chat/completions?api-version=… */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The X-Radarm-Stage header. */
  stage: string | undefined;
  /** Parsed JSON body (undefined when the body is not JSON). */
  body: any;
  rawBody: string;
  format: FakeFormat;
  stream: boolean;
  /** 1-based number of the TCP connection that carried this request. */
  connectionId: number;
}

export type Step =
  | { text: string }
  | { reasoning: string }
  | { raw: string | Uint8Array }
  | { comment: string }
  | { stall: number }
  | { cut: true }
  | { error: string };

export interface Script {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON reply body (errors, or your own non-streaming reply). */
  json?: unknown;
  /** A raw reply body (bytes for bodies that are not UTF-8). */
  body?: string | Uint8Array;
  steps?: Iterable<Step> | AsyncIterable<Step>;
  finish?: boolean;
  finishReason?: string;
  usage?: { prompt: number; completion: number };
  eol?: '\n' | '\r\n';
  writeBytes?: number;
  /** OpenAI format: which delta field carries reasoning (DeepSeek/Qwen: reasoning_content; OpenRouter/vLLM: reasoning). */
  reasoningField?: 'reasoning_content' | 'reasoning';
}

export type FakeHandler = (req: FakeRequest) => Script | Promise<Script>;

export interface FakeLlmServer {
  readonly origin: string;
  readonly baseUrl: string;
  readonly port: number;
  readonly requests: FakeRequest[];
  readonly connections: number;
  readonly closedSockets: number;
  setHandler(handler: FakeHandler): void;
  /** Resolves once at least `n` sockets have closed in total (rejects after timeoutMs). */
  waitForClosedSockets(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Splits text into deltas of `size` characters (code points, so no surrogate pair is split). */
export function textSteps(text: string, size = 1): Step[] {
  const chars = [...text];
  const steps: Step[] = [];
  for (let i = 0; i < chars.length; i += size) steps.push({ text: chars.slice(i, i + size).join('') });
  return steps;
}

/** The content of the last user message of an OpenAI or Anthropic request. */
export function lastUserText(req: FakeRequest): string {
  const msgs: any[] = req.body?.messages ?? [];
  for (let i = msgs.length - 1; i >= 0; i--) {
    if (msgs[i].role !== 'user') continue;
    const c = msgs[i].content;
    if (typeof c === 'string') return c;
    if (Array.isArray(c)) return c.map((p: any) => p.text ?? '').join('');
  }
  return '';
}

/**
 * Hostile servers, one per behaviour seen in the wild: each answers HTTP 200 with something that is
 * not the answer, or too much of it. The client must say what the server actually sent.
 */
export const hostile = {
  /** An event stream whose every line is garbage (a broken gateway). */
  malformedOnly: (lines = 5): Script => ({
    steps: Array.from({ length: lines }, (_, i) => ({ raw: `data: {not json ${i}\n\n` })),
    finish: false,
  }),
  /** A 200 whose body is a JSON error object (some gateways), sent as JSON or labelled as a stream. */
  jsonError: (contentType = 'application/json', error: unknown = { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' }): Script => ({
    status: 200,
    headers: { 'content-type': contentType },
    body: JSON.stringify({ error }),
  }),
  /** A captive portal or proxy login page, with whatever content type it claims. */
  htmlPage: (contentType = 'text/html; charset=utf-8', title = 'Hotel Wi-Fi: please sign in'): Script => ({
    status: 200,
    headers: { 'content-type': contentType },
    body: `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><form>Room number</form></body></html>`,
  }),
  /** A stream that declares one charset and sends GB18030 bytes (a re-encoding proxy). */
  wrongCharset: (declared = 'utf-8'): Script => ({
    headers: { 'content-type': `text/event-stream; charset=${declared}` },
    steps: [
      { text: 'ok ' },
      // "数据" in GB18030: not valid UTF-8.
      { raw: Buffer.concat([Buffer.from('data: {"choices":[{"delta":{"content":"'), Buffer.from([0xca, 0xfd, 0xbe, 0xdd]), Buffer.from('"}}]}\n\n')]) },
    ],
  }),
  /** An empty 200. */
  empty: (): Script => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: '' }),
  /** An answer of about `bytes` bytes of text, streamed in 64 KB deltas. */
  huge: (bytes: number): Script => ({
    steps: (function* () {
      const piece = 'y'.repeat(64 * 1024);
      for (let sent = 0; sent < bytes; sent += piece.length) yield { text: piece };
    })(),
  }),
};
