// A Plotly figure (the JSON of plotly's fig.to_json()). plotly.js is loaded on first use and the
// figure follows theme switches (VS Code changes the body's class).
import { useEffect, useRef, useState } from 'preact/hooks';
import { format } from '../i18n';
import { loadPlotly, themedLayout, type PlotlyLike } from '../plotly';
import { store } from '../store';
import { FigureToolbar } from './figure-view';
import { Codicon } from './widgets';

interface Figure {
  data: unknown[];
  layout?: Record<string, unknown>;
}

// WebGL traces compile shaders with Function(), which the CSP forbids (no 'unsafe-eval'); plotly
// express picks them by itself past 1,000 points. Their SVG twins draw the same figure.
const SVG_TWIN: Record<string, string> = { scattergl: 'scatter', scatterpolargl: 'scatterpolar', heatmapgl: 'heatmap' };

function parseFigure(json: string): Figure {
  const fig = JSON.parse(json) as unknown;
  if (typeof fig !== 'object' || fig === null || !Array.isArray((fig as Figure).data))
    throw new Error('the figure has no "data" array');
  const layout = (fig as Figure).layout;
  const data = (fig as Figure).data.map((t) => {
    const type = (t as { type?: unknown })?.type;
    return typeof type === 'string' && SVG_TWIN[type] ? { ...(t as object), type: SVG_TWIN[type] } : t;
  });
  return { data, layout: typeof layout === 'object' && layout !== null ? layout : undefined };
}

export function ChartView({ json, turnId }: { json: string; turnId: string }) {
  const s = store.strings;
  const ref = useRef<HTMLDivElement>(null);
  const plotlyRef = useRef<PlotlyLike>();
  const [status, setStatus] = useState<'loading' | 'ready' | { error: string }>('loading');
  useEffect(() => {
    const el = ref.current!;
    let plotly: PlotlyLike | undefined;
    let cancelled = false;
    let fig: Figure;
    try {
      fig = parseFigure(json);
    } catch (err) {
      setStatus({ error: err instanceof Error ? err.message : String(err) });
      return;
    }
    // No mode bar in the narrow panel: it would sit on the plot. Drag still zooms and a double click
    // resets; the full mode bar is in the editor tab that Open shows.
    const config = { responsive: true, displaylogo: false, displayModeBar: false };
    const draw = () => plotly!.newPlot(el, fig.data, themedLayout(fig.layout), config);
    loadPlotly(store.plotlyUri)
      .then((p) => {
        if (cancelled) return;
        plotly = p;
        plotlyRef.current = p;
        return draw().then(() => !cancelled && setStatus('ready'));
      })
      .catch((err: unknown) => !cancelled && setStatus({ error: err instanceof Error ? err.message : String(err) }));
    const themeWatch = new MutationObserver(() => plotly && void draw());
    themeWatch.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    return () => {
      cancelled = true;
      themeWatch.disconnect();
      plotly?.purge(el);
    };
  }, [json]);
  return (
    <figure class="artifact figure chart" aria-label={s.chart}>
      <FigureToolbar
        turnId={turnId}
        kind="chart"
        png={async () => {
          const el = ref.current;
          if (!el || status !== 'ready' || !plotlyRef.current) return null;
          return plotlyRef.current.toImage(el, { format: 'png', scale: 2 });
        }}
      />
      {status === 'loading' && (
        <div class="muted small chart-status">
          <Codicon name="loading" spin /> {s.chartLoading}
        </div>
      )}
      {typeof status === 'object' && (
        <div class="error-text small chart-status" role="alert">
          {format(s.chartFailed, status.error)}
        </div>
      )}
      <div ref={ref} class="chart-canvas" />
    </figure>
  );
}
