// Shared pieces of the agent tests: the scripted fake LLM (per X-Radarm-Stage, a queue of replies per
// stage), a real kernel on the test Python, temp data files, and the event-stream contract check.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RadarmEvent } from '../../src/protocol/events';
import type { Provider } from '../../src/llm/types';
import { textSteps, type FakeLlmServer, type FakeRequest, type Script } from '../helpers/fake-llm-server';

export const TEST_PYTHON = process.env.RADARM_TEST_PYTHON || '/usr/bin/python3';

export const fence = '```';
export const py = (code: string, before = 'Here is the code:', after = 'This answers the question.') =>
  `${before}\n\n${fence}python\n${code}\n${fence}\n\n${after}`;

export type Reply = string | Script | ((req: FakeRequest) => Script | Promise<Script>);

/**
 * Scripts the fake server: each stage answers its replies in order; the last one repeats.
 * Text replies stream in small deltas (3 characters), with token usage.
 */
export function scriptStages(server: FakeLlmServer, replies: Partial<Record<string, Reply[]>>): void {
  const counts = new Map<string, number>();
  server.setHandler((req) => {
    const stage = req.stage ?? '(none)';
    const list = replies[stage];
    if (!list?.length) return { status: 400, json: { error: { message: `unexpected stage ${stage}` } } };
    const n = counts.get(stage) ?? 0;
    counts.set(stage, n + 1);
    const r = list[Math.min(n, list.length - 1)];
    if (typeof r === 'function') return r(req);
    if (typeof r === 'string') return { steps: textSteps(r, 3), usage: { prompt: 100, completion: 20 } };
    return r;
  });
}

export function providerFor(server: FakeLlmServer): Provider {
  return { id: 'fake', kind: 'openai', baseUrl: server.baseUrl, model: 'fake-model' };
}

export async function collect(it: AsyncIterable<RadarmEvent>, onEvent?: (e: RadarmEvent) => void): Promise<RadarmEvent[]> {
  const out: RadarmEvent[] = [];
  for await (const e of it) {
    out.push(e);
    onEvent?.(e);
  }
  return out;
}

/** The stream contract: exactly one done, last, right after exactly one complete or error. */
export function assertContract(events: RadarmEvent[]): void {
  const done = events.filter((e) => e.type === 'done').length;
  const terminal = events.filter((e) => e.type === 'complete' || e.type === 'error').length;
  assert.equal(done, 1, 'exactly one done');
  assert.equal(terminal, 1, 'exactly one complete or error');
  assert.equal(events[events.length - 1].type, 'done', 'done is last');
  const before = events[events.length - 2];
  assert.ok(before && (before.type === 'complete' || before.type === 'error'), 'complete/error right before done');
}

export function completeOf(events: RadarmEvent[]) {
  const c = events.find((e) => e.type === 'complete');
  assert.ok(c && c.type === 'complete', `expected complete, got ${JSON.stringify(events.filter((e) => e.type === 'error'))}`);
  return c.data;
}

export function errorOf(events: RadarmEvent[]): string {
  const e = events.find((x) => x.type === 'error');
  assert.ok(e && e.type === 'error', 'expected an error event');
  return e.content;
}

export const thinking = (events: RadarmEvent[], stage?: string) =>
  events.filter((e) => e.type === 'thinking' && (!stage || e.stage === stage)).map((e) => (e as { content: string }).content);

export const contentOf = (events: RadarmEvent[], stage: string) =>
  events
    .filter((e) => e.type === 'content' && e.stage === stage)
    .map((e) => (e as { content: string }).content)
    .join('');

export const allMessages = (req: FakeRequest): string =>
  ((req.body?.messages ?? []) as { content: string }[]).map((m) => m.content).join('\n');

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'radarm-agent-'));
}

export const SALES_CSV = 'region,month,sales\nNorth,2024-01,100\nSouth,2024-01,200\nNorth,2025-01,150\nSouth,2025-02,250\n';

/** A PNG data URL: the decoded bytes start with the PNG signature. */
export function assertPngDataUrl(url: string | null): void {
  assert.ok(url?.startsWith('data:image/png;base64,'), `not a PNG data URL: ${url?.slice(0, 40)}`);
  const bytes = Buffer.from((url ?? '').slice('data:image/png;base64,'.length), 'base64');
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.length > 1000, 'a real image, not an empty one');
}
