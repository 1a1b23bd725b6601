// Database connections of a workspace: name + URL WITHOUT the password in workspace state (never settings,
// never history), the password in SecretStorage. In the panel's picker they appear next to the data files
// as "db:<name>" entries; a turn resolves the chosen ones into sources with their passwords.
import * as vscode from 'vscode';
import { engineOf, needsNetwork, parseDatabaseArg, passwordOf, withoutPassword } from '../kernel/database-sources';
import type { DatabaseSource } from '../kernel/types';

/** Picker entries for connections start with this (file paths never do: they are workspace-relative). */
export const DB_ENTRY_PREFIX = 'db:';
const STATE_KEY = 'radarm.databases';
const secretName = (url: string) => `radarm.dbPassword.${url}`;
const t = vscode.l10n.t;

export interface DatabaseConnection {
  name: string;
  /** Without the password. */
  url: string;
}

export interface DatabaseRegistry {
  readonly connections: readonly DatabaseConnection[];
  /** Picker entries: "db:<name>". */
  readonly entries: string[];
  add(name: string, urlWithPassword: string, password?: string): Promise<DatabaseConnection>;
  remove(name: string): Promise<void>;
  /** The chosen picker entries that are connections, as sources with their passwords; unknown names skipped. */
  resolve(entries: readonly string[]): Promise<DatabaseSource[]>;
  /** Whether any configured connection is a server (the kernel then needs the network). */
  readonly needsNetwork: boolean;
  onDidChange: vscode.Event<void>;
}

export const isDatabaseEntry = (entry: string): boolean => entry.startsWith(DB_ENTRY_PREFIX);

export function createDatabaseRegistry(state: vscode.Memento, secrets: vscode.SecretStorage): DatabaseRegistry {
  const emitter = new vscode.EventEmitter<void>();
  const list = (): DatabaseConnection[] =>
    (state.get<DatabaseConnection[]>(STATE_KEY) ?? []).filter((c) => c && typeof c.name === 'string' && typeof c.url === 'string');
  return {
    get connections() {
      return list();
    },
    get entries() {
      return list().map((c) => DB_ENTRY_PREFIX + c.name);
    },
    get needsNetwork() {
      return needsNetwork(list());
    },
    async add(name, urlWithPassword, password) {
      const url = withoutPassword(urlWithPassword);
      const secret = passwordOf(urlWithPassword) ?? password;
      if (secret) await secrets.store(secretName(url), secret);
      else await secrets.delete(secretName(url));
      const conn = { name, url };
      await state.update(STATE_KEY, [...list().filter((c) => c.name !== name), conn]);
      emitter.fire();
      return conn;
    },
    async remove(name) {
      await state.update(STATE_KEY, list().filter((c) => c.name !== name));
      emitter.fire();
    },
    async resolve(entries) {
      const byName = new Map(list().map((c) => [c.name, c]));
      const out: DatabaseSource[] = [];
      for (const e of entries) {
        const c = isDatabaseEntry(e) ? byName.get(e.slice(DB_ENTRY_PREFIX.length)) : undefined;
        if (!c) continue;
        const password = await secrets.get(secretName(c.url));
        out.push({ name: c.name, url: c.url, ...(password ? { password } : {}) });
      }
      return out;
    },
    onDidChange: emitter.event,
  };
}

/**
 * The Add Database flow: the URL (a password in it goes to SecretStorage), the password when the URL has none,
 * and a name. Arguments skip the prompts (tests, other extensions). Returns the picker entry, or undefined.
 */
export async function promptAddDatabase(
  registry: DatabaseRegistry,
  args: { url?: string; name?: string; password?: string } = {},
): Promise<string | undefined> {
  const url =
    args.url ??
    (await vscode.window.showInputBox({
      title: t('Radarm: Add Database'),
      prompt: t('Connection URL: postgresql://user@host:5432/dbname or mysql://user@host:3306/dbname (MariaDB too), or sqlite:///path/file.sqlite'),
      placeHolder: 'postgresql://analyst@localhost:5432/sales',
      ignoreFocusOut: true,
      validateInput: (v) => {
        const r = parseDatabaseArg(v.trim());
        return 'error' in r ? r.error : undefined;
      },
    }));
  if (!url?.trim()) return undefined;
  const parsed = parseDatabaseArg(url.trim());
  if ('error' in parsed) {
    void vscode.window.showErrorMessage(parsed.error);
    return undefined;
  }
  let password = args.password;
  const server = engineOf(parsed.url) === 'postgresql' || engineOf(parsed.url) === 'mysql';
  if (password === undefined && server && !passwordOf(parsed.url) && args.url === undefined) {
    password = await vscode.window.showInputBox({
      title: t('Radarm: Add Database'),
      prompt: t('Password for {0} (stored in VS Code\'s secret storage; leave empty for none)', withoutPassword(parsed.url)),
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return undefined;
  }
  const name =
    args.name ??
    (await vscode.window.showInputBox({
      title: t('Radarm: Add Database'),
      prompt: t('A short name for this database (used as sql(query, source="name"))'),
      value: parsed.name,
      ignoreFocusOut: true,
      validateInput: (v) => (/^[^/\\=:]+$/.test(v.trim()) ? undefined : t('Use a name without / \\ = or :')),
    }));
  if (!name?.trim()) return undefined;
  const conn = await registry.add(name.trim(), parsed.url, password || undefined);
  return DB_ENTRY_PREFIX + conn.name;
}

/** "Radarm: Add Database" (URL, password, name; or as arguments) and "Radarm: Remove Database". */
export function registerDatabaseCommands(
  registry: DatabaseRegistry,
  select: { readonly selectedFiles: string[]; setSelectedFiles(files: string[]): Promise<void> },
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('radarm.addDatabase', async (url?: unknown, name?: unknown, password?: unknown) => {
      const entry = await promptAddDatabase(registry, {
        ...(typeof url === 'string' ? { url } : {}),
        ...(typeof name === 'string' ? { name } : {}),
        ...(typeof password === 'string' ? { password } : {}),
      });
      // The new connection is chosen for the next question, next to the files already chosen.
      if (entry) await select.setSelectedFiles([...select.selectedFiles.filter((f) => f !== entry), entry]);
      return entry;
    }),
    vscode.commands.registerCommand('radarm.removeDatabase', async (name?: unknown) => {
      const target =
        typeof name === 'string'
          ? name
          : (
              await vscode.window.showQuickPick(
                registry.connections.map((c) => ({ label: c.name, description: c.url })),
                { title: t('Radarm: Remove Database') },
              )
            )?.label;
      if (!target) return;
      await registry.remove(target);
      await select.setSelectedFiles(select.selectedFiles.filter((f) => f !== DB_ENTRY_PREFIX + target));
    }),
  ];
}
