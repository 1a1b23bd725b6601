// `npm run bench`: every benchmark in one run. A readable table first, then ONE JSON object on the
// last line of output. Targets that are missed say so ("met": false) instead of being hidden.
// Run with --expose-gc (the npm script does) so that the memory figure is a real post-GC heap.
import { cpus, totalmem } from 'node:os';
import { closeLlmNetwork, configureLlmNetwork, createLlmService, type Provider } from '../src/llm';
import { createSession } from '../src/engine/session';
import { benchSse, radarmStream, startBenchServer, type BenchServer } from './sse';
import { benchFirstEvent } from './first-event';

const only = new Set(process.argv.slice(2).filter((a) => !a.startsWith('-')));
const wants = (name: string) => only.size === 0 || only.has(name);
const log = (...a: unknown[]) => console.error(...a); // progress to stderr; results to stdout

const POOL_SIZE = 20;

async function benchPool(server: BenchServer, provider: Provider) {
  await closeLlmNetwork();
  configureLlmNetwork({ connections: POOL_SIZE });
  const llm = createLlmService();
  await server.reset();
  for (let i = 0; i < 100; i++) await radarmStream(llm, provider, 3);
  const sequential_connections = (await server.stats()).connections;
  await closeLlmNetwork();
  configureLlmNetwork({ connections: POOL_SIZE });
  await server.reset();
  await Promise.all(Array.from({ length: 50 }, () => radarmStream(llm, provider, 200)));
  const concurrent_connections = (await server.stats()).connections;
  return {
    pool_size: POOL_SIZE,
    sequential_requests: 100,
    sequential_connections,
    concurrent_requests: 50,
    concurrent_connections,
    targets: { sequential_connections: 1, concurrent_connections: `<= ${POOL_SIZE}` },
    met: sequential_connections === 1 && concurrent_connections <= POOL_SIZE,
  };
}

async function benchMemory(server: BenchServer, provider: Provider) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  // Through the engine, as the panel drives it: the session keeps the history (up to its limit).
  const session = createSession({ llm: createLlmService(), provider });
  const turn = async () => {
    for await (const ev of session.run('ask', 'Summarise the data in one sentence.')) {
      if (ev.type === 'error') throw new Error(ev.content);
    }
  };
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed / 1024 / 1024;
  };
  for (let i = 0; i < 10; i++) await turn();
  const after10 = heap();
  for (let i = 10; i < 1000; i++) await turn();
  const after1000 = heap();
  const heap_growth_mb = +(after1000 - after10).toFixed(2);
  const history_turns = session.history.length;
  await session.dispose();
  return {
    turns: 1000,
    through: 'engine session (history kept)',
    history_turns,
    heap_after_10_mb: +after10.toFixed(2),
    heap_after_1000_mb: +after1000.toFixed(2),
    heap_growth_mb,
    target: '< 20 MB',
    met: heap_growth_mb < 20,
  };
}

function table(results: Record<string, unknown>) {
  const rows: string[] = [];
  for (const [group, value] of Object.entries(results)) {
    if (!value || typeof value !== 'object') continue;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'object' && v !== null) {
        // A target figure ({value|value_ms, met, …}): one row with its value and whether it is met.
        const t = v as { value?: number; value_ms?: number; met?: boolean };
        const figure = t.value ?? t.value_ms;
        if (typeof figure === 'number' && typeof t.met === 'boolean' && k !== 'targets')
          rows.push(`${group.padEnd(16)} ${k.padEnd(28)} ${figure}${t.value_ms !== undefined ? ' ms' : ''} (${t.met ? 'met' : 'MISSED'})`);
        continue;
      }
      rows.push(`${group.padEnd(16)} ${k.padEnd(28)} ${String(v)}`);
    }
  }
  return rows.join('\n');
}

async function main() {
  const results: Record<string, unknown> = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version },
  };
  const server = await startBenchServer();
  const provider: Provider = { id: 'bench', kind: 'openai', baseUrl: server.baseUrl, model: 'bench' };
  try {
    if (wants('sse')) {
      log('sse: 9 pairs of 200,000 chunks through bare undici + eventsource-parser, radarm, openai SDK…');
      results.sse = await benchSse(server, provider, log);
    }
    if (wants('first_event_ms')) {
      log('first_event_ms: 1,000 requests each through Radarm and the bare undici + eventsource-parser loop, alternating…');
      results.first_event_ms = await benchFirstEvent(server, provider, { log });
    }
    if (wants('pool')) {
      log('pool: 100 sequential, 50 concurrent…');
      results.pool = await benchPool(server, provider);
    }
    if (wants('memory')) {
      log('memory: 1,000 Ask turns through the engine session…');
      results.memory = await benchMemory(server, provider);
    }
    if (wants('new_chat')) {
      log('new_chat: a new chat\'s first model request with a Python that takes 2 s to start…');
      const { benchNewChat } = await import('./new-chat');
      results.new_chat = await benchNewChat();
    }
    if (wants('kernel')) {
      log('kernel: warm round-trip, 100 MB CSV cold start and load, second question…');
      const { benchKernel } = await import('./kernel');
      const kernel = await benchKernel({});
      results.kernel = { ...kernel, met: Object.values(kernel.targets).every((t) => t.met) };
    }
    if (wants('preview')) {
      log('preview: Preview Data first screen of the 100 MB CSV (cold and warm kernel)…');
      const { benchPreview } = await import('./preview');
      const preview = await benchPreview({ log });
      results.preview = preview;
    }
    if (wants('dask')) {
      log('dask: a group-by over ~1 GB of CSV parts, pandas engine vs Dask on a local 2-worker cluster…');
      const { benchDask } = await import('./dask');
      results.dask = await benchDask({ log });
    }
    if (wants('panel')) {
      log('panel: 100,000 tokens into the real webview bundle in headless Chromium…');
      const { benchPanel } = await import('./panel');
      results.panel = await benchPanel({});
    }
  } finally {
    server.close();
    await closeLlmNetwork();
  }
  const groups = Object.entries(results).filter(([k]) => k !== 'machine');
  results.all_met = groups.every(([, v]) => (v as { met?: boolean }).met !== false);
  console.log(table(results));
  console.log(JSON.stringify(results));
}

main().catch((err) => {
  console.error('bench failed:', err);
  process.exit(1);
});
