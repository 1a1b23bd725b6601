// plotly.min.js for HTML reports, read from the first place it exists: beside the bundle (dist/webview, where
// the build copies it), or node_modules when running from source.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function plotlyCandidates(bundleDir: string): string[] {
  const list = [join(bundleDir, 'webview', 'plotly.min.js'), join(bundleDir, '..', 'dist', 'webview', 'plotly.min.js')];
  try {
    list.push(join(dirname(require.resolve('plotly.js-dist-min/package.json')), 'plotly.min.js'));
  } catch {
    // Not installed beside the sources (a packaged extension): the bundle's copy is the one.
  }
  return list;
}

/** The script's text, or undefined when no copy is found (the report then notes the chart instead). */
export function readPlotlyJs(bundleDir: string): string | undefined {
  const file = plotlyCandidates(bundleDir).find((f) => existsSync(f));
  return file ? readFileSync(file, 'utf8') : undefined;
}
