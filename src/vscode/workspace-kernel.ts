// The kernel every VS Code entry point uses (the panel and @radarm alike): radarm.pythonPath, else the
// interpreter selected in the Python extension, else python3/python on PATH, in the workspace folder of
// the data. The Python extension is asked when the kernel first starts, which happens alongside the
// first model call, so asking it never holds up the answer.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { deferredKernel } from '../engine/session-kernel';
import type { KernelOptions, PythonKernel } from '../kernel/types';
import { radarmLog } from './log';
import { pythonExtensionInterpreter } from './python-path';
import type { RadarmSettings } from './settings';

export function workspaceKernel(
  createKernel: (opts: KernelOptions) => PythonKernel,
  settings: () => RadarmSettings,
  dataFiles: () => readonly string[],
  /** Options known only when the kernel starts (database writes, network for database servers). */
  more: () => Partial<KernelOptions> = () => ({}),
): PythonKernel {
  return deferredKernel(async () => {
    const s = settings();
    const files = dataFiles();
    const folder =
      (files[0] && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(files[0]))) || vscode.workspace.workspaceFolders?.[0];
    const cwd = folder?.uri.fsPath ?? (files[0] ? path.dirname(files[0]) : process.cwd());
    const extensionPythonPath = s.pythonPath ? undefined : await pythonExtensionInterpreter(folder?.uri);
    radarmLog().info(
      s.pythonPath
        ? `Python: radarm.pythonPath = ${s.pythonPath}`
        : extensionPythonPath
          ? `Python: the Python extension's interpreter ${extensionPythonPath}`
          : 'Python: radarm.pythonPath is empty and the Python extension names none; trying python3/python on PATH',
    );
    return createKernel({
      ...(s.pythonPath ? { pythonPath: s.pythonPath } : {}),
      ...(extensionPythonPath ? { extensionPythonPath } : {}),
      cwd,
      execTimeoutMs: s.executionTimeoutMs,
      sandbox: s.sandbox,
      readablePaths: [...files],
      settingName: 'radarm.pythonPath',
      allowDbWrites: s.allowDatabaseWrites,
      ...more(),
      onLog: (line) => radarmLog().debug(`[kernel] ${line}`),
    });
  });
}
