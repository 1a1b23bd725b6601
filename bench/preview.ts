// Preview Data bench: the first screen (column profile + first rows) of the generated 100 MB CSV, through the
// same stream the VS Code tab uses (src/preview/stream.ts: the pandas-free quick reader and the kernel's pandas
// profile, started together), plus the tab's render of it in Chromium (the real preview.js bundle).
//   first_screen_ms.cold_ms  command → first screen rendered, with NO Python running: the stream's first message
//                         (a new quick-reader process and a new kernel, racing) + the render. Target < 1000.
//   first_screen_ms.warm_ms  the same with the preview kernel already running (median of runs).
//   full_profile_ms       when the pandas profile (20,000-row sample) replaces the first screen, cold and warm.
//   breakdown_ms          where a cold start's time goes, each measured alone: Python start, `import pandas`,
//                         the quick reader, the kernel start (hello), a warm kernel preview, the render.
// Reported, never asserted. Standalone: node --import tsx bench/preview.ts [--mb 100]   (JSON on stdout)
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createKernel, type PythonKernel } from '../src/kernel';
import { quickPreview } from '../src/kernel/preview-quick';
import type { PreviewMessage } from '../src/protocol/preview';
import { kernelReaders, previewMessages, type PreviewSource } from '../src/preview/stream';
import { makeBenchCsv } from './kernel';

export interface PreviewBenchResult {
  csv_mb: number;
  first_screen_ms: { value_ms: number; cold_ms: number; warm_ms: number; warm_runs_ms: number[]; cold_stage: string; target_ms: number; met: boolean };
  full_profile_ms: { cold: number; warm: number };
  breakdown_ms: Record<string, number>;
  met: boolean;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}

/** One stream run: ms to the first preview message and to the full one. */
async function run(source: PreviewSource, kernel: PythonKernel, python: string) {
  const t0 = performance.now();
  let first: { ms: number; msg: PreviewMessage } | undefined;
  let full = NaN;
  for await (const m of previewMessages(source, kernelReaders(kernel, (s) => quickPreview({ pythonPath: python }, s)))) {
    if (m.type === 'previewError') throw new Error(`preview failed: ${m.message}`);
    const ms = performance.now() - t0;
    first ??= { ms, msg: m };
    if (m.type === 'preview' && m.stage !== 'quick') full = ms;
  }
  if (!first) throw new Error('no preview message');
  return { first, full };
}

/** The tab's render of a preview message in Chromium: posted → the column cards and first rows in the DOM. */
async function renderMs(msg: PreviewMessage, runs = 5): Promise<number> {
  const { build, launchChromium, openPanel, panelContext, startPanelServer } = await import('../test/webview/harness');
  build();
  const server = await startPanelServer();
  const browser = await launchChromium();
  try {
    const context = await panelContext(browser);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const p = await openPanel(context, server, { page: 'preview', theme: 'dark', width: 1200, height: 800 });
      await p.host({ type: 'previewLoading', name: 'bench.csv', locale: 'en' });
      await p.frames();
      // Measured inside the page: from the message's dispatch to the frame after the cards and rows exist.
      times.push(
        await p.page.evaluate(
          (m) =>
            new Promise<number>((resolve) => {
              const t = self.performance.now(); // self.: the page's clock, not the imported one
              window.postMessage(m, '*');
              const check = () =>
                document.querySelector('.column-card') && document.querySelector('.data-table tbody tr')
                  ? requestAnimationFrame(() => resolve(self.performance.now() - t))
                  : requestAnimationFrame(check);
              check();
            }),
          msg as never,
        ),
      );
      await p.page.close();
    }
    return median(times);
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function benchPreview(opts: { csvMb?: number; runs?: number; python?: string; log?: (s: string) => void } = {}): Promise<PreviewBenchResult> {
  const mb = opts.csvMb ?? 100;
  const log = opts.log ?? (() => undefined);
  const { file } = await makeBenchCsv(os.tmpdir(), mb);
  const python = opts.python ?? process.env.RADARM_TEST_PYTHON ?? '/usr/bin/python3';
  const source: PreviewSource = { path: file, name: 'bench.csv' };

  // Breakdown first, each alone (no race with another process for the 2 cores).
  const [, pyStart] = await timed(() => execFileSync(python, ['-c', 'pass']));
  const [, pandasTotal] = await timed(() => execFileSync(python, ['-c', 'import pandas']));
  const [quick, quickMs] = await timed(() => quickPreview({ pythonPath: python }, source));
  if (!quick.ok) throw new Error(`quick reader failed: ${quick.message}`);
  const k0 = createKernel({ cwd: os.tmpdir(), pythonPath: python });
  let kernelStart: number;
  let kernelPreview: number;
  try {
    [, kernelStart] = await timed(() => k0.start());
    await k0.preview!(file);
    [, kernelPreview] = await timed(() => k0.preview!(file));
  } finally {
    await k0.dispose();
  }

  // Cold: nothing running; the quick reader and a new kernel race, as when the command runs.
  const kernel = createKernel({ cwd: os.tmpdir(), pythonPath: python });
  try {
    const cold = await run(source, kernel, python);
    const warmRuns: number[] = [];
    const warmFull: number[] = [];
    for (let i = 0; i < (opts.runs ?? 5); i++) {
      const w = await run(source, kernel, python);
      warmRuns.push(r1(w.first.ms));
      warmFull.push(w.full);
    }
    const render = await renderMs(cold.first.msg);
    const coldScreen = r1(cold.first.ms + render);
    const warmScreen = r1(median(warmRuns) + render);
    log(`preview: cold first screen ${coldScreen} ms (${cold.first.msg.type === 'preview' ? cold.first.msg.stage : '?'}), warm ${warmScreen} ms`);
    return {
      csv_mb: mb,
      first_screen_ms: {
        value_ms: coldScreen, // the binding figure: cold
        cold_ms: coldScreen,
        warm_ms: warmScreen,
        warm_runs_ms: warmRuns,
        cold_stage: cold.first.msg.type === 'preview' ? (cold.first.msg.stage ?? 'full') : 'error',
        target_ms: 1000,
        met: coldScreen < 1000 && warmScreen < 1000,
      },
      full_profile_ms: { cold: r1(cold.full), warm: r1(median(warmFull)) },
      breakdown_ms: {
        python_start: r1(pyStart),
        import_pandas: r1(pandasTotal - pyStart),
        quick_reader_total: r1(quickMs),
        kernel_start_to_hello: r1(kernelStart),
        kernel_preview_warm: r1(kernelPreview),
        render: r1(render),
      },
      met: coldScreen < 1000 && warmScreen < 1000,
    };
  } finally {
    await kernel.dispose();
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--mb');
  benchPreview({ csvMb: i > 0 ? Number(process.argv[i + 1]) : undefined, log: (s) => console.error(s) }).then(
    (r) => console.log(JSON.stringify(r)),
    (e) => {
      console.error(`preview bench failed: ${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
