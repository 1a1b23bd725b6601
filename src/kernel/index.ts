// The Python execution engine: a persistent kernel per chat session over the workspace's data files.
export { createKernel, DEFAULT_EXEC_TIMEOUT_MS, DEFAULT_MAX_OUTPUT_CHARS } from './kernel';
export { defaultMemoryLimitMb } from './kernel-start';
export {
  resolvePython,
  probePython,
  pathCandidates,
  KernelStartError,
  PANDAS_FIX,
  type ResolvePythonOptions,
  type ResolvedPython,
  type PythonProbe,
  type PythonSource,
  type KernelStartErrorCode,
} from './resolve-python';
export { kernelEnv, looksSecret, SECRET_NAME, SECRET_VALUE } from './env';
export { SANDBOX_MODES, type SandboxMode, type SandboxSettings, type SandboxInfo } from './sandbox';
export { executionText } from './result';
export {
  DATABASE_FILE_EXTENSIONS,
  isDatabaseFile,
  engineOf,
  withoutPassword,
  parseDatabaseArg,
  needsNetwork,
  databaseSecrets,
} from './database-sources';
export type * from './types';
export { DATA_ENGINES } from './types';
