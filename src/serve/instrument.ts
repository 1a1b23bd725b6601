// Wrappers that let the service observe the engine without changing it: model calls (latency, errors by
// code; and the request's own key applied when the server has none) and kernel executions (by outcome).
import type { PythonKernel } from '../kernel/types';
import type { LlmClient } from '../llm/types';
import type { ServeMetrics } from './metrics';

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/**
 * `fallbackKey()` is the key sent by the client in this turn's body: used only when the request carries
 * no key of its own, i.e. when the server was started without --api-key / RADARM_API_KEY.
 */
export function instrumentLlm(inner: LlmClient, metrics: ServeMetrics, fallbackKey: () => string | undefined): LlmClient {
  return {
    async *streamChat(request, signal) {
      const t0 = performance.now();
      let outcome = 'ok';
      try {
        for await (const ev of inner.streamChat({ ...request, apiKey: request.apiKey ?? fallbackKey() }, signal)) {
          if (ev.type === 'error') {
            outcome = 'error';
            metrics.modelErrors.inc({ code: ev.code ?? 'internal' });
          }
          yield ev;
        }
      } finally {
        metrics.modelCalls.observe(seconds(t0), { outcome });
      }
    },
    async chat(request, signal) {
      const t0 = performance.now();
      const result = await inner.chat({ ...request, apiKey: request.apiKey ?? fallbackKey() }, signal);
      if (!result.ok) metrics.modelErrors.inc({ code: 'internal' });
      metrics.modelCalls.observe(seconds(t0), { outcome: result.ok ? 'ok' : 'error' });
      return result;
    },
  };
}

/** The same kernel, with every execute() counted by outcome. A Proxy, so methods added later pass through. */
export function instrumentKernel(kernel: PythonKernel, metrics: ServeMetrics): PythonKernel {
  const execute: PythonKernel['execute'] = async (code, opts) => {
    const r = await kernel.execute(code, opts);
    const outcome = r.timedOut ? 'timeout' : r.crashed ? 'crashed' : r.cancelled ? 'cancelled' : r.ok ? 'ok' : 'error';
    metrics.kernelExecutions.inc({ outcome });
    return r;
  };
  return new Proxy(kernel, {
    get(target, prop) {
      if (prop === 'execute') return execute;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
