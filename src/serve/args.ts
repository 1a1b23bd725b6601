// Command-line arguments of `radarm serve` → a validated configuration, or a usage error.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseShared, seconds, SHARED_OPTIONS, type SharedConfig } from '../options/shared-options';
import { isLoopback } from './auth';

export const SERVE_USAGE = `Usage: radarm serve [options]

Serves Radarm over HTTP for web front ends, notebooks and other tools: POST /chat/stream answers in
any mode as Server-Sent Events (the same events as \`radarm chat --format sse\`), resumable after a
dropped connection, gzip-compressed when the client accepts it. Prints {"url":"http://HOST:PORT"}
on stdout once listening. Ctrl-C / SIGTERM ends running turns with an error event and exits 0.

Options:
  --host ADDR              address to listen on (default 127.0.0.1); any non-loopback address
                           needs --token
  --port N                 port (default 8765; 0 = any free port)
  --token T                require "Authorization: Bearer T" on every request except /health
                           (env RADARM_SERVE_TOKEN; a flag is visible in \`ps\`)
  --data-root DIR          folder the requests' data_files are relative to (default: current folder);
                           nothing outside it can be read
  --cors-origin ORIGIN     let pages from ORIGIN call the service (repeatable; * = any origin)
  --provider, --base-url, --model, --api-key, --python, --timeout, --exec-timeout,
  --sandbox, --sandbox-network, --engine, --dask-scheduler, --allow-db-writes
                           as for radarm chat (env RADARM_API_KEY, RADARM_BASE_URL, RADARM_MODEL, …);
                           a server-side key takes precedence over keys sent in request bodies
  --db [NAME=]URL          a database the requests may use (repeatable; password in the URL, or env
                           RADARM_DB_PASSWORD_<NAME>, else RADARM_DB_PASSWORD). A request uses all of
                           them, or those it names in "databases": ["NAME", …]; it can never give a URL
  --session-idle S         end a session (and its Python process) after S seconds without a turn
                           (default 1800)
  --grace S                a turn keeps running S seconds after its client disconnected, and a
                           finished turn stays resumable as long (default 60)
  --rate-limit N           requests per minute per client to /chat/* (default 60; 0 = no limit)
  --rate-burst N           requests a client may make at once (default 20)
  --max-body BYTES         largest request body (default 1048576)
  --max-message CHARS      longest message (default 32000)
  --max-sessions N         sessions kept at once (default 50)
  -h, --help               this help

Endpoints: POST /chat/stream, GET /chat/stream/<stream id> (Last-Event-ID: n), POST /chat/stop/<stream id>,
GET /health, GET /metrics (Prometheus).
Exit codes: 0 stopped by a signal, 1 could not listen, 2 bad arguments.

Example:
  RADARM_API_KEY=sk-… radarm serve --base-url https://api.deepseek.com/v1 --model deepseek-chat \\
    --data-root ~/data --python /usr/bin/python3`;

/** The service's configuration: the options shared with radarm chat (model, Python, sandbox, engine, the --db
 *  sources requests may use) and its own. */
export interface ServeConfig extends SharedConfig {
  command: 'serve';
  host: string;
  port: number;
  token?: string;
  dataRoot: string;
  corsOrigins: string[];
  sessionIdleMs: number;
  graceMs: number;
  rateLimit: { perMinute: number; burst: number };
  maxBodyBytes: number;
  maxMessageChars: number;
  maxSessions: number;
  buffer: { maxEvents: number; maxBytes: number };
}

export type ServeArgs = { help: true } | { config: ServeConfig } | { error: string };

function count(name: string, value: string | undefined, fallback: number, min = 1): number | string {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) return `--${name} needs a whole number >= ${min}, got "${value}"`;
  return n;
}

/** argv after the word `serve`. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...SHARED_OPTIONS,
        host: { type: 'string' },
        port: { type: 'string' },
        token: { type: 'string' },
        'data-root': { type: 'string' },
        'cors-origin': { type: 'string', multiple: true },
        'session-idle': { type: 'string' },
        grace: { type: 'string' },
        'rate-limit': { type: 'string' },
        'rate-burst': { type: 'string' },
        'max-body': { type: 'string' },
        'max-message': { type: 'string' },
        'max-sessions': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return { error: (err as Error).message.replace(/\. To specify a positional argument.*$/s, '.') };
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { help: true };
  if (positionals.length) return { error: `radarm serve takes no arguments besides options; got "${positionals.join(' ')}"` };

  const host = v.host ?? '127.0.0.1';
  const token = (v.token ?? env.RADARM_SERVE_TOKEN)?.trim() || undefined;
  if (!isLoopback(host) && !token)
    return {
      error:
        `refusing to listen on ${host} without a token: anyone who can reach it could run code on this machine. ` +
        'Pass --token T (or set RADARM_SERVE_TOKEN), or listen on 127.0.0.1.',
    };

  const port = count('port', v.port, 8765, 0);
  if (typeof port === 'string') return { error: port };
  if (port > 65535) return { error: `--port must be 0-65535, got "${v.port}"` };

  const dataRoot = resolve(v['data-root'] ?? '.');
  if (!existsSync(dataRoot) || !statSync(dataRoot).isDirectory()) return { error: `--data-root: not a folder: ${v['data-root']}` };

  const corsOrigins = v['cors-origin'] ?? [];
  for (const o of corsOrigins) {
    if (o === '*') continue;
    let ok = false;
    try {
      ok = new URL(o).origin === o;
    } catch {
      // not a URL
    }
    if (!ok) return { error: `--cors-origin must be an origin like http://localhost:3000 (scheme, host, port; no path), got "${o}"` };
  }

  const shared = parseShared(v, env);
  if ('error' in shared) return shared;

  const nums: Record<string, number | undefined | string> = {
    idle: seconds('session-idle', v['session-idle']),
    grace: seconds('grace', v.grace),
    perMinute: count('rate-limit', v['rate-limit'], 60, 0),
    burst: count('rate-burst', v['rate-burst'], 20),
    maxBody: count('max-body', v['max-body'], 1_048_576, 256),
    maxMessage: count('max-message', v['max-message'], 32_000),
    maxSessions: count('max-sessions', v['max-sessions'], 50),
  };
  for (const n of Object.values(nums)) if (typeof n === 'string') return { error: n.replace('--RADARM_', 'RADARM_') };
  const num = (k: string) => nums[k] as number | undefined;

  return {
    config: {
      command: 'serve',
      host,
      port,
      token,
      dataRoot,
      corsOrigins,
      ...shared,
      sessionIdleMs: num('idle') ?? 1_800_000,
      graceMs: num('grace') ?? 60_000,
      rateLimit: { perMinute: num('perMinute')!, burst: num('burst')! },
      maxBodyBytes: num('maxBody')!,
      maxMessageChars: num('maxMessage')!,
      maxSessions: num('maxSessions')!,
      buffer: { maxEvents: 10_000, maxBytes: 32 * 1024 * 1024 },
    },
  };
}
