// The one shared HTTP dispatcher of the LLM service: an undici pool per origin with keep-alive reuse,
// a cap on connections per origin, and proxy support (HTTP(S)_PROXY / NO_PROXY, or an explicit proxy
// such as VS Code's `http.proxy`). Requests that opt out of pooling get their own dispatcher, which the
// service closes when the request ends.
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';

export interface LlmNetworkOptions {
  /** Maximum connections per origin (default 20). */
  connections?: number;
  /** Explicit proxy URL for http and https (VS Code `http.proxy`); empty = HTTP(S)_PROXY from the environment. */
  proxy?: string;
  /** Hosts that bypass the proxy, NO_PROXY syntax (default: the NO_PROXY environment variable). */
  noProxy?: string;
  /** false accepts self-signed certificates (VS Code `http.proxyStrictSSL`). Default true. */
  strictSSL?: boolean;
}

export const DEFAULT_CONNECTIONS_PER_ORIGIN = 20;

let options: LlmNetworkOptions = {};
let shared: Dispatcher | undefined;

function createDispatcher(o: LlmNetworkOptions, connections: number): Dispatcher {
  const proxy = o.proxy?.trim() || undefined;
  const tls = o.strictSSL === false ? { rejectUnauthorized: false } : undefined;
  return new EnvHttpProxyAgent({
    connections,
    // LLM answers can pause for a long time; the service sets per-request headers/body timeouts.
    keepAliveTimeout: 10_000,
    httpProxy: proxy,
    httpsProxy: proxy,
    noProxy: o.noProxy,
    ...(tls ? { connect: tls, requestTls: tls, proxyTls: tls } : {}),
  });
}

/** The shared, pooled dispatcher (created on first use, so environment proxies set before then apply). */
export function getLlmDispatcher(): Dispatcher {
  shared ??= createDispatcher(options, Math.max(1, options.connections ?? DEFAULT_CONNECTIONS_PER_ORIGIN));
  return shared;
}

/** A dispatcher for one request (`usePool: false`): same proxy rules, one connection; close it after use. */
export function createIndependentDispatcher(): Dispatcher {
  return createDispatcher(options, 1);
}

/**
 * Replaces the shared dispatcher with one built from these options (the VS Code layer calls this on
 * start and when `http.proxy`, `http.noProxy`, `http.proxyStrictSSL` or the pool size change). Requests in
 * flight finish on the old dispatcher, which closes once they are done.
 */
export function configureLlmNetwork(next: LlmNetworkOptions): void {
  options = { ...next };
  const old = shared;
  shared = undefined;
  old?.close().catch(() => {});
}

/** Closes the shared dispatcher (extension deactivation, CLI exit, tests). */
export async function closeLlmNetwork(): Promise<void> {
  const old = shared;
  shared = undefined;
  await old?.close().catch(() => {});
}
