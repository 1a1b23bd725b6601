// Streaming benchmarks: Radarm's LLM service against the floor of its own stack (undici.request +
// eventsource-parser) and the official openai SDK, on the same local stream, as the median of paired
// runs; the stacks and the server that first_event_ms (./first-event) and the pool and memory figures use.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { request, Agent } from 'undici';
import OpenAI from 'openai';
import { createLlmService } from '../src/llm';
import type { LlmClient, Provider } from '../src/llm/types';
import { benchText } from './bench-stream.mjs';

export interface BenchStats {
  connections: number;
  /** process.hrtime.bigint() of each body's first byte, in ns, as decimal strings. */
  firstByteTimes: string[];
  /** The same clock just after each first write's bytes were handed to the kernel. */
  flushedTimes: string[];
}

export interface BenchServer {
  baseUrl: string;
  /** The server process (to read its scheduler statistics). */
  pid: number;
  stats(): Promise<BenchStats>;
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
    pid: child.pid!,
    async stats() {
      const r = await request(`${origin}/stats`, { dispatcher: control });
      return (await r.body.json()) as BenchStats;
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

/**
 * The system-wide monotonic clock in ns (CLOCK_MONOTONIC on Linux): the bench server reads the same
 * clock in its own process, so the two ends of a latency are comparable without clock-origin guesses.
 */
export const monoNs = () => process.hrtime.bigint();

const chatBody = JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'go' }] });

/** The floor: undici.request + eventsource-parser + JSON.parse, counting content deltas. */
export async function bareStream(baseUrl: string, chunks: number, dispatcher: Agent, onFirst?: () => void): Promise<number> {
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
        if (count++ === 0) onFirst?.();
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
  return (await rate(fn, expected)).perSecond;
}

/**
 * Chunks per wall-clock second of one run, and per second of this process's CPU time (user + system):
 * the second does not count time spent waiting for a busy core, so it moves less with other load.
 */
export async function rate(fn: () => Promise<number>, expected: number): Promise<{ perSecond: number; perCpuSecond: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const n = await fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (n !== expected) throw new Error(`expected ${expected} events, got ${n}`);
  return { perSecond: Math.round((n / ms) * 1000), perCpuSecond: Math.round((n / (cpu.user + cpu.system)) * 1e6) };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

const SSE_CHUNKS = 200_000;
const SSE_PAIRS = 9;

interface SsePair {
  bare: number;
  radarm: number;
  openai: number;
  ratio_vs_bare: number;
  ratio_vs_openai: number;
  /** The same ratios from each stack's chunks per CPU-second of the client process. */
  cpu_ratio_vs_bare: number;
  cpu_ratio_vs_openai: number;
}

/**
 * Throughput in provider chunks per second (one chunk = one SSE `data:` event carrying one delta), as
 * the median of paired runs: each pair runs the three stacks back to back on the same server, so a
 * burst of load hits one pair, not one stack; every pair's figures are on the JSON line. The same
 * ratios per CPU-second of the client are listed too, as a check that moves less with other load.
 */
export async function benchSse(server: BenchServer, provider: Provider, log: (...a: unknown[]) => void, pairs = SSE_PAIRS) {
  const llm = createLlmService();
  const bareAgent = new Agent({ connections: 20 });
  const openai = new OpenAI({ baseURL: server.baseUrl, apiKey: 'bench', maxRetries: 0 });
  // Warm up each path (JIT, connection) before measuring.
  for (let i = 0; i < 3; i++) {
    await bareStream(server.baseUrl, 20_000, bareAgent);
    await radarmStream(llm, provider, 20_000);
    await openaiStream(openai, 2000);
  }
  const runs: SsePair[] = [];
  const bareRun = () => rate(() => bareStream(server.baseUrl, SSE_CHUNKS, bareAgent), SSE_CHUNKS);
  for (let i = 0; i < pairs; i++) {
    // Alternate who goes first, so that neither stack always runs right after the slow openai run.
    const bareFirst = i % 2 === 0;
    const b1 = bareFirst ? await bareRun() : undefined;
    const r = await rate(() => radarmStream(llm, provider, SSE_CHUNKS), SSE_CHUNKS);
    const b = b1 ?? (await bareRun());
    const o = await rate(() => openaiStream(openai, SSE_CHUNKS), SSE_CHUNKS);
    const pair: SsePair = {
      bare: b.perSecond,
      radarm: r.perSecond,
      openai: o.perSecond,
      ratio_vs_bare: +(r.perSecond / b.perSecond).toFixed(3),
      ratio_vs_openai: +(r.perSecond / o.perSecond).toFixed(2),
      cpu_ratio_vs_bare: +(r.perCpuSecond / b.perCpuSecond).toFixed(3),
      cpu_ratio_vs_openai: +(r.perCpuSecond / o.perCpuSecond).toFixed(2),
    };
    runs.push(pair);
    log(
      `  sse pair ${i + 1}: bare ${pair.bare} radarm ${pair.radarm} openai ${pair.openai} chunks/s → ` +
        `${pair.ratio_vs_bare}× bare, ${pair.ratio_vs_openai}× openai (per CPU-second: ${pair.cpu_ratio_vs_bare}×, ${pair.cpu_ratio_vs_openai}×)`,
    );
  }
  await bareAgent.close();
  const ratio_vs_bare = +median(runs.map((r) => r.ratio_vs_bare)).toFixed(3);
  const ratio_vs_openai = +median(runs.map((r) => r.ratio_vs_openai)).toFixed(2);
  return {
    unit: 'provider chunks per second',
    chunks_per_run: SSE_CHUNKS,
    pairs: runs.length,
    radarm_chunks_per_s: median(runs.map((r) => r.radarm)),
    bare_chunks_per_s: median(runs.map((r) => r.bare)),
    openai_chunks_per_s: median(runs.map((r) => r.openai)),
    ratio_vs_bare,
    ratio_vs_openai,
    cpu_ratio_vs_bare: +median(runs.map((r) => r.cpu_ratio_vs_bare)).toFixed(3),
    cpu_ratio_vs_openai: +median(runs.map((r) => r.cpu_ratio_vs_openai)).toFixed(2),
    runs,
    targets: { ratio_vs_bare: '>= 0.9 (median of pairs)', ratio_vs_openai: '>= 5 (median of pairs)' },
    met: ratio_vs_bare >= 0.9 && ratio_vs_openai >= 5,
  };
}
