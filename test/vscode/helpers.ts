// Shared helpers of the extension-host tests.
import * as vscode from 'vscode';
import type { RadarmApi } from '../../src/vscode/extension';

export const EXTENSION_ID = 'radarm.radarm';

export async function radarm(): Promise<RadarmApi> {
  const ext = vscode.extensions.getExtension<RadarmApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

export function workspaceFile(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

/** Polls until `check` returns a truthy value (or throws the last reason after timeoutMs). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function setRadarmSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('radarm').update(key, value, vscode.ConfigurationTarget.Global);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
