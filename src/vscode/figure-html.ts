// Figures as standalone documents: a Plotly chart as self-contained HTML (plotly.js inlined, so it
// opens offline, with no network at all), and the figure pages shown in an editor tab. Pure: no
// `vscode` import, so the HTML is tested in Chromium directly.

/** JSON made safe inside a <script> element (no `</script>`, no `<!--`). */
export const scriptJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The figure of python plotly's fig.to_json(), checked enough to draw. */
export function parseFigureJson(json: string): { data: unknown[]; layout: Record<string, unknown> } {
  const fig = JSON.parse(json) as { data?: unknown; layout?: unknown };
  if (typeof fig !== 'object' || fig === null || !Array.isArray(fig.data)) throw new Error('the chart has no "data" array');
  const layout = typeof fig.layout === 'object' && fig.layout !== null ? (fig.layout as Record<string, unknown>) : {};
  return { data: fig.data, layout };
}

/**
 * A Plotly chart as one HTML file that needs nothing else: plotly.js inlined (about 4.8 MB), the
 * figure as JSON, the full mode bar. `plotlyJs` is the text of plotly.min.js.
 */
export function chartHtml(figureJson: string, plotlyJs: string, title: string): string {
  const fig = parseFigureJson(figureJson);
  // A literal "</script" inside the library would end its element early.
  const lib = plotlyJs.replace(/<\/script/gi, '<\\/script');
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>html,body{margin:0;height:100%}#chart{width:100%;height:100%}</style>
</head>
<body>
<div id="chart"></div>
<script>${lib}</script>
<script>
var fig = ${scriptJson(fig)};
var layout = Object.assign({}, fig.layout, { autosize: true });
delete layout.width; delete layout.height;
Plotly.newPlot('chart', fig.data, layout, { responsive: true, displaylogo: false });
</script>
</body>
</html>
`;
}

export interface TabPageOptions {
  cspSource: string;
  nonce: string;
  title: string;
}

/** An editor tab showing a Plotly chart at full size, plotly.js loaded from the extension. */
export function chartTabHtml(figureJson: string, plotlyUri: string, opts: TabPageOptions): string {
  const fig = parseFigureJson(figureJson);
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${opts.nonce}'`,
    `style-src ${opts.cspSource} 'unsafe-inline'`,
    `font-src ${opts.cspSource}`,
    `img-src ${opts.cspSource} data: blob:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<title>${escapeHtml(opts.title)}</title>
<style>html,body{margin:0;height:100%;overflow:hidden}#chart{width:100vw;height:100vh}</style>
</head>
<body>
<div id="chart"></div>
<script nonce="${opts.nonce}" src="${escapeHtml(plotlyUri)}"></script>
<script nonce="${opts.nonce}">
var fig = ${scriptJson(fig)};
var css = getComputedStyle(document.body);
var fg = css.getPropertyValue('--vscode-foreground').trim() || css.color;
var grid = css.getPropertyValue('--vscode-widget-border').trim() || 'rgba(128,128,128,0.25)';
var layout = Object.assign({}, fig.layout, { autosize: true, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)' });
delete layout.template; delete layout.width; delete layout.height;
layout.font = Object.assign({ color: fg }, layout.font || {});
['xaxis', 'yaxis'].forEach(function (k) { layout[k] = Object.assign({ gridcolor: grid, zerolinecolor: grid }, layout[k] || {}); });
// WebGL traces need eval, which this page's CSP forbids: draw their SVG twins.
var twin = { scattergl: 'scatter', scatterpolargl: 'scatterpolar', heatmapgl: 'heatmap' };
var data = fig.data.map(function (t) { return t && twin[t.type] ? Object.assign({}, t, { type: twin[t.type] }) : t; });
Plotly.newPlot('chart', data, layout, { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['sendDataToCloud'] });
</script>
</body>
</html>
`;
}

/** The bytes and file extension of a `data:image/…;base64,` URL, or undefined. */
export function decodeImage(dataUrl: string): { bytes: Uint8Array; ext: string } | undefined {
  const m = /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,([A-Za-z0-9+/=\s]+)$/.exec(dataUrl);
  if (!m) return undefined;
  const ext = m[1] === 'jpeg' ? 'jpg' : m[1] === 'svg+xml' ? 'svg' : m[1];
  return { bytes: new Uint8Array(Buffer.from(m[2], 'base64')), ext };
}
