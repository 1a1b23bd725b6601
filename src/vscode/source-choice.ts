// The data sources the panel offers and the user chose: workspace data files (by their display names)
// and database connections ("db:<name>"), stored per workspace; and what a turn needs from them.
import * as vscode from 'vscode';
import type { DataFileChoice } from '../engine/preflight';
import type { TurnRequest } from '../engine/session';
import type { DataFileIndex } from './data-files';
import { isDatabaseEntry, type DatabaseRegistry } from './databases';

export class SourceChoice {
  constructor(
    private readonly files: DataFileIndex,
    private readonly databases: DatabaseRegistry | undefined,
    private readonly memento: vscode.Memento,
  ) {}

  /** The chosen data files and database connections for the next question (ones that still exist). */
  get selected(): string[] {
    return (this.memento.get<string[]>('radarm.selectedFiles') ?? []).filter((f) => this.known(f));
  }

  get available(): string[] {
    return [...this.files.available, ...(this.databases?.entries ?? [])];
  }

  /** Stores a choice (unknown entries dropped) and returns it. */
  async choose(entries: string[]): Promise<string[]> {
    const chosen = entries.filter((f) => this.known(f));
    await this.memento.update('radarm.selectedFiles', chosen);
    return chosen;
  }

  /** A data file of the workspace, or a database connection (listed next to the files). */
  known(entry: string): boolean {
    return isDatabaseEntry(entry) ? !!this.databases?.entries.includes(entry) : !!this.files.resolve(entry);
  }

  /** The data files among the entries, each with where it is now (undefined: gone from the workspace). */
  dataFiles(entries: readonly string[]): DataFileChoice[] {
    return entries.filter((d) => !isDatabaseEntry(d)).map((name) => ({ name, path: this.files.resolve(name)?.fsPath }));
  }

  /** The database connections among the entries, with their passwords (from SecretStorage). */
  async databasesOf(entries: readonly string[]): Promise<NonNullable<TurnRequest['databases']>> {
    const chosen = entries.filter(isDatabaseEntry);
    return { chosen, sources: chosen.length ? ((await this.databases?.resolve(chosen)) ?? []) : [] };
  }
}
