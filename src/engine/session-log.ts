// What the session writes to the host's log (VS Code's "Radarm" output channel, the CLI's --verbose):
// which Python started and why it was chosen, data loads with their timings, failures. Never keys:
// kernels never see them, and the lines here hold paths, versions and counts only.
import { errorMessage } from '../protocol/events';
import type { PythonKernel } from '../kernel/types';
import { wrapKernel } from './session-kernel';
import { shapeCaption } from '../util/shape-caption';

const SOURCE_WORDS = { setting: 'the interpreter setting', 'python-extension': 'the Python extension', path: 'PATH' } as const;

export function loggedKernel(kernel: PythonKernel, log: (line: string) => void): PythonKernel {
  let startLogged: Promise<void> | undefined;
  return wrapKernel(kernel, {
    start() {
      const t0 = Date.now();
      const started = kernel.start();
      startLogged ??= started.then(
        () => {
          const i = kernel.info;
          if (i)
            log(
              `Python ${i.pythonVersion} started in ${Date.now() - t0} ms: ${i.pythonPath} (chosen by ${SOURCE_WORDS[i.source] ?? i.source}), pandas ${i.pandasVersion}, pid ${i.pid}`,
            );
        },
        (err: unknown) => {
          startLogged = undefined;
          log(`Python could not start: ${errorMessage(err)}`);
        },
      );
      return started;
    },
    async loadData(files, opts) {
      const t0 = Date.now();
      try {
        const profile = await kernel.loadData(files, opts);
        for (const f of profile.files)
          log(
            f.error
              ? `Data ${f.name}: could not be loaded: ${f.error}`
              : `Data ${f.name}: ${f.rows !== undefined && f.columns !== undefined ? shapeCaption(f.rows, f.columns, 'en') : `${f.rows ?? '?'} rows × ${f.columns ?? '?'} columns`}${f.cached ? ' (unchanged, kept)' : ''}${f.loadMs !== undefined ? ` in ${f.loadMs} ms` : ''}${f.encoding ? `, ${f.encoding}` : ''}`,
          );
        log(`Data ready in ${Date.now() - t0} ms`);
        return profile;
      } catch (err) {
        log(`Data could not be loaded: ${errorMessage(err)}`);
        throw err;
      }
    },
    async execute(code, opts) {
      const r = await kernel.execute(code, opts);
      log(
        `Code ran in ${r.durationMs} ms: ${r.ok ? 'ok' : r.timedOut ? 'timed out' : r.crashed ? 'Python crashed (restarted)' : r.cancelled ? 'stopped' : `${r.error?.name ?? 'error'}`}`,
      );
      return r;
    },
  });
}
