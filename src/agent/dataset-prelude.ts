// Taken-away code for datasets: the lines that recreate, outside Radarm, what the kernel built for a folder or
// glob — the same Dask client (the scheduler's address, or a local cluster) and the same lazy Dask DataFrame, or
// the parts concatenated with pandas. Pure; Insert, Copy and notebook export put these lines before the code.
import * as path from 'node:path';

/** How the kernel read a dataset (profile.files[].read): reader, its arguments, the parts' pattern, the scheduler. */
export interface DatasetRead {
  func: string;
  kwargs: Record<string, unknown>;
  pattern?: string;
  /** Dask only: the scheduler's address, or 'local' for a local cluster. */
  scheduler?: string;
}

export interface DatasetSource {
  key: string;
  read: DatasetRead;
}

export const isDatasetRead = (r: { func: string } | undefined): r is DatasetRead =>
  !!r && (r.func.startsWith('dask.dataframe.') || r.func.startsWith('concat.'));

const usesDask = (sources: readonly DatasetSource[]) => sources.some((s) => s.read.func.startsWith('dask.'));

/** Imports the dataset lines need. */
export function datasetImports(sources: readonly DatasetSource[]): string[] {
  const out: string[] = [];
  if (sources.some((s) => s.read.func.startsWith('concat.'))) out.push('import glob', 'import pandas as pd');
  if (usesDask(sources)) out.push('import dask.dataframe as dd', 'from dask.distributed import Client');
  return out;
}

/** `client = Client(…)` for the first Dask source: the same scheduler, or a local cluster like the kernel's. */
export function clientStatement(sources: readonly DatasetSource[]): string | undefined {
  const first = sources.find((s) => s.read.func.startsWith('dask.'));
  if (!first) return undefined;
  const scheduler = first.read.scheduler;
  return scheduler && scheduler !== 'local'
    ? `client = Client(${JSON.stringify(scheduler)})`
    : 'client = Client(processes=False)  # a local Dask cluster, as Radarm ran it';
}

/** One statement that reads the dataset into `target`. */
export function datasetStatement(target: string, read: DatasetRead, baseDir?: string): string {
  const pattern = JSON.stringify(relative(read.pattern ?? '', baseDir));
  const args = Object.entries(read.kwargs)
    .filter(([k, v]) => !(k === 'encoding' && v === 'utf-8') && !(k === 'sep' && v === ','))
    .map(([k, v]) => `${k}=${literal(v)}`);
  const reader = read.func.split('.').pop()!;
  if (read.func.startsWith('dask.')) return `${target} = dd.${reader}(${[pattern, ...args].join(', ')})`;
  const recursive = (read.pattern ?? '').includes('**') ? ', recursive=True' : '';
  return `${target} = pd.concat([pd.${reader}(${['p', ...args].join(', ')}) for p in sorted(glob.glob(${pattern}${recursive}))], ignore_index=True)`;
}

/** The whole prelude for dataset sources: imports, the client, then `df` (one source) or `dfs[...]`. */
export function datasetPrelude(sources: readonly DatasetSource[], baseDir?: string): string {
  if (!sources.length) return '';
  const lines = [...datasetImports(sources), ''];
  const client = clientStatement(sources);
  if (client) lines.push(client);
  if (sources.length === 1) lines.push(datasetStatement('df', sources[0].read, baseDir));
  else {
    lines.push('dfs = {}');
    for (const s of sources) lines.push(datasetStatement(`dfs[${JSON.stringify(s.key)}]`, s.read, baseDir));
    lines.push(`df = dfs[${JSON.stringify(sources[0].key)}]`);
  }
  return `${lines.join('\n')}\n\n`;
}

function relative(file: string, baseDir: string | undefined): string {
  if (!baseDir || !file) return file;
  const rel = path.relative(baseDir, file);
  return !rel || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

function literal(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  return JSON.stringify(v);
}
