// The kernel's `load` request and what a load that killed the process gives back. Database settings
// travel with the request (stdin, never argv: URLs may hold passwords).
import * as path from 'node:path';
import { isDatabaseFile } from './database-sources';
import type { DataProfile, LoadOptions } from './types';

/** How the kernel's database sources behave (from KernelOptions). */
export interface DatabaseOptions {
  allowWrites: boolean;
  timeoutMs: number;
  rowLimit: number | undefined;
}

export function loadRequest(files: string[], opts: LoadOptions | undefined, databaseOptions: DatabaseOptions): Record<string, unknown> {
  if (!opts?.databases?.length && !files.some(isDatabaseFile)) return { op: 'load', files };
  return {
    op: 'load',
    files,
    databases: opts?.databases ?? [],
    question: opts?.question ?? '',
    databaseOptions,
  };
}

/** The profile of a load that stopped the Python process: every file failed, with why. */
export function loadStoppedProfile(files: string[], why: string): DataProfile {
  return {
    text: `The data could not be loaded: ${why}`,
    variables: [],
    files: files.map((p) => ({ path: p, name: path.basename(p), error: `loading stopped the Python process: ${why}` })),
  };
}
