// Kernel wrappers the session uses. `deferredKernel`: a kernel whose options are only known
// asynchronously (VS Code asks the Python extension for its interpreter), created on its first use so
// that nothing is awaited before the first model call. `gatedKernel`: executions wait for the session's
// set-up steps (data sources, the re-run of a continued conversation's code), which run in the
// background while the model writes the first code. `wrapKernel`: the delegation they (and
// loggedKernel in session-log.ts) share.
import type { PythonKernel } from '../kernel/types';

type KernelCalls = Pick<PythonKernel, 'start' | 'loadData' | 'execute' | 'interrupt' | 'dispose'>;

/** A kernel made of `calls`, whose pythonPath and info are those of `inner()` (none before there is one). */
function kernelOf(inner: () => PythonKernel | undefined, calls: KernelCalls): PythonKernel {
  return {
    ...calls,
    get pythonPath() {
      return inner()?.pythonPath;
    },
    get info() {
      return inner()?.info;
    },
  };
}

/** `kernel` with some calls replaced; the other calls, pythonPath and info go to it unchanged. */
export function wrapKernel(kernel: PythonKernel, replaced: Partial<KernelCalls>): PythonKernel {
  return kernelOf(() => kernel, {
    start: () => kernel.start(),
    loadData: (files, opts) => kernel.loadData(files, opts),
    execute: (code, opts) => kernel.execute(code, opts),
    interrupt: () => kernel.interrupt(),
    dispose: () => kernel.dispose(),
    ...replaced,
  });
}

export function deferredKernel(make: () => Promise<PythonKernel>): PythonKernel {
  let made: Promise<PythonKernel> | undefined;
  let kernel: PythonKernel | undefined;
  const get = () => (made ??= make().then((k) => (kernel = k)));
  return kernelOf(() => kernel, {
    start: async () => (await get()).start(),
    loadData: async (files, opts) => (await get()).loadData(files, opts),
    execute: async (code, opts) => (await get()).execute(code, opts),
    interrupt: () => kernel?.interrupt(),
    dispose: async () => {
      const k = made && (await made.catch(() => undefined));
      await k?.dispose();
    },
  });
}

export function gatedKernel(kernel: PythonKernel, gate: () => Promise<void>): PythonKernel {
  return wrapKernel(kernel, {
    execute: async (code, opts) => {
      await gate();
      return kernel.execute(code, opts);
    },
  });
}
