// What "Radarm: Preview Data" shows, from whatever it was invoked with: an explorer file or folder (a folder is a
// dataset of parts), a chip's path (a file, a "folder/*.csv" glob, or a "db:<name>" connection), an SQLite file
// (then a table is picked), or nothing (the active data file, else a pick of the workspace's data files and
// database connections). Programmatic callers (tests, other extensions) may pass { path, table } or
// { database, table } to skip the pickers.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isDatabaseFile } from '../kernel/database-sources';
import { sqliteTables } from '../kernel/preview-quick';
import type { PythonKernel } from '../kernel/types';
import type { PreviewSource } from '../preview/stream';
import { DATA_EXCLUDE, DATA_GLOB, isDataFile } from './data-files';
import { DB_ENTRY_PREFIX, type DatabaseRegistry } from './databases';
import { databaseTables } from './preview-database';

export type ChosenSource = PreviewSource & { database?: string };

export interface ChooseContext {
  databases?: DatabaseRegistry;
  /** The quick reader's interpreter (lists an SQLite file's tables). */
  python: () => Promise<string>;
  kernel: () => PythonKernel;
}

const t = vscode.l10n.t;
const GLOB = /[*?[]/;
const nameOf = (p: string) => path.basename(p.replace(/[\\/]+$/, '')) || p;

function resolvePath(p: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return path.isAbsolute(p) || !folder ? p : path.join(folder.uri.fsPath, p);
}

// A local stat (the extension runs beside the files: extensionKind workspace), not a round-trip through VS Code.
function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const needsTablePick = (full: string, table?: string) => table === undefined && isDatabaseFile(full) && /\.(sqlite3?|db)$/i.test(full);

/** A file or dataset (or an SQLite table named by the caller): what to show, decided at once, with no UI. */
function direct(p: string, table?: string): ChosenSource | undefined {
  const full = resolvePath(p);
  if (GLOB.test(path.basename(full)) || isFolder(full)) {
    const label = GLOB.test(path.basename(full)) ? `${nameOf(path.dirname(full))}/${path.basename(full)}` : `${nameOf(full)}/`;
    return { path: full, name: label };
  }
  if (needsTablePick(full, table)) return undefined;
  return table !== undefined ? { path: full, name: `${nameOf(full)} · ${table}`, table } : { path: full, name: nameOf(full) };
}

/**
 * The source when the command's argument names it completely (an explorer file or folder, a chip's path, an
 * object with its table): the tab can open at once. undefined when a pick is needed (a table, a file).
 */
export function directSource(arg: unknown): ChosenSource | undefined {
  if (arg instanceof vscode.Uri) return direct(arg.fsPath);
  if (typeof arg === 'string' && arg && !arg.startsWith(DB_ENTRY_PREFIX)) return direct(arg);
  if (typeof arg === 'object' && arg !== null) {
    const a = arg as { path?: unknown; database?: unknown; table?: unknown };
    if (typeof a.path === 'string' && a.database === undefined) return direct(a.path, typeof a.table === 'string' ? a.table : undefined);
  }
  return undefined;
}

async function pickTable(tables: string[], source: string): Promise<string | undefined> {
  if (tables.length === 1) return tables[0];
  if (!tables.length) {
    void vscode.window.showWarningMessage(t('{0} has no tables to preview.', source));
    return undefined;
  }
  return vscode.window.showQuickPick(tables, { placeHolder: t('Choose a table of {0} to preview', source) });
}

async function fromPath(p: string, ctx: ChooseContext, table?: string): Promise<ChosenSource | undefined> {
  const known = direct(p, table);
  if (known) return known;
  const full = resolvePath(p); // an SQLite file: pick its table
  const chosen = await pickTable(await sqliteTables({ pythonPath: await ctx.python() }, full).catch(() => []), nameOf(full));
  return chosen === undefined ? undefined : { path: full, name: `${nameOf(full)} · ${chosen}`, table: chosen };
}

async function fromDatabase(name: string, ctx: ChooseContext, table?: string): Promise<ChosenSource | undefined> {
  if (!ctx.databases) return undefined;
  const chosen = table ?? (await pickTable(await databaseTables(ctx.kernel(), ctx.databases, name), name));
  return chosen === undefined ? undefined : { path: `${DB_ENTRY_PREFIX}${name}`, name: `${name} · ${chosen}`, database: name, table: chosen };
}

export async function chooseSource(arg: unknown, ctx: ChooseContext): Promise<ChosenSource | undefined> {
  if (arg instanceof vscode.Uri) return fromPath(arg.fsPath, ctx);
  if (typeof arg === 'string' && arg) {
    return arg.startsWith(DB_ENTRY_PREFIX) ? fromDatabase(arg.slice(DB_ENTRY_PREFIX.length), ctx) : fromPath(arg, ctx);
  }
  if (typeof arg === 'object' && arg !== null) {
    const a = arg as { path?: unknown; database?: unknown; table?: unknown };
    const table = typeof a.table === 'string' ? a.table : undefined;
    if (typeof a.database === 'string') return fromDatabase(a.database, ctx, table);
    if (typeof a.path === 'string') return fromPath(a.path, ctx, table);
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isDataFile(active)) return fromPath(active.fsPath, ctx);
  const files = await vscode.workspace.findFiles(DATA_GLOB, DATA_EXCLUDE, 5000);
  type Item = vscode.QuickPickItem & { value: string };
  const items: Item[] = files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), value: uri.fsPath }));
  for (const c of ctx.databases?.connections ?? [])
    items.push({ label: `$(database) ${c.name}`, description: t('database connection'), value: DB_ENTRY_PREFIX + c.name });
  const picked = await vscode.window.showQuickPick(items, { placeHolder: t('Choose a data file or database to preview') });
  return picked && chooseSource(picked.value, ctx);
}
