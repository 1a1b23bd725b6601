// The options `radarm chat` and `radarm serve` share — the model (provider, endpoint, key), the Python that runs
// the code and its limits, the sandbox, the data engine and Dask scheduler, the databases — as ONE option table
// for node:util parseArgs and ONE validation, so that the two commands cannot drift apart.
import type { ParseArgsConfig } from 'node:util';
import { checkSchedulerAddress } from '../kernel/data-sources';
import { parseDatabaseArg, passwordFromEnv, passwordOf } from '../kernel/database-sources';
import { SANDBOX_MODES, type SandboxMode } from '../kernel/sandbox';
import { DATA_ENGINES, type DataEngine, type DatabaseSource } from '../kernel/types';
import type { Provider, ProviderKind } from '../llm/types';

export const PROVIDERS: readonly ProviderKind[] = ['openai', 'azure', 'anthropic'];

const DEFAULT_BASE_URLS: Partial<Record<ProviderKind, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
};

/** The shared part of both commands' parseArgs option table. */
export const SHARED_OPTIONS = {
  provider: { type: 'string' },
  'base-url': { type: 'string' },
  model: { type: 'string' },
  'api-key': { type: 'string' },
  python: { type: 'string' },
  timeout: { type: 'string' },
  'exec-timeout': { type: 'string' },
  sandbox: { type: 'string' },
  'sandbox-network': { type: 'boolean' },
  engine: { type: 'string' },
  'dask-scheduler': { type: 'string' },
  db: { type: 'string', multiple: true },
  'allow-db-writes': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The parsed values of the shared options (as parseArgs returns them). */
export interface SharedValues {
  provider?: string;
  'base-url'?: string;
  model?: string;
  'api-key'?: string;
  python?: string;
  timeout?: string;
  'exec-timeout'?: string;
  sandbox?: string;
  'sandbox-network'?: boolean;
  engine?: string;
  'dask-scheduler'?: string;
  db?: string[];
  'allow-db-writes'?: boolean;
}

/** What the shared options configure, validated. */
export interface SharedConfig {
  provider: Provider;
  /** --api-key or RADARM_API_KEY. */
  apiKey?: string;
  pythonPath?: string;
  /** --timeout: no data from the model for this long ends the call. */
  stallTimeoutMs?: number;
  /** Whole-request timeout per model call (env RADARM_REQUEST_TIMEOUT, seconds). */
  timeoutMs?: number;
  execTimeoutMs?: number;
  sandbox: { mode: SandboxMode; network: boolean };
  engine: DataEngine;
  daskScheduler?: string;
  /** --db sources (passwords inside: never print them). */
  databases: DatabaseSource[];
  allowDbWrites: boolean;
}

/**
 * A limit in the given unit, refused below `min` (never rounded down to 0: for undici a timeout of 0
 * means no timeout at all, so `--timeout 0.0001` would have switched the stall check off).
 */
export function limit(name: string, value: string | undefined, unit: 'seconds' | 'MB', min: number, scale: number): number | undefined | string {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) return `${name} needs a positive number of ${unit}, got "${value}"`;
  if (n < min) return `${name} must be at least ${min} ${unit === 'seconds' ? (min === 1 ? 'second' : 'seconds') : unit}; got ${value}`;
  return Math.round(n * scale);
}
/** Seconds → ms, at least `min` s. `name` is a flag without its dashes, or an environment variable (RADARM_…). */
export const seconds = (name: string, value: string | undefined, min = 1) =>
  limit(/^[A-Z][A-Z0-9_]*$/.test(name) ? name : `--${name}`, value, 'seconds', min, 1000);

export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T | { error: string } {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  return { error: `--${name} must be one of ${allowed.join(', ')}; got "${value}"` };
}

/**
 * --db [NAME=]URL values → sources. A URL without a password takes it from RADARM_DB_PASSWORD_<NAME> (the name in
 * capitals, other characters as _), else RADARM_DB_PASSWORD — the variables taken-away code reads too.
 */
export function databasesFrom(values: readonly string[] | undefined, env: NodeJS.ProcessEnv): DatabaseSource[] | { error: string } {
  const out: DatabaseSource[] = [];
  for (const d of values ?? []) {
    const source = parseDatabaseArg(d);
    if ('error' in source) return { error: `--db: ${source.error}` };
    const password = passwordOf(source.url) ? undefined : passwordFromEnv(source.name, env);
    out.push(password ? { ...source, password } : source);
  }
  return out;
}

/** Validates the shared options (flags first, then their environment variables). */
export function parseShared(v: SharedValues, env: NodeJS.ProcessEnv): SharedConfig | { error: string } {
  const kind = oneOf('provider', v.provider ?? env.RADARM_PROVIDER, PROVIDERS, 'openai');
  if (typeof kind === 'object') return kind;
  const provider = providerFrom(kind, v, env);
  if ('error' in provider) return provider;
  const sandboxMode = oneOf('sandbox', v.sandbox ?? env.RADARM_SANDBOX, SANDBOX_MODES, 'auto');
  if (typeof sandboxMode === 'object') return sandboxMode;
  const sandboxNetwork = v['sandbox-network'] ?? /^(1|true|yes)$/i.test(env.RADARM_SANDBOX_NETWORK ?? '');

  const stall = seconds('timeout', v.timeout);
  if (typeof stall === 'string') return { error: stall };
  const exec = seconds('exec-timeout', v['exec-timeout']);
  if (typeof exec === 'string') return { error: exec };
  const whole = seconds('RADARM_REQUEST_TIMEOUT', env.RADARM_REQUEST_TIMEOUT || undefined);
  if (typeof whole === 'string') return { error: whole };

  const engine = oneOf('engine', v.engine ?? env.RADARM_ENGINE, DATA_ENGINES, 'auto');
  if (typeof engine === 'object') return engine;
  const daskScheduler = (v['dask-scheduler'] ?? env.RADARM_DASK_SCHEDULER)?.trim() || undefined;
  const badAddress = daskScheduler ? checkSchedulerAddress(daskScheduler) : undefined;
  if (badAddress) return { error: `--dask-scheduler: ${badAddress}` };

  const databases = databasesFrom(v.db, env);
  if ('error' in databases) return databases;

  const apiKey = (v['api-key'] ?? env.RADARM_API_KEY)?.trim() || undefined;
  return {
    provider,
    apiKey,
    pythonPath: v.python,
    stallTimeoutMs: stall,
    timeoutMs: whole,
    execTimeoutMs: exec,
    sandbox: { mode: sandboxMode, network: sandboxNetwork },
    engine,
    ...(daskScheduler ? { daskScheduler } : {}),
    databases,
    allowDbWrites: !!v['allow-db-writes'],
  };
}

/** The provider from --base-url / --model (or RADARM_BASE_URL / RADARM_MODEL). */
export function providerFrom(
  kind: ProviderKind,
  v: { 'base-url'?: string; model?: string },
  env: NodeJS.ProcessEnv,
): Provider | { error: string } {
  const baseUrl = v['base-url'] ?? env.RADARM_BASE_URL ?? DEFAULT_BASE_URLS[kind];
  if (!baseUrl) return { error: `--base-url is required for ${kind} (e.g. https://NAME.openai.azure.com)` };
  let url: URL;
  try {
    url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    return { error: `--base-url must be a full http(s) URL such as https://api.deepseek.com/v1; got "${baseUrl}"` };
  }
  const model = v.model ?? env.RADARM_MODEL;
  if (!model?.trim()) return { error: '--model is required (or set RADARM_MODEL), e.g. --model deepseek-chat' };

  const provider: Provider = { id: url.host, kind, baseUrl, model: model.trim() };
  if (kind === 'azure') {
    const apiVersion = env.RADARM_AZURE_API_VERSION ?? url.searchParams.get('api-version') ?? undefined;
    if (apiVersion) provider.apiVersion = apiVersion;
  }
  return provider;
}
