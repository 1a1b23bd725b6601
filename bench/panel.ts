// Panel benchmark: 100,000 tokens streamed into ONE message through the real webview bundle
// (dist/webview) in headless Chromium, under the real CSP, fed like the host feeds it: one
// `events` message every 16 ms carrying the tokens due at 10,000 tokens/s, one event per token
// (no coalescing by the host — the worst case). Reports:
//   total_ms          first token posted → last token rendered (done, two frames later)
//   longest_frame_ms  the longest gap between animation frames while streaming (target < 50)
//   cost_growth       main-thread time per token of the panel's frame work — applying events,
//                     rendering into the DOM, and style recalculation + layout, which the panel
//                     forces at the end of each frame's work while measuring (window.__radarmPerf) —
//                     over the last 10 % of frames ÷ the first 10 % (target ≤ 1.5). Paint and
//                     compositing are not in it; longest_frame_ms (rAF to rAF) covers them.
//   layout_share      of that frame work, the part spent in style and layout (first and last tenth)
// and an unthrottled run (everything posted as fast as possible) for the throughput ceiling.
// Standalone: node --import tsx bench/panel.ts [--tokens N] [--rate N] [--no-build]   (JSON on stdout)
import type { Browser } from 'playwright-core';
import {
  build,
  costGrowth,
  launchChromium,
  openPanel,
  panelContext,
  panelState,
  startPanelServer,
  percentile,
  tokenize,
  type Panel,
} from '../test/webview/harness';

export interface PanelBenchOptions {
  /** Tokens streamed into the message (default 100,000). */
  tokens?: number;
  /** Tokens per second the feeder sustains (default 10,000). */
  rate?: number;
  /** How often the feeder posts a batch, like the host's event batcher (default 16 ms). */
  batchMs?: number;
  /** Build dist/ first (default true). */
  build?: boolean;
  log?: (line: string) => void;
}

export interface PanelBenchResult {
  tokens: number;
  chars: number;
  rate_tokens_per_s: number;
  total_ms: number;
  longest_frame_ms: number;
  /** Where in the stream the longest frame fell (0 = start, 1 = end). */
  longest_frame_at: number;
  frames_over_50ms: number;
  p99_frame_ms: number;
  p90_frame_first_10pct_ms: number;
  p90_frame_last_10pct_ms: number;
  frames: number;
  /** Median per-token cost of the frames in the last tenth ÷ the first tenth. */
  cost_growth: number;
  /** The same with summed time over summed tokens (sensitive to a single preempted frame). */
  cost_growth_mean: number;
  /** Share of the frame work spent in style + layout, in the first and the last tenth of the frames. */
  layout_share_first_10pct: number;
  layout_share_last_10pct: number;
  first_10pct_us_per_token: number;
  last_10pct_us_per_token: number;
  unthrottled_total_ms: number;
  unthrottled_tokens_per_s: number;
  unthrottled_longest_frame_ms: number;
  dom_nodes: number;
  js_heap_mb: number;
  chromium: string;
  targets: Record<string, { target: number; value: number; met: boolean }>;
  met: boolean;
}

/** A long analysis answer: headings, Chinese and English prose, lists, code, tables. */
export function benchMarkdown(minChars: number): string {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < minChars; i++) {
    const block = [
      `## 第 ${i + 1} 部分：Region ${i % 7} analysis`,
      `华东地区第 ${i + 1} 季度的**销售额**为 ${(1000 + i * 13.7).toFixed(2)} 万元，同比增长 ${(i % 17) + 3}%。` +
        ` The \`groupby\` over *region* and *month* shows a steady trend; see https://example.com/report/${i} for details.`,
      `- 华北：${(900 + i).toFixed(1)} 万元\n- 华南：${(800 + i * 2).toFixed(1)} 万元\n- 西南：${(400 + i * 3).toFixed(1)} 万元`,
      '```python\n' +
        `totals_${i} = df[df["季度"] == ${(i % 4) + 1}].groupby("地区")["销售额"].sum()\n` +
        `print(totals_${i}.sort_values(ascending=False).head(${(i % 5) + 3}))\n` +
        '```',
      `| 地区 | 销售额 | 增长 |\n|---|---:|---:|\n| 华东 | ${1000 + i} | ${i % 9}% |\n| 华北 | ${900 + i} | ${i % 7}% |`,
      `> 注意：第 ${i + 1} 部分的数据包含 ${i % 3} 个缺失值，已用中位数填充。`,
    ].join('\n\n');
    parts.push(block);
    n += block.length + 2;
  }
  return parts.join('\n\n') + '\n';
}

interface RunResult {
  total: number;
  frames: number[];
  samples: { ms: number; events: number; layoutMs: number }[];
  chars: number;
  domNodes: number;
  heap: number;
}

/** Streams the tokens into a new Ask turn, from inside the page, at `rate` tokens/s (0: flat out). */
function run(panel: Panel, id: string, tokens: string[], rate: number, batchMs: number): Promise<RunResult> {
  return panel.page.evaluate(
    async ({ id, tokens, rate, batchMs }) => {
      const w = window as unknown as { __radarmPerf?: { ms: number; events: number; layoutMs: number }[] };
      const post = (m: unknown) => window.postMessage(m, '*');
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      const frames: number[] = [];
      let monitoring = true;
      let last = 0;
      const tick = (t: number) => {
        if (last) frames.push(t - last);
        last = t;
        if (monitoring) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      await frame();
      w.__radarmPerf = [];
      post({ type: 'turnStart', turn: { id, question: 'Analyse the sales', mode: 'ask', dataFiles: [], events: [] } });
      const t0 = performance.now();
      let sent = 0;
      while (sent < tokens.length) {
        await sleep(batchMs);
        const due = rate > 0 ? Math.min(tokens.length, Math.floor(((performance.now() - t0) * rate) / 1000)) : Math.min(tokens.length, sent + 2000);
        if (due <= sent) continue;
        const events = [];
        for (; sent < due; sent++) events.push({ type: 'content', stage: 'response', content: tokens[sent] });
        post({ type: 'events', turnId: id, events });
      }
      post({ type: 'events', turnId: id, events: [{ type: 'done' }] });
      // Rendered: the turn is no longer live, then two more frames for layout and paint.
      while (document.querySelector('.turn:last-of-type .live')) await frame();
      await frame();
      await frame();
      const total = performance.now() - t0;
      monitoring = false;
      const answer = document.querySelectorAll('.answer');
      const mem = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
      return {
        total,
        frames,
        samples: (w.__radarmPerf ?? []).filter((s) => s.events > 0),
        chars: answer[answer.length - 1]?.textContent?.length ?? 0,
        domNodes: document.getElementsByTagName('*').length,
        heap: mem ? mem.usedJSHeapSize / 1048576 : 0,
      };
    },
    { id, tokens, rate, batchMs },
  );
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const layoutShare = (xs: { ms: number; layoutMs: number }[]) =>
  xs.reduce((a, s) => a + s.layoutMs, 0) / Math.max(1e-9, xs.reduce((a, s) => a + s.ms, 0));
const r2 = (x: number) => Math.round(x * 100) / 100;

export async function benchPanel(opts: PanelBenchOptions = {}): Promise<PanelBenchResult> {
  const nTokens = opts.tokens ?? 100_000;
  const rate = opts.rate ?? 10_000;
  const batchMs = opts.batchMs ?? 16;
  const log = opts.log ?? (() => {});
  if (opts.build !== false) {
    log('panel: building dist/…');
    build();
  }
  // ~2.6 characters per token, like a Chinese/English LLM answer.
  const tokens = tokenize(benchMarkdown(nTokens * 3), 11).slice(0, nTokens);
  const server = await startPanelServer();
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const chromium = browser.version();
    const context = await panelContext(browser);
    const panel = await openPanel(context, server, { theme: 'dark' });
    await panel.host({ type: 'init', state: panelState({ mode: 'ask' }) });
    log('panel: warm-up…');
    await run(panel, 'warmup', tokens.slice(0, 10_000), 0, batchMs);
    await panel.host({ type: 'clear' });
    log(`panel: ${nTokens.toLocaleString()} tokens at ${rate.toLocaleString()} tokens/s…`);
    const paced = await run(panel, 'paced', tokens, rate, batchMs);
    await panel.host({ type: 'clear' });
    log('panel: the same, unthrottled…');
    const flat = await run(panel, 'flat', tokens, 0, batchMs);
    if (panel.errors.length) throw new Error(`the panel reported errors: ${panel.errors.join('; ')}`);

    // Per-frame cost per token; the median of each tenth, so that one frame preempted by another
    // process (or a GC pause) does not decide the figure. The mean-based ratio is reported too.
    const growth = costGrowth(paced.samples);
    const longest = Math.max(...paced.frames);
    const result: PanelBenchResult = {
      tokens: nTokens,
      chars: paced.chars,
      rate_tokens_per_s: rate,
      total_ms: Math.round(paced.total),
      longest_frame_ms: r1(longest),
      longest_frame_at: r2(paced.frames.indexOf(longest) / paced.frames.length),
      frames_over_50ms: paced.frames.filter((f) => f > 50).length,
      p99_frame_ms: r1(percentile(paced.frames, 0.99)),
      // Frame lengths early and late in the stream: layout and paint costs growing would show here.
      p90_frame_first_10pct_ms: r1(percentile(paced.frames.slice(0, Math.ceil(paced.frames.length / 10)), 0.9)),
      p90_frame_last_10pct_ms: r1(percentile(paced.frames.slice(-Math.ceil(paced.frames.length / 10)), 0.9)),
      frames: paced.frames.length,
      cost_growth: r2(growth.median),
      cost_growth_mean: r2(growth.mean),
      layout_share_first_10pct: r2(layoutShare(paced.samples.slice(0, Math.ceil(paced.samples.length / 10)))),
      layout_share_last_10pct: r2(layoutShare(paced.samples.slice(-Math.ceil(paced.samples.length / 10)))),
      first_10pct_us_per_token: r2(growth.first),
      last_10pct_us_per_token: r2(growth.last),
      unthrottled_total_ms: Math.round(flat.total),
      unthrottled_tokens_per_s: Math.round((nTokens / flat.total) * 1000),
      unthrottled_longest_frame_ms: r1(Math.max(...flat.frames)),
      dom_nodes: paced.domNodes,
      js_heap_mb: r1(paced.heap),
      chromium,
      targets: {
        cost_growth: { target: 1.5, value: r2(growth.median), met: growth.median <= 1.5 },
        longest_frame_ms: { target: 50, value: r1(longest), met: longest <= 50 },
      },
      met: false,
    };
    result.met = Object.values(result.targets).every((t) => t.met);
    return result;
  } finally {
    await browser?.close();
    await server.close();
  }
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  benchPanel({
    tokens: arg('--tokens') ? Number(arg('--tokens')) : undefined,
    rate: arg('--rate') ? Number(arg('--rate')) : undefined,
    build: !process.argv.includes('--no-build'),
    log: (l) => console.error(l),
  }).then(
    (r) => console.log(JSON.stringify(r)),
    (e) => {
      console.error(`panel bench failed: ${(e as Error).stack ?? e}`);
      process.exitCode = 1;
    },
  );
}
