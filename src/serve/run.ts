// `radarm serve`: parses the options, starts the service, prints {"url": …} once listening, and on
// SIGINT/SIGTERM stops in order (running turns end with an error event, kernels close) and exits 0.
import { resolvePython } from '../kernel';
import { redactSecret } from '../llm';
import { passwordOf } from '../kernel/database-sources';
import { parseServeArgs, SERVE_USAGE } from './args';
import { createServeApp } from './server';

const EXIT = { ok: 0, error: 1, usage: 2 } as const;

/** Values that must never reach a log line: the server key and token, however given. */
function secretsIn(argv: string[], env: NodeJS.ProcessEnv): string[] {
  const out = [env.RADARM_API_KEY, env.RADARM_SERVE_TOKEN];
  // Database passwords: RADARM_DB_PASSWORD(_<NAME>), and any in a --db URL.
  for (const [k, v] of Object.entries(env)) if (/^RADARM_DB_PASSWORD(_|$)/.test(k)) out.push(v);
  argv.forEach((a, i) => (a === '--db' || a.startsWith('--db=')) && out.push(passwordOf((a === '--db' ? argv[i + 1] : a.slice(5)) ?? '')));
  for (let i = 0; i < argv.length; i++) {
    for (const flag of ['--api-key', '--token']) {
      if (argv[i] === flag) out.push(argv[i + 1]);
      if (argv[i].startsWith(`${flag}=`)) out.push(argv[i].slice(flag.length + 1));
    }
  }
  return out.filter((s): s is string => !!s && s.trim().length > 0);
}

export async function serve(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const secrets = secretsIn(argv, env);
  const safe = (s: string) => secrets.reduce((t, k) => redactSecret(t, k), s);
  const parsed = parseServeArgs(argv, env);
  if ('help' in parsed) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return EXIT.ok;
  }
  if ('error' in parsed) {
    process.stderr.write(`radarm serve: ${safe(parsed.error)}\n(radarm serve --help lists the options)\n`);
    return EXIT.usage;
  }
  const config = parsed.config;
  const log = (line: string) => process.stderr.write(`radarm serve: ${safe(line)}\n`);
  const app = createServeApp(config, log);
  let url: string;
  try {
    url = await app.listen();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EADDRINUSE' ? `port ${config.port} is in use (try --port 0 for any free port)` : e.message;
    log(`cannot listen on ${config.host}:${config.port}: ${why}`);
    await app.shutdown('The server could not start.');
    return EXIT.error;
  }
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  log(
    `serving ${config.provider.kind} ${config.provider.model} at ${config.provider.baseUrl}; data root ${config.dataRoot}` +
      (config.token ? '; token required' : '') +
      (config.corsOrigins.length ? `; CORS for ${config.corsOrigins.join(', ')}` : ''),
  );

  // Check the Python now, so a wrong --python shows up at start and not only in the first agent turn.
  resolvePython({ pythonPath: config.pythonPath }).then(
    (py) => log(`Python ${py.version} at ${py.path} runs the agent modes' code`),
    (err: Error) => log(`warning: the agent modes cannot run code until this is fixed: ${err.message}`),
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log(`${signal} again: exiting now`);
        process.exit(EXIT.ok);
      }
      stopping = true;
      log(`${signal}: stopping (running turns end with an error event)`);
      app
        .shutdown(`The Radarm server is shutting down (${signal}); this turn was stopped. Send the question again when it is back.`)
        .catch((err) => log(`error while stopping: ${(err as Error).message}`))
        .finally(() => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          log('stopped');
          resolve(EXIT.ok);
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
