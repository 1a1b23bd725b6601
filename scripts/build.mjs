// Bundles the extension host, the CLI, the webview and the extension-host tests with esbuild,
// and copies the runtime assets (Python runner, codicons, plotly.js) into dist/.
// usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production') || process.env.NODE_ENV === 'production';
// --clean empties dist/ first (packaging does); plain builds overwrite in place so that concurrent
// test runs reading dist/ never see it vanish.
const clean = process.argv.includes('--clean') || production;
const r = (...p) => join(root, ...p);

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const nodeCommon = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

const builds = [
  { ...nodeCommon, entryPoints: [r('src/vscode/extension.ts')], outfile: r('dist/extension.js'), external: ['vscode'] },
  {
    ...nodeCommon,
    entryPoints: [r('src/cli/main.ts')],
    outfile: r('dist/cli.js'),
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: ['chrome120'],
    entryPoints: { main: r('webview/main.tsx'), preview: r('webview/preview-main.tsx') },
    outdir: r('dist/webview'),
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.ttf': 'file' },
  },
  // Extension-host tests run inside a real VS Code; mocha stays external (resolved from node_modules).
  {
    ...nodeCommon,
    sourcemap: 'inline',
    entryPoints: [r('test/vscode/index.ts')],
    outfile: r('out/test/vscode/index.js'),
    external: ['vscode', 'mocha', 'playwright-core'],
  },
].filter((b) => {
  const entries = Array.isArray(b.entryPoints) ? b.entryPoints : Object.values(b.entryPoints);
  return entries.every((e) => existsSync(e));
});

function copyAssets() {
  const copies = [
    [r('node_modules/@vscode/codicons/dist/codicon.css'), r('dist/webview/codicon.css')],
    [r('node_modules/@vscode/codicons/dist/codicon.ttf'), r('dist/webview/codicon.ttf')],
    [r('node_modules/plotly.js-dist-min/plotly.min.js'), r('dist/webview/plotly.min.js')],
  ];
  for (const [from, to] of copies) {
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  // The Python runner (and any helper modules beside it) ship as files: the kernel spawns them.
  const pyDir = r('src/kernel/python');
  if (existsSync(pyDir)) {
    mkdirSync(r('dist/kernel'), { recursive: true });
    for (const f of readdirSync(pyDir)) if (f.endsWith('.py')) copyFileSync(join(pyDir, f), r('dist/kernel', f));
  }
}

if (clean && !watch) rmSync(r('dist'), { recursive: true, force: true });
copyAssets();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching…');
} else {
  const t0 = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`esbuild: built ${builds.length} bundles in ${Date.now() - t0} ms`);
}
