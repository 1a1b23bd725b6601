// Remote development: the extension is a workspace extension, so its host — and the Python kernel it starts —
// runs where the files are. code-server is such a split: the UI in the browser, the extension host on the server.
import * as assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import * as vscode from 'vscode';
import { hasDriver } from './driver';
import { EXTENSION_ID, isAlive, radarm } from './helpers';

/** The parent process ids of `pid`, nearest first, from /proc. */
function ancestors(pid: number): number[] {
  const out: number[] = [];
  for (let p = pid; p > 1 && out.length < 20; ) {
    const m = /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
    if (!m) break;
    p = Number(m[1]);
    out.push(p);
  }
  return out;
}

suite('remote: the kernel runs next to the data', () => {
  test('a workspace extension: with the UI in the browser, the kernel is a child of the server-side extension host, in the workspace folder on the server', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.deepEqual(ext.packageJSON.extensionKind, ['workspace']);
    assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
    if (hasDriver()) assert.equal(vscode.env.uiKind, vscode.UIKind.Web, 'code-server: the workbench runs in the browser');
    const api = await radarm();
    const pid = api.controller.kernelInfo?.pid;
    assert.ok(pid && isAlive(pid), 'the analyses before this suite left a kernel running');
    assert.ok(ancestors(pid).includes(process.pid), 'the kernel descends from this extension host process');
    assert.equal(readlinkSync(`/proc/${pid}/cwd`), vscode.workspace.workspaceFolders![0].uri.fsPath);
  });
});
