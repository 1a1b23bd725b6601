// The same extension-host suite (out/test/vscode/index.js) in a desktop VS Code downloaded by
// @vscode/test-electron: for machines that can reach update.code.visualstudio.com (ours cannot; there
// `npm test` uses scripts/test-vscode.mjs and code-server). Without the code-server driver the suite
// runs its "main" phase only, without the webview-DOM and window-reload checks.
// usage: node scripts/test-vscode-electron.mjs [--version 1.100.3]
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './code-server.mjs';

const i = process.argv.indexOf('--version');
const version = i > 0 ? process.argv[i + 1] : '1.100.3';
const state = mkdtempSync(join(tmpdir(), 'radarm-electron-test-'));
const workspace = join(state, 'workspace');
cpSync(join(root, 'test', 'vscode', 'fixtures', 'workspace'), workspace, { recursive: true });
// Test-only scripted language models (see scripts/test-vscode.mjs); stable VS Code needs its proposal enabled.
const extensions = join(state, 'extensions');
cpSync(join(root, 'test', 'vscode', 'fixtures', 'fake-lm-extension'), join(extensions, 'radarm-test.radarm-fake-lm-0.0.1'), { recursive: true });
let code = 0;
try {
  await runTests({
    version,
    cachePath: join(root, '.vscode-test'),
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out', 'test', 'vscode', 'index.js'),
    launchArgs: [
      workspace,
      '--extensions-dir',
      extensions,
      '--enable-proposed-api',
      'radarm-test.radarm-fake-lm',
      '--disable-workspace-trust',
      '--user-data-dir',
      join(state, 'user-data'),
    ],
    extensionTestsEnv: { RADARM_TEST_PYTHON: process.env.RADARM_TEST_PYTHON || '/usr/bin/python3' },
  });
} catch (err) {
  console.error('test-vscode-electron:', err?.message || err);
  code = 1;
} finally {
  rmSync(state, { recursive: true, force: true });
}
process.exit(code);
