// Data sources named by the user: a file, a folder of part files, or a glob (`exports/*.csv`). Checked here
// only as far as the file system says without listing parts; the kernel resolves the parts and their schema.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';

const GLOB = /[*?[]/;

export const isGlob = (p: string): boolean => GLOB.test(p);

/** The folder a glob starts from: its path up to the first segment with a glob character. */
export function globBase(pattern: string): string {
  const parts = resolve(pattern).split(sep);
  const i = parts.findIndex((s) => GLOB.test(s));
  return i < 0 ? dirname(resolve(pattern)) : parts.slice(0, i).join(sep) || sep;
}

/** The absolute source, or an error that names it. */
export function checkDataSource(source: string): { path: string } | { error: string } {
  const abs = resolve(source);
  if (isGlob(source)) {
    const base = globBase(source);
    if (!existsSync(base) || !statSync(base).isDirectory()) return { error: `no such folder for the pattern ${source}: ${base}` };
    return { path: abs };
  }
  if (!existsSync(abs)) return { error: `no such file: ${source}` };
  const st = statSync(abs);
  if (!st.isFile() && !st.isDirectory()) return { error: `not a file or folder: ${source}` };
  return { path: abs };
}

/** A Dask scheduler address as the distributed client takes it: tcp://host:8786, tls://…, ws://…, or host:port. */
export function checkSchedulerAddress(address: string): string | undefined {
  const a = address.trim();
  if (!a) return 'the Dask scheduler address is empty';
  if (/\s/.test(a)) return `the Dask scheduler address has spaces: "${a}"`;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+/i.test(a) || /^[^:/\s]+:\d+$/.test(a)) return undefined;
  return `"${a}" is not a Dask scheduler address: use e.g. tcp://host:8786`;
}
