// Prometheus text exposition (format 0.0.4) for the handful of series `radarm serve` keeps: counters,
// gauges and histograms with labels. Written here rather than taken from prom-client: these ~100 lines
// cover what /metrics needs, while prom-client would bring @opentelemetry/api, tdigest and bintrees into
// the CLI bundle for default process metrics and cluster aggregation the service does not use.

type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
}
interface HistogramSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}
export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, by?: number): void;
  dec(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}
export interface Histogram {
  observe(value: number, labels?: Labels): void;
  /** Observations so far (for tests and /health). */
  count(labels?: Labels): number;
}

export interface Registry {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  histogram(name: string, help: string, buckets: number[]): Histogram;
  /** The whole registry in the Prometheus text format. */
  render(): string;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const keyOf = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k])}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

const num = (n: number) => (n === Infinity ? '+Inf' : n === -Infinity ? '-Inf' : Number.isNaN(n) ? 'NaN' : String(n));

export function createRegistry(): Registry {
  const renderers: (() => string)[] = [];

  function header(name: string, help: string, type: string) {
    return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
  }

  function scalar(name: string, help: string, type: 'counter' | 'gauge') {
    const series = new Map<string, Series>();
    const at = (labels: Labels = {}) => {
      const k = keyOf(labels);
      let s = series.get(k);
      if (!s) series.set(k, (s = { labels: { ...labels }, value: 0 }));
      return s;
    };
    renderers.push(() => {
      let out = header(name, help, type);
      // A series without labels is always shown (0 until something happens), so dashboards see it.
      if (!series.size) out += `${name} 0\n`;
      for (const s of series.values()) out += `${name}${labelText(s.labels)} ${num(s.value)}\n`;
      return out;
    });
    return {
      inc(labels?: Labels, by = 1) {
        at(labels).value += by;
      },
      dec(labels?: Labels, by = 1) {
        at(labels).value -= by;
      },
      set(value: number, labels?: Labels) {
        at(labels).value = value;
      },
      get(labels?: Labels) {
        return series.get(keyOf(labels ?? {}))?.value ?? 0;
      },
    };
  }

  return {
    counter(name, help) {
      const s = scalar(name, help, 'counter');
      return { inc: s.inc, get: s.get };
    },
    gauge(name, help) {
      return scalar(name, help, 'gauge');
    },
    histogram(name, help, buckets) {
      const bounds = [...buckets].sort((a, b) => a - b);
      const series = new Map<string, HistogramSeries>();
      renderers.push(() => {
        let out = header(name, help, 'histogram');
        for (const s of series.values()) {
          // Buckets are cumulative: each counts the observations <= its bound.
          let cumulative = 0;
          bounds.forEach((b, i) => {
            cumulative += s.counts[i];
            out += `${name}_bucket${labelText(s.labels, ['le', num(b)])} ${cumulative}\n`;
          });
          out += `${name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.count}\n`;
          out += `${name}_sum${labelText(s.labels)} ${num(s.sum)}\n`;
          out += `${name}_count${labelText(s.labels)} ${s.count}\n`;
        }
        return out;
      });
      return {
        observe(value, labels = {}) {
          const k = keyOf(labels);
          let s = series.get(k);
          if (!s) series.set(k, (s = { labels: { ...labels }, counts: bounds.map(() => 0), sum: 0, count: 0 }));
          const i = bounds.findIndex((b) => value <= b);
          if (i >= 0) s.counts[i]++;
          s.sum += value;
          s.count++;
        },
        count(labels = {}) {
          return series.get(keyOf(labels))?.count ?? 0;
        },
      };
    },
    render() {
      return renderers.map((r) => r()).join('');
    },
  };
}

/** The series of `radarm serve`; names follow Prometheus conventions (units in the name, _total counters). */
export function createServeMetrics() {
  const registry = createRegistry();
  const latency = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
  return {
    registry,
    requests: registry.counter('radarm_http_requests_total', 'HTTP requests answered, by route, method and status.'),
    activeStreams: registry.gauge('radarm_active_streams', 'Turns currently running (attached to a client or within the grace period).'),
    sessions: registry.gauge('radarm_sessions', 'Chat sessions currently kept (each may hold a Python process).'),
    turns: registry.counter('radarm_turns_total', 'Turns finished, by mode and outcome (complete, error, stopped).'),
    firstEvent: registry.histogram(
      'radarm_time_to_first_event_seconds',
      'Time from receiving POST /chat/stream to its first event, by mode.',
      latency,
    ),
    modelCalls: registry.histogram('radarm_model_call_duration_seconds', 'Model call duration, by outcome (ok, error).', latency),
    modelErrors: registry.counter('radarm_model_call_errors_total', 'Model calls that ended with an error, by error code.'),
    kernelExecutions: registry.counter(
      'radarm_kernel_executions_total',
      'Python code executions, by outcome (ok, error, timeout, crashed, cancelled).',
    ),
    resumes: registry.counter('radarm_stream_resumes_total', 'GET /chat/stream/<id> reconnections, by result.'),
    rateLimited: registry.counter('radarm_rate_limited_total', 'Requests refused with 429 by the rate limiter.'),
  };
}
export type ServeMetrics = ReturnType<typeof createServeMetrics>;
