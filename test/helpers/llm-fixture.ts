// The fake-server fixture the LLM and CLI tests share: one fake LLM server per describe() (started before its
// tests, its request log cleared before each test, closed after them), requests aimed at it, and the readers
// those tests apply to a stream of events.
import * as assert from 'node:assert/strict';
import type { ChatRequest, LlmStreamEvent, Provider } from '../../src/llm';
import type { ErrorEvent } from '../../src/protocol/events';
import { startFakeLlmServer, type FakeLlmServer } from './fake-llm-server';
import { lateBound } from './late-bound';

/**
 * Registers the server's hooks in the calling describe() and returns it at once: a stand-in that forwards to
 * the running server, so tests read `server.requests` and call `server.setHandler()` as on the real one.
 */
export function useFakeLlmServer(): FakeLlmServer {
  let running: FakeLlmServer | undefined;
  before(async () => {
    running = await startFakeLlmServer();
  });
  after(() => running?.close());
  beforeEach(() => {
    running!.requests.length = 0;
  });
  return lateBound(() => running, 'the fake LLM server');
}

export interface RequestDefaults {
  /** The provider's id, which error messages name. */
  id: string;
  model: string;
  apiKey?: string;
  messages?: ChatRequest['messages'];
}

/** An OpenAI-compatible provider on the fake server, and a `response`-stage request to it. */
export function requestsTo(server: FakeLlmServer, defaults: RequestDefaults) {
  const provider = (over: Partial<Provider> = {}): Provider => ({
    id: defaults.id,
    kind: 'openai',
    baseUrl: server.baseUrl,
    model: defaults.model,
    ...over,
  });
  const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
    provider: provider(),
    ...(defaults.apiKey === undefined ? {} : { apiKey: defaults.apiKey }),
    messages: defaults.messages ?? [{ role: 'user', content: 'hi' }],
    stage: 'response',
    ...over,
  });
  return { provider, request };
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The `content` deltas joined. */
export const contentOf = (events: LlmStreamEvent[]): string =>
  events.flatMap((e) => (e.type === 'content' ? [e.content] : [])).join('');

/** The error that ends the stream; asserts it is last and the only terminal event (`error` or `end`). */
export function endingError(events: LlmStreamEvent[]): ErrorEvent {
  const last = events[events.length - 1];
  assert.equal(last?.type, 'error', `expected an error event last, got ${JSON.stringify(last)}`);
  assert.equal(events.filter((e) => e.type === 'error' || e.type === 'end').length, 1, 'exactly one terminal event');
  return last as ErrorEvent;
}
