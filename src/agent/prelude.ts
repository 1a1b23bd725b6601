// The lines that make generated code run outside Radarm: the imports the kernel pre-binds (pd, np, plt,
// px, go), the loading of each data file exactly as the kernel read it (reader, encoding, delimiter,
// sheets), into the names the code uses (`df`, `dfs[...]`), and the database sources' `sql()`, `db`, `dbs`
// (database-prelude.ts). Pure: used by Insert, Copy, Export as Notebook, reports and the CLI's --save-notebook.
import { clientStatement, datasetImports, datasetStatement, isDatasetRead, type DatasetSource } from './dataset-prelude';
import { databaseImports, databaseStatements, isDatabaseRead, usesDatabase, type DatabaseSourceRead } from './database-prelude';
import * as path from 'node:path';
import type { DataFileRead, RadarmEvent } from '../protocol/events';
import type { DataProfile } from '../kernel/types';

/** The complete event's `data_files` from a loaded profile (nothing when no file was read). */
export function dataFilesOf(profile: DataProfile | undefined): { data_files?: DataFileRead[] } {
  const files = (profile?.files ?? []).flatMap((f) =>
    f.read && !f.error ? [{ path: f.path, key: f.key ?? f.name, read: f.read }] : [],
  );
  return files.length ? { data_files: files } : {};
}

export interface PreludeOptions {
  /** Folder the code will run from: paths inside it are written relative to it, others absolute. */
  baseDir?: string;
  /** Text already there (the target document, earlier notebook cells): statements it has are left out. */
  existing?: string;
  /** Only the imports, not the data loading (the data were loaded by an earlier cell). */
  importsOnly?: boolean;
}

/** The prelude for `code` as one block of text ending in a blank line, or '' when nothing is missing. */
export function preludeFor(code: string, files: readonly DataFileRead[], opts: PreludeOptions = {}): string {
  const have = new Set(`${opts.existing ?? ''}\n${code}`.split('\n').map((l) => l.trim()).filter(Boolean));
  const missing = (stmt: string) => !stmt.split('\n').every((l) => !l.trim() || have.has(l.trim()));
  const read = opts.importsOnly || !usesData(code) ? [] : files;
  const imports = importsFor(code, read).filter(missing);
  const loads = loadStatements(code, read, opts.baseDir).filter(missing);
  if (!imports.length && !loads.length) return '';
  const parts = [...imports];
  if (loads.length) {
    if (parts.length) parts.push('');
    parts.push(...withHeading(loads));
  }
  return `${parts.join('\n').replace(/\n{3,}/g, '\n\n')}\n\n`;
}

/** The load statements under a heading comment (the database lines bring their own). */
export const withHeading = (loads: readonly string[]): string[] =>
  loads.length && !loads[0].trimStart().startsWith('#') ? ['# The data, read as Radarm read it', ...loads] : [...loads];

/** `code` with its prelude in front. */
export function withPrelude(code: string, files: readonly DataFileRead[], opts: PreludeOptions = {}): string {
  return preludeFor(code, files, opts) + code;
}

/** Whether the code uses the data names at all (a snippet such as `x = 3` needs no loading). */
export const usesData = (code: string) => usesFrames(code) || usesDatabase(code);
/** Whether the code uses the data files' frames (`df`, `dfs`). */
const usesFrames = (code: string) => /\bdfs?\b/.test(code);

/** The data files among a turn's sources (not the databases). */
const tableFiles = (files: readonly DataFileRead[]) => files.filter((f) => !isDatabaseRead(f.read));
/** The database sources among a turn's data_files. */
const databaseSources = (files: readonly DataFileRead[]): DatabaseSourceRead[] =>
  files.flatMap((f) => (isDatabaseRead(f.read) ? [{ key: f.key, path: f.path, read: f.read }] : []));

/** Import lines for the names the code (and the data loading) use. */
export function importsFor(code: string, sources: readonly DataFileRead[]): string[] {
  const uses = (name: string) => new RegExp(`\\b${name}\\s*\\.`).test(code);
  const files = usesFrames(code) ? tableFiles(sources) : [];
  const out: string[] = [];
  if (files.some((f) => f.read.func === 'json_normalize' || f.read.func === 'DataFrame') || /\bjson\s*\./.test(code)) out.push('import json');
  if (files.length || uses('pd')) out.push('import pandas as pd');
  if (uses('np')) out.push('import numpy as np');
  if (uses('plt')) out.push('import matplotlib.pyplot as plt');
  if (uses('px')) out.push('import plotly.express as px');
  if (uses('go')) out.push('import plotly.graph_objects as go');
  // Datasets (folders, globs): glob + pandas, or Dask's dataframe and client.
  for (const line of datasetImports(datasetSources(files))) if (!out.includes(line)) out.push(line);
  // Databases: SQLAlchemy (or sqlite3), for the sql()/db/dbs lines.
  const dbs = usesDatabase(code) ? databaseSources(sources) : [];
  for (const line of databaseImports(dbs)) if (!out.includes(line)) out.push(line);
  // The statistics names the kernel pre-binds (radarm_stats.py), unless the code binds the name itself.
  for (const [name, line] of STATS_IMPORTS) {
    const used = new RegExp(`(?<![.\\w])${name}\\s*\\.`).test(code);
    const bound = new RegExp(`^\\s*(?:${name}\\s*=|import\\s.*\\b${name}\\s*$|from\\s.*\\bimport\\s.*\\b${name}\\b)`, 'm').test(code);
    if (used && !bound) out.push(line);
  }
  // tidy()/glance() are Radarm's table helpers: outside it the object itself is shown.
  for (const name of ['tidy', 'glance'])
    if (new RegExp(`(?<![.\\w])${name}\\(`).test(code) && !new RegExp(`^\\s*(?:def\\s+${name}\\b|${name}\\s*=)`, 'm').test(code))
      out.push(`${name} = lambda x: x  # in Radarm, ${name}() shows the result as a table`);
  return out;
}

const STATS_IMPORTS: readonly [string, string][] = [
  ['stats', 'import scipy.stats as stats'],
  ['sm', 'import statsmodels.api as sm'],
  ['smf', 'import statsmodels.formula.api as smf'],
  ...['linear_model', 'ensemble', 'model_selection', 'metrics', 'preprocessing'].map((m): [string, string] => [m, `from sklearn import ${m}`]),
];

/**
 * One statement per file (a statement may span lines). One file and no `dfs` in the code: `df = …`.
 * Otherwise `dfs` is filled as the kernel fills it (Excel: every sheet too) and `df` is the first table.
 */
export function loadStatements(code: string, sources: readonly DataFileRead[], baseDir?: string): string[] {
  const dbs = usesDatabase(code) ? databaseStatements(code, databaseSources(sources), (f) => pathFor(f, baseDir)) : [];
  const files = usesFrames(code) ? tableFiles(sources) : [];
  return [...frameStatements(code, files, baseDir), ...dbs];
}

function frameStatements(code: string, files: readonly DataFileRead[], baseDir?: string): string[] {
  if (!files.length) return [];
  const usesDfs = /\bdfs\b/.test(code);
  // The same Dask client as the kernel's (its scheduler, or a local cluster), before any dataset is read.
  const client = clientStatement(datasetSources(files));
  const first = client ? [client] : [];
  if (files.length === 1 && !usesDfs) return [...first, readInto('df', files[0], baseDir, false)];
  const out = [...first, 'dfs = {}'];
  for (const f of files) out.push(readInto(`dfs[${py(f.key)}]`, f, baseDir, true));
  out.push(`df = dfs[${py(files[0].key)}]`);
  return out;
}

/** The files that are datasets of many parts (their read names a pattern). */
const datasetSources = (files: readonly DataFileRead[]): DatasetSource[] =>
  files.flatMap((f) => (isDatasetRead(f.read) ? [{ key: f.key, read: f.read }] : []));

function readInto(target: string, f: DataFileRead, baseDir: string | undefined, allSheets: boolean): string {
  if (isDatasetRead(f.read)) return datasetStatement(target, f.read, baseDir);
  const file = py(pathFor(f.path, baseDir));
  const { func } = f.read;
  const kwargs = { ...f.read.kwargs };
  if (func === 'json_normalize' || func === 'DataFrame') {
    const enc = typeof kwargs.encoding === 'string' ? kwargs.encoding : 'utf-8';
    const key = typeof kwargs.records_key === 'string' ? `[${py(kwargs.records_key)}]` : '';
    return `with open(${file}, encoding=${py(enc)}) as f:\n    ${target} = pd.${func}(json.load(f)${key})`;
  }
  if (func === 'read_excel' && kwargs.sheet_name === null) {
    // The kernel reads every sheet; `df` / dfs[key] is the first one.
    if (!allSheets) return `${target} = pd.read_excel(${file})`;
    return [
      `sheets = pd.read_excel(${file}, sheet_name=None)`,
      `${target} = next(iter(sheets.values()))`,
      `dfs.update({${py(`${f.key}:`)} + str(name): sheet for name, sheet in sheets.items()})`,
    ].join('\n');
  }
  // pandas' defaults need not be spelled out.
  if (func === 'read_csv') {
    if (kwargs.encoding === 'utf-8') delete kwargs.encoding;
    if (kwargs.sep === ',') delete kwargs.sep;
  }
  const args = [file, ...Object.entries(kwargs).map(([k, v]) => `${k}=${py(v)}`)];
  return `${target} = pd.${func}(${args.join(', ')})`;
}

/** Relative to baseDir (with / separators) when the file is inside it or near it, else absolute. */
export function pathFor(file: string, baseDir: string | undefined): string {
  if (!baseDir) return file;
  const rel = path.relative(baseDir, file);
  if (!rel || path.isAbsolute(rel) || rel.split(/[\\/]/).filter((p) => p === '..').length > 2) return file;
  return rel.split(path.sep).join('/');
}

/** A Python literal for a JSON-like value. */
export function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'None';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${py(x)}`).join(', ')}}`;
  return JSON.stringify(String(v));
}

type TurnWithEvents = { events: readonly RadarmEvent[] };
const completeData = (t: TurnWithEvents) => {
  for (let i = t.events.length - 1; i >= 0; i--) {
    const e = t.events[i];
    if (e.type === 'complete') return e.data;
  }
  return undefined;
};

/** The data files the turn that produced `code` ran on, else those of the latest turn that recorded some. */
export function dataFilesForCode(turns: readonly TurnWithEvents[], code: string): DataFileRead[] {
  const completes = turns.map(completeData);
  const own = completes.find((d) => d?.generated_code?.trim() === code.trim() && d.data_files?.length);
  if (own?.data_files) return own.data_files;
  for (let i = completes.length - 1; i >= 0; i--) {
    const files = completes[i]?.data_files;
    if (files?.length) return files;
  }
  return [];
}

/** Whether `text` is the code of one of the turns (Copy of a code block, not of an answer). */
export function isGeneratedCode(turns: readonly TurnWithEvents[], text: string): boolean {
  return !!text.trim() && turns.some((t) => completeData(t)?.generated_code?.trim() === text.trim());
}
