// Kernel wrappers the session uses. `deferredKernel`: a kernel whose options are only known
// asynchronously (VS Code asks the Python extension for its interpreter), created on its first use so
// that nothing is awaited before the first model call. `gatedKernel`: executions wait for the session's
// set-up steps (data sources, the re-run of a continued conversation's code), which run in the
// background while the model writes the first code.
import type { PythonKernel } from '../kernel/types';

export function deferredKernel(make: () => Promise<PythonKernel>): PythonKernel {
  let made: Promise<PythonKernel> | undefined;
  let kernel: PythonKernel | undefined;
  const get = () => (made ??= make().then((k) => (kernel = k)));
  return {
    start: async () => (await get()).start(),
    loadData: async (files, opts) => (await get()).loadData(files, opts),
    execute: async (code, opts) => (await get()).execute(code, opts),
    interrupt: () => kernel?.interrupt(),
    dispose: async () => {
      const k = made && (await made.catch(() => undefined));
      await k?.dispose();
    },
    get pythonPath() {
      return kernel?.pythonPath;
    },
    get info() {
      return kernel?.info;
    },
  };
}

export function gatedKernel(kernel: PythonKernel, gate: () => Promise<void>): PythonKernel {
  return {
    start: () => kernel.start(),
    loadData: (files, opts) => kernel.loadData(files, opts),
    execute: async (code, opts) => {
      await gate();
      return kernel.execute(code, opts);
    },
    interrupt: () => kernel.interrupt(),
    dispose: () => kernel.dispose(),
    get pythonPath() {
      return kernel.pythonPath;
    },
    get info() {
      return kernel.info;
    },
  };
}
