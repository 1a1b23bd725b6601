// Command-line arguments of `radarm chat` → a validated configuration, or a usage error.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MODES, type Mode } from '../protocol/vocabulary';
import type { Provider, ProviderKind } from '../llm/types';
import { SANDBOX_MODES, type SandboxMode } from '../kernel/sandbox';
import { checkDataSource, checkSchedulerAddress } from '../kernel/data-sources';
import { DATA_ENGINES, type DataEngine } from '../kernel/types';
import { parseDatabaseArg } from '../kernel/database-sources';
import type { DatabaseSource } from '../kernel/types';

export type OutputFormat = 'ndjson' | 'sse' | 'text';
const FORMATS: readonly OutputFormat[] = ['ndjson', 'sse', 'text'];
export const PROVIDERS: readonly ProviderKind[] = ['openai', 'azure', 'anthropic'];

const DEFAULT_BASE_URLS: Partial<Record<ProviderKind, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
};

export const USAGE = `Usage: radarm chat [options] "message"
       radarm chat [options] -            (read the message from stdin)
       radarm serve [options]             (an HTTP service; see radarm serve --help)
       radarm preview FILE                (a data file's column profile; see radarm preview --help)

Ask Radarm about your data from a terminal. Streams Radarm's events: the model's thinking,
the answer, and in agent modes the code it writes, runs and checks.

Options:
  --mode ask|agent_single|agent_multi  mode (default: ask)
  --provider openai|azure|anthropic    API kind (default: openai = any OpenAI-compatible server:
                                       OpenAI, DeepSeek, Qwen, Moonshot, Ollama, vLLM, LM Studio, OpenRouter)
  --base-url URL                       endpoint, e.g. https://api.deepseek.com/v1 (env RADARM_BASE_URL;
                                       azure: https://NAME.openai.azure.com)
  --model NAME                         model, or the Azure deployment name (env RADARM_MODEL)
  --api-key KEY                        API key; prefer env RADARM_API_KEY (a flag is visible in \`ps\`)
  --data FILE|FOLDER|GLOB              data the question is about (repeatable; SQLite .sqlite/.sqlite3/.db too);
                                       a folder or a quoted glob ('exports/*.csv') is one dataset of many files
  --engine auto|pandas|dask            what holds the data (default auto: pandas while it fits comfortably
                                       in memory, else Dask when installed)
  --dask-scheduler ADDRESS             an existing Dask scheduler, e.g. tcp://host:8786 (env
                                       RADARM_DASK_SCHEDULER); default: a local cluster when Dask is used
  --db [NAME=]URL                      a database: postgresql://user@host:5432/db or mysql://user@host/db
                                       (repeatable; password in the URL or env RADARM_DB_PASSWORD; read-only)
  --allow-db-writes                    let the code change databases (default: read-only)
  --python PATH                        Python with pandas that runs the code (default: python3 on PATH)
  --timeout S                          stall timeout: stop when no data arrives for S seconds (default 60, min 1)
  --exec-timeout S                     time limit per code run in agent modes (default 60, min 1)
  --max-response-mb MB                 cap of one model answer (default 8, min 1; env RADARM_MAX_RESPONSE_MB)
  --format ndjson|sse|text             output: one JSON event per line, SSE, or text for people (default)
  --save-report FILE.html|FILE.md      also save the answer as a report: one self-contained HTML file
                                       (charts and tables inside, opens offline) or Markdown
  --save-notebook FILE                 also save the question, code, outputs and charts as a Jupyter
                                       notebook (.ipynb) that runs on its own from its folder
  --sandbox auto|required|off          isolate the generated code (Linux: bubblewrap): auto (default) uses it
                                       when installed, required refuses to run code without it (env RADARM_SANDBOX)
  --sandbox-network                    let sandboxed code reach the network (env RADARM_SANDBOX_NETWORK=1)
  --session FILE                       continue the conversation kept in FILE (created if missing): its
                                       history goes to the model, its data files load again, and the code
                                       of its earlier successful turns is re-run first to rebuild Python's
                                       variables (they cannot outlive a process); the turn is saved to FILE
  -h, --help                           this help
  -v, --version                        the version

Exit codes: 0 answered, 1 error, 2 bad arguments, 130 cancelled (Ctrl-C).
Environment: RADARM_API_KEY, RADARM_DB_PASSWORD, RADARM_BASE_URL, RADARM_MODEL, RADARM_PROVIDER, RADARM_AZURE_API_VERSION,
RADARM_REQUEST_TIMEOUT (seconds per model call, default 180, min 1), RADARM_MAX_RESPONSE_MB, RADARM_ENGINE,
RADARM_DASK_SCHEDULER, HTTPS_PROXY / HTTP_PROXY / NO_PROXY.

Example:
  RADARM_API_KEY=sk-… radarm chat --base-url https://api.deepseek.com/v1 --model deepseek-chat \\
    --mode agent_single --data sales.csv "哪个地区的销售额最高？"`;

export interface CliConfig {
  command: 'chat';
  mode: Mode;
  provider: Provider;
  apiKey?: string;
  dataFiles: string[];
  /** --db sources (passwords inside: never print them). */
  databases: DatabaseSource[];
  allowDbWrites: boolean;
  pythonPath?: string;
  stallTimeoutMs?: number;
  /** Whole-request timeout per model call (env RADARM_REQUEST_TIMEOUT, seconds). */
  timeoutMs?: number;
  execTimeoutMs?: number;
  engine: DataEngine;
  daskScheduler?: string;
  /** Cap of one model answer in bytes (--max-response-mb, env RADARM_MAX_RESPONSE_MB). */
  maxResponseBytes?: number;
  format: OutputFormat;
  sandbox: { mode: SandboxMode; network: boolean };
  /** Things to tell the user on stderr once (e.g. the key was given on the command line). */
  warnings: string[];
  /** --session FILE: the conversation file to continue and update (absolute path). */
  sessionFile?: string;
  /** The message, or '-' to read it from stdin. */
  message: string;
  /** --save-report: absolute path of the .html/.md report to write after the turn. */
  saveReport?: string;
  /** --save-notebook: absolute path of the .ipynb to write after a completed turn. */
  saveNotebook?: string;
}

export type ParsedArgs = { help: true } | { version: true } | { config: CliConfig } | { error: string };

/**
 * A limit in the given unit, refused below `min` (never rounded down to 0: for undici a timeout of 0
 * means no timeout at all, so `--timeout 0.0001` would have switched the stall check off).
 */
function limit(name: string, value: string | undefined, unit: 'seconds' | 'MB', min: number, scale: number): number | undefined | string {
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

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        mode: { type: 'string' },
        provider: { type: 'string' },
        'base-url': { type: 'string' },
        model: { type: 'string' },
        'api-key': { type: 'string' },
        data: { type: 'string', multiple: true },
        db: { type: 'string', multiple: true },
        'allow-db-writes': { type: 'boolean' },
        python: { type: 'string' },
        engine: { type: 'string' },
        'dask-scheduler': { type: 'string' },
        timeout: { type: 'string' },
        'exec-timeout': { type: 'string' },
        'max-response-mb': { type: 'string' },
        format: { type: 'string' },
        'save-report': { type: 'string' },
        'save-notebook': { type: 'string' },
        sandbox: { type: 'string' },
        'sandbox-network': { type: 'boolean' },
        session: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    return { error: (err as Error).message.replace(/\. To specify a positional argument.*$/s, '.') };
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { help: true };
  if (v.version) return { version: true };

  const [command, ...rest] = positionals;
  if (!command) return { error: 'missing command: radarm chat [options] "message"' };
  if (command !== 'chat') return { error: `unknown command "${command}" (the commands are: chat, serve, preview)` };
  if (rest.length === 0) return { error: 'missing the message: radarm chat [options] "message"' };
  if (rest.length > 1) return { error: `one message only; quote it: radarm chat "${rest.join(' ')}"` };
  const message = rest[0];
  if (!message.trim()) return { error: 'the message is empty' };

  const mode = oneOf('mode', v.mode, MODES, 'ask');
  if (typeof mode === 'object') return mode;
  const kind = oneOf('provider', v.provider ?? env.RADARM_PROVIDER, PROVIDERS, 'openai');
  if (typeof kind === 'object') return kind;
  const format = oneOf('format', v.format, FORMATS, 'text');
  if (typeof format === 'object') return format;
  const sandboxMode = oneOf('sandbox', v.sandbox ?? env.RADARM_SANDBOX, SANDBOX_MODES, 'auto');
  if (typeof sandboxMode === 'object') return sandboxMode;
  const sandboxNetwork = v['sandbox-network'] ?? /^(1|true|yes)$/i.test(env.RADARM_SANDBOX_NETWORK ?? '');

  const provider = providerFrom(kind, v, env);
  if ('error' in provider) return provider;

  const stall = seconds('timeout', v.timeout);
  if (typeof stall === 'string') return { error: stall };
  const exec = seconds('exec-timeout', v['exec-timeout']);
  if (typeof exec === 'string') return { error: exec };
  const whole = seconds('RADARM_REQUEST_TIMEOUT', env.RADARM_REQUEST_TIMEOUT || undefined);
  if (typeof whole === 'string') return { error: whole };
  const maxMb = v['max-response-mb'] !== undefined ? ['--max-response-mb', v['max-response-mb']] : ['RADARM_MAX_RESPONSE_MB', env.RADARM_MAX_RESPONSE_MB || undefined];
  const maxResponseBytes = limit(maxMb[0]!, maxMb[1], 'MB', 1, 1024 * 1024);
  if (typeof maxResponseBytes === 'string') return { error: maxResponseBytes };

  const dataFiles: string[] = [];
  for (const f of v.data ?? []) {
    const checked = checkDataSource(f);
    if ('error' in checked) return { error: `--data: ${checked.error}` };
    dataFiles.push(checked.path);
  }
  const engine = oneOf('engine', v.engine ?? env.RADARM_ENGINE, DATA_ENGINES, 'auto');
  if (typeof engine === 'object') return engine;
  const daskScheduler = (v['dask-scheduler'] ?? env.RADARM_DASK_SCHEDULER)?.trim() || undefined;
  const badAddress = daskScheduler ? checkSchedulerAddress(daskScheduler) : undefined;
  if (badAddress) return { error: `--dask-scheduler: ${badAddress}` };

  const databases: DatabaseSource[] = [];
  for (const d of v.db ?? []) {
    const source = parseDatabaseArg(d, env.RADARM_DB_PASSWORD || undefined);
    if ('error' in source) return { error: `--db: ${source.error}` };
    databases.push(source);
  }

  const saveReport = v['save-report'] === undefined ? undefined : checkReportPath(v['save-report']);
  if (typeof saveReport === 'object') return saveReport;
  let saveNotebook: string | undefined;
  if (v['save-notebook'] !== undefined) {
    saveNotebook = resolve(v['save-notebook']);
    if (!saveNotebook.toLowerCase().endsWith('.ipynb')) return { error: `--save-notebook needs a file name ending in .ipynb, got "${v['save-notebook']}"` };
    if (!existsSync(dirname(saveNotebook))) return { error: `--save-notebook: no such folder: ${dirname(saveNotebook)}` };
  }

  const apiKey = v['api-key'] ?? env.RADARM_API_KEY;
  const warnings: string[] = [];
  if (v['api-key'] !== undefined) {
    warnings.push(
      'the API key was given with --api-key, where every process of your user can read it (ps, /proc/*/cmdline). ' +
        'Set it in the environment instead: RADARM_API_KEY=… radarm chat …',
    );
  }
  return {
    config: {
      command: 'chat',
      mode,
      provider,
      apiKey: apiKey?.trim() || undefined,
      dataFiles,
      databases,
      allowDbWrites: !!v['allow-db-writes'],
      pythonPath: v.python,
      stallTimeoutMs: stall,
      timeoutMs: whole,
      execTimeoutMs: exec,
      engine,
      ...(daskScheduler ? { daskScheduler } : {}),
      maxResponseBytes,
      format,
      sandbox: { mode: sandboxMode, network: sandboxNetwork },
      warnings,
      ...(v.session ? { sessionFile: resolve(v.session) } : {}),
      message,
      ...(saveReport ? { saveReport } : {}),
      ...(saveNotebook ? { saveNotebook } : {}),
    },
  };
}

function checkReportPath(file: string): string | { error: string } {
  if (!/\.(html?|md|markdown)$/i.test(file)) return { error: `--save-report: the file must end in .html or .md; got "${file}"` };
  const abs = resolve(file);
  if (!existsSync(dirname(abs))) return { error: `--save-report: no such folder: ${dirname(file)}` };
  return abs;
}

/** The provider from --base-url / --model (or RADARM_BASE_URL / RADARM_MODEL); shared by chat and serve. */
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
