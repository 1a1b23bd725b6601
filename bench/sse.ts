// Streaming benchmarks: Radarm's LLM service against the floor of its own stack (undici.request +
// eventsource-parser) and the official openai SDK, on the same local stream; time to first event;
// connection-pool reuse; heap growth over many Ask turns.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { request, Agent } from 'undici';
import OpenAI from 'openai';
import type { LlmClient, Provider } from '../src/llm/types';
import { benchText } from './bench-stream.mjs';

export interface BenchServer {
  baseUrl: string;
  stats(): Promise<{ connections: number; firstByteTimes: number[] }>;
  reset(): Promise<void>;
  close(): void;
}

export async function startBenchServer(): Promise<BenchServer> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'sse-server.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)).port);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const origin = `http://127.0.0.1:${port}`;
  const control = new Agent({ connections: 1 });
  return {
    baseUrl: `${origin}/v1`,
    async stats() {
      const r = await request(`${origin}/stats`, { dispatcher: control });
      return (await r.body.json()) as { connections: number; firstByteTimes: number[] };
    },
    async reset() {
      const r = await request(`${origin}/reset`, { method: 'POST', dispatcher: control });
      await r.body.dump();
    },
    close() {
      void control.close();
      child.kill();
    },
  };
}

export const absNow = () => performance.timeOrigin + performance.now();

const chatBody = JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'go' }] });

/** The floor: undici.request + eventsource-parser + JSON.parse, counting content deltas. */
export async function bareStream(baseUrl: string, chunks: number, dispatcher: Agent): Promise<number> {
  const res = await request(`${baseUrl}/chat/completions`, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', 'x-bench-chunks': String(chunks) },
    body: chatBody,
  });
  let count = 0;
  let text = '';
  const parser = createParser({
    onEvent(ev) {
      if (ev.data === '[DONE]') return;
      const delta = JSON.parse(ev.data).choices?.[0]?.delta?.content;
      if (delta) {
        count++;
        text += delta;
      }
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
  checkText('bare', text, chunks);
  return count;
}

export async function openaiStream(client: OpenAI, chunks: number): Promise<number> {
  const stream = await client.chat.completions.create(
    { model: 'bench', stream: true, messages: [{ role: 'user', content: 'go' }] },
    { headers: { 'x-bench-chunks': String(chunks) } },
  );
  let count = 0;
  let text = '';
  for await (const c of stream) {
    const delta = c.choices[0]?.delta?.content;
    if (delta) {
      count++;
      text += delta;
    }
  }
  checkText('openai', text, chunks);
  return count;
}

/** Every consumer builds the text it received, and it must be exactly what the server sent. */
function checkText(who: string, text: string, chunks: number) {
  if (text !== benchText(chunks)) throw new Error(`${who} received ${text.length} characters, not the text of the ${chunks} chunks sent`);
}

/**
 * Radarm merges the deltas that arrive in one network read into one event, so it is measured by what
 * it delivers: the chunks whose text all arrived, checked character for character.
 */
export async function radarmStream(
  llm: LlmClient,
  provider: Provider,
  chunks: number,
  onFirst?: () => void,
): Promise<number> {
  let text = '';
  const p: Provider = { ...provider, headers: { ...provider.headers, 'x-bench-chunks': String(chunks) } };
  for await (const ev of llm.streamChat({ provider: p, messages: [{ role: 'user', content: 'go' }], stage: 'response' })) {
    if (ev.type === 'content') {
      if (text === '') onFirst?.();
      text += ev.content;
    } else if (ev.type === 'error') throw new Error(ev.content);
  }
  checkText('radarm', text, chunks);
  return chunks;
}

/** Events per second of one run of `fn`, which returns how many events it consumed. */
export async function eps(fn: () => Promise<number>, expected: number): Promise<number> {
  const t0 = performance.now();
  const n = await fn();
  const ms = performance.now() - t0;
  if (n !== expected) throw new Error(`expected ${expected} events, got ${n}`);
  return Math.round((n / ms) * 1000);
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
