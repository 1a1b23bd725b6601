// Per-client token buckets: each client may make `burst` requests at once and `perMinute` on average.
// Over the limit the caller answers 429 with Retry-After (whole seconds until one token is back).

export interface RateLimitOptions {
  /** Average requests per minute per client; 0 disables the limiter. */
  perMinute: number;
  /** Requests a client may make at once (bucket size). */
  burst: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Buckets kept at most; full buckets are forgotten first (they carry no state). */
  maxClients?: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(client: string): RateDecision;
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const perMs = options.perMinute / 60_000;
  const burst = Math.max(1, options.burst);
  const maxClients = options.maxClients ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  const refill = (b: { tokens: number; at: number }, t: number) => {
    b.tokens = Math.min(burst, b.tokens + (t - b.at) * perMs);
    b.at = t;
  };

  function prune(t: number) {
    for (const [k, b] of buckets) {
      refill(b, t);
      if (b.tokens >= burst) buckets.delete(k);
    }
    // Still too many (a flood of distinct clients): drop the oldest entries.
    for (const k of buckets.keys()) {
      if (buckets.size <= maxClients) break;
      buckets.delete(k);
    }
  }

  return {
    take(client) {
      if (options.perMinute <= 0) return { ok: true };
      const t = now();
      let b = buckets.get(client);
      if (!b) {
        if (buckets.size >= maxClients) prune(t);
        buckets.set(client, (b = { tokens: burst, at: t }));
      } else refill(b, t);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)) };
    },
  };
}
