// The workspace's data files: found with findFiles, shown as workspace-relative paths, and mapped
// back to real files only through this list (the webview never names an arbitrary path).
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { datasetEntries } from './dataset-entries';

export const DATA_GLOB = '**/*.{csv,tsv,xlsx,xls,parquet,json,jsonl,sqlite,sqlite3,db,duckdb}';
export const DATA_EXCLUDE = '**/{node_modules,.git,.venv,venv,__pycache__}/**';
export const DATA_EXTENSIONS = ['csv', 'tsv', 'xlsx', 'xls', 'parquet', 'json', 'jsonl', 'sqlite', 'sqlite3', 'db', 'duckdb'];
const MAX_FILES = 5000;

export const isDataFile = (uri: vscode.Uri): boolean =>
  DATA_EXTENSIONS.includes(uri.path.split('.').pop()?.toLowerCase() ?? '');

export interface DataFileIndex {
  /** Display paths, sorted. */
  readonly available: string[];
  /** Display path → file. */
  resolve(display: string): vscode.Uri | undefined;
  /** File → display path (also for files not found by the scan, e.g. opened from the explorer). */
  displayOf(uri: vscode.Uri): string;
  refresh(): Promise<void>;
  onDidChange: vscode.Event<void>;
  dispose(): void;
}

export function createDataFileIndex(): DataFileIndex {
  const byDisplay = new Map<string, vscode.Uri>();
  /** Sources named outside the scan (a folder or a file chosen in the explorer): kept across rescans while they exist. */
  const named = new Map<string, vscode.Uri>();
  let available: string[] = [];
  const emitter = new vscode.EventEmitter<void>();
  const displayOf = (uri: vscode.Uri) => vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);

  let scanning: Promise<void> | undefined;
  const refresh = () =>
    (scanning ??= (async () => {
      try {
        const uris = await vscode.workspace.findFiles(DATA_GLOB, DATA_EXCLUDE, MAX_FILES);
        byDisplay.clear();
        for (const u of uris) byDisplay.set(displayOf(u), u);
        // Folders of part files are offered as one dataset too (`folder/*.csv`).
        for (const e of datasetEntries([...byDisplay.keys()]))
          byDisplay.set(e.display, vscode.Uri.joinPath(byDisplay.get(e.member)!, '..', e.pattern));
        for (const [d, u] of named) if (existsSync(u.fsPath)) byDisplay.set(d, u);
        else named.delete(d);
        available = [...byDisplay.keys()].sort((a, b) => a.localeCompare(b));
        emitter.fire();
      } finally {
        scanning = undefined;
      }
    })());

  // Keep the list current as files come and go (debounced: a git checkout fires thousands).
  const watcher = vscode.workspace.createFileSystemWatcher(DATA_GLOB, false, true, false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 500);
  };
  const subs = [watcher, watcher.onDidCreate(soon), watcher.onDidDelete(soon), vscode.workspace.onDidChangeWorkspaceFolders(soon)];

  return {
    get available() {
      return available;
    },
    resolve: (display) => byDisplay.get(display),
    displayOf(uri) {
      const d = displayOf(uri);
      if (!byDisplay.has(d) && uri.scheme === 'file') {
        byDisplay.set(d, uri);
        named.set(d, uri);
        available = [...byDisplay.keys()].sort((a, b) => a.localeCompare(b));
      }
      return d;
    },
    refresh,
    onDidChange: emitter.event,
    dispose() {
      if (timer) clearTimeout(timer);
      subs.forEach((s) => s.dispose());
      emitter.dispose();
    },
  };
}

/** Quick pick of data files (multi-select when `many`); returns display paths. */
export async function pickDataFiles(index: DataFileIndex, opts: { many: boolean; selected?: string[] }): Promise<string[] | undefined> {
  await index.refresh();
  if (!index.available.length) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('No data files (CSV, TSV, Excel, Parquet, JSON) found in this workspace. Open a folder that contains some.'),
    );
    return undefined;
  }
  const items = index.available.map((label) => ({ label, picked: opts.selected?.includes(label) ?? false }));
  const title = vscode.l10n.t('Radarm: pick data files');
  const placeHolder = vscode.l10n.t('Which data file should Radarm analyze?');
  if (opts.many) {
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder, canPickMany: true, matchOnDescription: true });
    return picked?.map((p) => p.label);
  }
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder });
  return picked ? [picked.label] : undefined;
}
