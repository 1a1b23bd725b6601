// The interpreter selected in the Python extension (ms-python.python), if it is installed: the kernel
// uses it when radarm.pythonPath is empty, before python3 / python on PATH.
import * as vscode from 'vscode';

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath?: (resource?: vscode.Uri) => { path: string } | undefined;
    resolveEnvironment?: (env: { path: string } | string) => Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: { getExecutionDetails?: (resource?: vscode.Uri) => { execCommand?: string[] } };
}

export async function pythonExtensionInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!ext) return undefined;
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const active = api?.environments?.getActiveEnvironmentPath?.(resource);
    if (active?.path) {
      const resolved = await api.environments?.resolveEnvironment?.(active);
      return resolved?.executable?.uri?.fsPath ?? active.path;
    }
    const cmd = api?.settings?.getExecutionDetails?.(resource)?.execCommand;
    if (cmd?.length === 1) return cmd[0];
  } catch {
    // The Python extension failed to activate: the kernel falls back to PATH.
  }
  return undefined;
}
