// The one place the service builds the conversation engine's options for a new session: the server's
// provider and server-side key, its --db sources, an instrumented LLM client and a kernel (via the kernel
// factory) whose working directory is the data root, with the server's engine and Dask scheduler. Kept in one small function so engine changes touch only this.
import type { SessionOptions } from '../engine/session';
import { createKernel, needsNetwork } from '../kernel';
import type { LlmClient } from '../llm/types';
import type { ServeConfig } from './args';
import { instrumentKernel, instrumentLlm } from './instrument';
import type { ServeMetrics } from './metrics';

export function sessionOptionsFor(
  config: ServeConfig,
  deps: { llm: LlmClient; metrics: ServeMetrics; requestKey: () => string | undefined; locale?: 'en' | 'zh-cn' },
): SessionOptions {
  return {
    llm: instrumentLlm(deps.llm, deps.metrics, deps.requestKey),
    provider: config.provider,
    // Server-side key first: a key in the request body is only a fallback (see instrumentLlm).
    apiKey: config.apiKey,
    stallTimeoutMs: config.stallTimeoutMs,
    timeoutMs: config.timeoutMs,
    execTimeoutMs: config.execTimeoutMs,
    stream: true,
    locale: deps.locale,
    // Every --db source until a request names the ones it uses (chat-routes.ts).
    databases: config.databases,
    createKernel: () =>
      instrumentKernel(
        createKernel({
          pythonPath: config.pythonPath,
          cwd: config.dataRoot,
          execTimeoutMs: config.execTimeoutMs,
          sandbox: config.sandbox,
          engine: config.engine,
          ...(config.daskScheduler ? { daskScheduler: config.daskScheduler } : {}),
          allowDbWrites: config.allowDbWrites,
          // A database server or a Dask scheduler: a sandbox that cuts the network must open it.
          needsNetwork: needsNetwork(config.databases) || !!config.daskScheduler,
        }),
        deps.metrics,
      ),
  };
}
