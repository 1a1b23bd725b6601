// Command-line arguments of `radarm chat` → a validated configuration, or a usage error.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MODES, type Mode } from '../protocol/vocabulary';
import { checkDataSource } from '../kernel/data-sources';
import { limit, oneOf, parseShared, SHARED_OPTIONS, type SharedConfig } from '../options/shared-options';

// The options chat and serve share live in src/options/shared-options.ts; these names stay importable from here.
export { oneOf, PROVIDERS, providerFrom, seconds } from '../options/shared-options';

export type OutputFormat = 'ndjson' | 'sse' | 'text';
const FORMATS: readonly OutputFormat[] = ['ndjson', 'sse', 'text'];

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
                                       (repeatable; password in the URL, or env RADARM_DB_PASSWORD_<NAME>,
                                       else RADARM_DB_PASSWORD; read-only)
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

/** The chat command's configuration: the shared options (model, Python, sandbox, engine, databases) and its own. */
export interface CliConfig extends SharedConfig {
  command: 'chat';
  mode: Mode;
  dataFiles: string[];
  /** Cap of one model answer in bytes (--max-response-mb, env RADARM_MAX_RESPONSE_MB). */
  maxResponseBytes?: number;
  format: OutputFormat;
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

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...SHARED_OPTIONS,
        mode: { type: 'string' },
        data: { type: 'string', multiple: true },
        'max-response-mb': { type: 'string' },
        format: { type: 'string' },
        'save-report': { type: 'string' },
        'save-notebook': { type: 'string' },
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
  const format = oneOf('format', v.format, FORMATS, 'text');
  if (typeof format === 'object') return format;
  const shared = parseShared(v, env);
  if ('error' in shared) return shared;
  const maxMb = v['max-response-mb'] !== undefined ? ['--max-response-mb', v['max-response-mb']] : ['RADARM_MAX_RESPONSE_MB', env.RADARM_MAX_RESPONSE_MB || undefined];
  const maxResponseBytes = limit(maxMb[0]!, maxMb[1], 'MB', 1, 1024 * 1024);
  if (typeof maxResponseBytes === 'string') return { error: maxResponseBytes };

  const dataFiles: string[] = [];
  for (const f of v.data ?? []) {
    const checked = checkDataSource(f);
    if ('error' in checked) return { error: `--data: ${checked.error}` };
    dataFiles.push(checked.path);
  }
  const saveReport = v['save-report'] === undefined ? undefined : checkReportPath(v['save-report']);
  if (typeof saveReport === 'object') return saveReport;
  let saveNotebook: string | undefined;
  if (v['save-notebook'] !== undefined) {
    saveNotebook = resolve(v['save-notebook']);
    if (!saveNotebook.toLowerCase().endsWith('.ipynb')) return { error: `--save-notebook needs a file name ending in .ipynb, got "${v['save-notebook']}"` };
    if (!existsSync(dirname(saveNotebook))) return { error: `--save-notebook: no such folder: ${dirname(saveNotebook)}` };
  }

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
      ...shared,
      dataFiles,
      maxResponseBytes,
      format,
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
