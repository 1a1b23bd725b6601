// plotly.js is 4.8 MB: it is loaded only when the first chart arrives, as a <script> carrying
// this document's CSP nonce (the policy allows nothing else), from the webview's own origin.

export interface PlotlyLike {
  newPlot(el: HTMLElement, data: unknown[], layout?: Record<string, unknown>, config?: Record<string, unknown>): Promise<unknown>;
  purge(el: HTMLElement): void;
  toImage(el: HTMLElement, opts: { format: 'png'; width?: number; height?: number; scale?: number }): Promise<string>;
  Plots: { resize(el: HTMLElement): void };
}

// The nonce of the script that is running now (main.js), read once at startup: Chromium hides
// the nonce attribute from the DOM but keeps the `nonce` property.
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';

let loading: Promise<PlotlyLike> | null = null;

export function loadPlotly(uri: string): Promise<PlotlyLike> {
  const existing = (window as { Plotly?: PlotlyLike }).Plotly;
  if (existing) return Promise.resolve(existing);
  if (!uri) return Promise.reject(new Error('no plotly.js URI was given to the panel'));
  if (loading) return loading;
  loading = new Promise<PlotlyLike>((resolve, reject) => {
    const script = document.createElement('script');
    script.nonce = nonce;
    script.src = uri;
    script.async = true;
    script.dataset.radarm = 'plotly';
    script.onload = () => {
      const plotly = (window as { Plotly?: PlotlyLike }).Plotly;
      if (plotly) resolve(plotly);
      else reject(new Error('plotly.js loaded but did not define Plotly'));
    };
    script.onerror = () => {
      loading = null; // allow a later chart to try again
      script.remove();
      reject(new Error(`could not load ${uri}`));
    };
    document.head.appendChild(script);
  });
  return loading;
}

/** Figure colours follow the VS Code theme: transparent backgrounds, the theme's text colour. */
export function themedLayout(layout: Record<string, unknown> | undefined): Record<string, unknown> {
  const css = getComputedStyle(document.body);
  const fg = css.getPropertyValue('--vscode-foreground').trim() || css.color;
  const grid = css.getPropertyValue('--vscode-widget-border').trim() || 'rgba(128,128,128,0.25)';
  const family = `${css.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif`;
  const out: Record<string, unknown> = { ...(layout ?? {}) };
  // Python plotly's default template paints a light plot area: drop it, keep explicit settings.
  delete out.template;
  out.paper_bgcolor = 'rgba(0,0,0,0)';
  out.plot_bgcolor = 'rgba(0,0,0,0)';
  out.font = { family, color: fg, ...(isObj(out.font) ? out.font : {}) };
  for (const key of Object.keys(out)) {
    if (/^[xy]axis\d*$/.test(key) || key === 'xaxis' || key === 'yaxis') {
      const axis = isObj(out[key]) ? (out[key] as Record<string, unknown>) : {};
      out[key] = { gridcolor: grid, zerolinecolor: grid, linecolor: grid, ...axis };
    }
  }
  if (!out.xaxis) out.xaxis = { gridcolor: grid, zerolinecolor: grid };
  if (!out.yaxis) out.yaxis = { gridcolor: grid, zerolinecolor: grid };
  out.autosize = true;
  out.margin = { l: 48, r: 16, t: out.title ? 48 : 24, b: 40, ...(isObj(out.margin) ? out.margin : {}) };
  return out;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
