// `radarm` command line: `radarm chat [options] "message"` runs one turn in any mode against any
// OpenAI-compatible, Azure or Anthropic endpoint and prints the protocol events (ndjson, sse) or text.
// Exit codes: 0 after complete, 1 after error, 2 for bad arguments, 130 when cancelled with Ctrl-C.
import { version } from '../../package.json';
import { successfulCode } from '../engine/conversation-history';
import { createSession } from '../engine/session';
import { createKernel, databaseSecrets, needsNetwork } from '../kernel';
import { closeLlmNetwork, createLlmService, redactEvent, redactSecret } from '../llm';
import { toLocale } from '../protocol/vocabulary';
import { encodeNdjson, encodeSse } from '../protocol/sse';
import type { RadarmEvent } from '../protocol/events';
import { parseCliArgs, USAGE, type CliConfig } from './args';
import { createTextRenderer } from './render-text';
import { saveNotebook } from './save-notebook';
import { readSessionFile, writeSessionFile, type SessionFile } from './session-file';
import { serve } from '../serve/run';
import { saveCliReport } from './save-report';

export const EXIT = { ok: 0, error: 1, usage: 2, cancelled: 130 } as const;

/** The API key as given on the command line or in the environment, to keep it out of every message. */
function keyFrom(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--api-key') return argv[i + 1];
    if (argv[i].startsWith('--api-key=')) return argv[i].slice('--api-key='.length);
  }
  return process.env.RADARM_API_KEY;
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> | void {
  if (stream.write(text)) return;
  return new Promise((resolve) => stream.once('drain', resolve));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

async function chat(config: CliConfig): Promise<number> {
  const key = config.apiKey;
  for (const w of config.warnings) process.stderr.write(`radarm: warning: ${w}\n`);
  // Database passwords given on the command line are masked in the events' text values too (the key is
  // already masked by runMode); never in the serialized line, which would corrupt the JSON.
  const dbSecrets = databaseSecrets(config.databases);
  const safe = (ev: RadarmEvent) => dbSecrets.reduce((e, secret) => redactEvent(e, secret), ev);
  const message = config.message === '-' ? await readStdin() : config.message;
  if (!message) {
    process.stderr.write('radarm: the message from stdin is empty\n');
    return EXIT.usage;
  }

  const ac = new AbortController();
  let cancelled = false;
  const onSigint = () => {
    if (cancelled) process.exit(EXIT.cancelled); // a second Ctrl-C: stop right now
    cancelled = true;
    process.stderr.write('\nradarm: cancelling… (Ctrl-C again to quit at once)\n');
    ac.abort();
  };
  process.on('SIGINT', onSigint);

  let saved: SessionFile | undefined;
  if (config.sessionFile) {
    try {
      saved = readSessionFile(config.sessionFile);
    } catch (err) {
      process.stderr.write(`radarm: ${(err as Error).message}\n`);
      return EXIT.usage;
    }
  }
  const lang = process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG;
  // The same engine as VS Code's panel and @radarm: history, kernel lifecycle, preflight, cancellation.
  const session = createSession({
    llm: createLlmService({ userAgent: `radarm-cli/${version}`, maxResponseBytes: config.maxResponseBytes }),
    provider: config.provider,
    apiKey: key,
    dataFiles: config.dataFiles.length ? config.dataFiles : (saved?.dataFiles ?? []),
    databases: config.databases,
    history: saved?.history ?? [],
    replayCode: saved ? successfulCode(saved.history) : [],
    createKernel: () =>
      createKernel({
        pythonPath: config.pythonPath,
        cwd: process.cwd(),
        execTimeoutMs: config.execTimeoutMs,
        sandbox: config.sandbox,
        readablePaths: config.dataFiles,
        engine: config.engine,
        ...(config.daskScheduler ? { daskScheduler: config.daskScheduler } : {}),
        allowDbWrites: config.allowDbWrites,
        // A database server or a Dask scheduler: a sandbox that cuts the network must open it.
        needsNetwork: needsNetwork(config.databases) || !!config.daskScheduler,
        settingName: '--python',
      }),
    stallTimeoutMs: config.stallTimeoutMs,
    timeoutMs: config.timeoutMs,
    execTimeoutMs: config.execTimeoutMs,
    stream: true,
    locale: lang && /^zh/i.test(lang) ? toLocale(lang) : undefined,
    keepTurns: 1000,
  });

  const text =
    config.format === 'text'
      ? createTextRenderer({
          out: (s) => process.stdout.write(s),
          err: (s) => process.stderr.write(s),
          color: useColor(process.stdout),
          errColor: useColor(process.stderr),
        })
      : undefined;
  // Events come out of runMode with the key already removed from their text values (never from the
  // serialized line, which would corrupt the JSON).
  const emit = async (event: RadarmEvent) => {
    const ev = safe(event);
    if (text) return text(ev);
    await write(process.stdout, config.format === 'sse' ? encodeSse(ev) : encodeNdjson(ev));
  };

  let code: number = EXIT.error;
  const events: RadarmEvent[] = [];
  try {
    for await (const ev of session.run(config.mode, message, ac.signal)) {
      if (ev.type === 'complete') code = EXIT.ok;
      if (ev.type === 'error') code = EXIT.error;
      // The notebook and the report hold the same masked events as the output.
      if (config.saveNotebook || config.saveReport) events.push(safe(ev));
      await emit(ev);
    }
    if (config.saveReport && !(await saveCliReport(config, message, events))) code = EXIT.error;
    if (config.saveNotebook) process.stderr.write(`${saveNotebook(config.saveNotebook, message, events, config.dataFiles)}\n`);
  } finally {
    if (cancelled && code !== EXIT.ok) code = EXIT.cancelled;
    // Set before cleaning up: the kernel's runner does not keep the event loop alive, so node may
    // exit while dispose() waits for it, and must exit with the right code then too.
    process.exitCode = code;
    process.off('SIGINT', onSigint);
    if (config.sessionFile) saveSession(config.sessionFile, [...session.history], [...session.dataFiles]);
    await session.dispose().catch(() => {});
    await closeLlmNetwork();
  }
  return code;
}

function saveSession(file: string, history: SessionFile['history'], dataFiles: string[]): void {
  try {
    writeSessionFile(file, { history: [...history], dataFiles });
  } catch (err) {
    process.stderr.write(`radarm: could not save the session to ${file}: ${(err as Error).message}\n`);
    process.exitCode = EXIT.error;
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'serve') return serve(argv.slice(1));
  if (argv[0] === 'preview') return import('./preview').then((m) => m.previewCommand(argv.slice(1)));
  const parsed = parseCliArgs(argv);
  if ('help' in parsed) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if ('version' in parsed) {
    process.stdout.write(`radarm ${version}\n`);
    return EXIT.ok;
  }
  if ('error' in parsed) {
    process.stderr.write(`radarm: ${redactSecret(parsed.error, keyFrom(argv))}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  return chat(parsed.config);
}

// Reading to the end of a closed pipe (`radarm … | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (err: unknown) => {
    process.stderr.write(`radarm: internal error: ${redactSecret(String((err as Error)?.stack ?? err), keyFrom(process.argv))}\n`);
    process.exit(EXIT.error);
  },
);
