// Sends the panel the names its `@` completes, whenever the chosen sources change: at once what the host reads
// itself (CSV headers), then, in trusted workspaces, the columns of workbooks, Parquet and JSON files and the tables
// of database sources from a short Python run (mention-sources.ts). A newer choice cancels an older run, so a stale
// list never replaces a fresh one; nothing here waits on the chat's kernel, so a running turn never delays it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolvePython } from '../kernel/resolve-python';
import { databaseSecrets, isDatabaseFile, maskSecrets } from '../kernel/database-sources';
import type { MentionNames } from '../kernel/mention-names';
import type { DatabaseSource } from '../kernel/types';
import type { MentionSources } from '../protocol/mentions';
import { radarmLog } from './log';
import { mentionSources, needsPython, pythonNames, type MentionFile } from './mention-sources';
import { pythonExtensionInterpreter } from './python-path';

export interface MentionInputs {
  files: MentionFile[];
  /** The chosen database connections, with their passwords (SecretStorage); asked only when Python will run. */
  databases: () => Promise<DatabaseSource[]>;
  /** radarm.pythonPath ('' = the Python extension's interpreter, else python3/python on PATH). */
  pythonPath: string;
}

/** The interpreter for the names run, resolved once per radarm.pythonPath value (resolving probes pandas). */
const interpreters = new Map<string, Promise<string>>();

async function interpreter(pythonPath: string, files: MentionFile[]): Promise<string> {
  const folder = (files[0] && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(files[0].path))) || vscode.workspace.workspaceFolders?.[0];
  let found = interpreters.get(pythonPath);
  if (!found) {
    found = (async () => {
      const extensionPythonPath = pythonPath ? undefined : await pythonExtensionInterpreter(folder?.uri);
      return (await resolvePython({ pythonPath: pythonPath || undefined, extensionPythonPath, settingName: 'radarm.pythonPath' })).path;
    })();
    interpreters.set(pythonPath, found);
    found.catch(() => interpreters.delete(pythonPath)); // no usable Python now: ask again next time
  }
  return found;
}

/** The names of the last Python run that are still chosen (shown until the new run answers, so they do not blink). */
function stillChosen(last: MentionNames | undefined, files: MentionFile[], databases: DatabaseSource[]): MentionNames | undefined {
  if (!last) return undefined;
  const paths = new Set(files.map((f) => f.path));
  const sources = new Set([...files.filter((f) => isDatabaseFile(f.path)).map((f) => path.basename(f.path)), ...databases.map((d) => d.name)]);
  return { files: last.files.filter((f) => paths.has(f.path)), databases: last.databases.filter((d) => sources.has(d.name)) };
}

export function createMentionPoster(post: (m: MentionSources) => void): { update(inputs: MentionInputs): Promise<void> } {
  let current: AbortController | undefined;
  let last: MentionNames | undefined;
  return {
    async update(inputs) {
      current?.abort();
      const abort = (current = new AbortController());
      // Python runs only where the user trusts the workspace (its interpreter may be the workspace's own).
      const trusted = vscode.workspace.isTrusted;
      const databases = trusted ? await inputs.databases() : [];
      const quick = await mentionSources(inputs.files, trusted ? stillChosen(last, inputs.files, databases) : undefined);
      if (abort.signal.aborted) return;
      post(quick);
      if (!trusted || (!databases.length && !inputs.files.some((f) => needsPython(f.path)))) return;
      const secrets = databaseSecrets(databases);
      try {
        const python = await interpreter(inputs.pythonPath, inputs.files);
        const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
        const names = await pythonNames({ python, files: inputs.files.map((f) => f.path), databases, cwd, signal: abort.signal });
        for (const problem of [...names.files, ...names.databases].flatMap((x) => (x.error ? [x.error] : [])))
          radarmLog().debug(`[mentions] ${maskSecrets(problem, secrets)}`);
        if (abort.signal.aborted) return;
        last = names;
        post(await mentionSources(inputs.files, names));
      } catch (err) {
        if (!abort.signal.aborted) radarmLog().debug(`[mentions] ${maskSecrets(err instanceof Error ? err.message : String(err), secrets)}`);
      }
    },
  };
}
