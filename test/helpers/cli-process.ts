// The bundled CLI (dist/cli.js) run as a user runs it: a child process with a clean environment (no proxies, no
// RADARM_* from the developer's shell), stdin given or closed, its output and how it ended.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce } from './build-once';
import { useFakeLlmServer } from './llm-fixture';
import { cleanEnv } from './serve-process';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(opts.env), cwd: opts.cwd ?? ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * The CLI tests' set-up, for the calling describe(): dist/ built, a fake LLM server, the `chat` arguments aimed at
 * it (filled in before the tests) and a temp folder `prefix*` (removed after them).
 */
export function useCliFixture(prefix: string) {
  const server = useFakeLlmServer();
  const base: string[] = [];
  let dir: string | undefined;
  before(function () {
    this.timeout(180_000);
    buildOnce();
    base.push('chat', '--base-url', server.baseUrl, '--model', 'm');
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));
  return {
    server,
    base,
    get dir(): string {
      if (!dir) throw new Error('the CLI test folder is used before its before() hook ran');
      return dir;
    },
  };
}
