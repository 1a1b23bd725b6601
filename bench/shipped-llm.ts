// The LLM service as it ships: src/llm bundled by esbuild with the extension's production options
// (scripts/build.mjs --production: dependencies bundled, minified). A benchmark run under tsx would
// otherwise time tsx's transform of the sources, which keeps function names by wrapping every function
// and closure in `__name(…)` (a defineProperty, and about 4.6 KB more garbage per streamed request).
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type LlmModule = typeof import('../src/llm');

export function loadShippedLlm(): LlmModule {
  const dir = mkdtempSync(join(tmpdir(), 'radarm-bench-llm-'));
  try {
    const outfile = join(dir, 'llm.js');
    buildSync({
      entryPoints: [join(__dirname, '..', 'src', 'llm', 'index.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      minify: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
    return require(outfile) as LlmModule;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
