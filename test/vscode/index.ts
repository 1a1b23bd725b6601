// Entry of the extension-host tests (--extensionTestsPath): VS Code calls run() inside its extension host.
// The same entry serves scripts/test-vscode.mjs (code-server + Chromium, with a driver) and
// scripts/test-vscode-electron.mjs (@vscode/test-electron, no driver: only the "main" phase without
// the webview-DOM checks). Test files are required after mocha's globals exist (esbuild bundles them lazily).
import Mocha from 'mocha';
import { currentPhase, hasDriver } from './driver';

export async function run(): Promise<void> {
  const phase = await currentPhase();
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, `${phase}.test`, mocha);
  if (phase === 'main') {
    require('./activation.test');
    require('./commands.test');
    require('./proxy.test');
    require('./panel-actions.test');
    require('./databases.test');
    require('./explorer-folder.test');
    require('./preview.test'); // before tables.test: its first preview runs with no preview kernel yet (cold)
    require('./tables.test'); // before analyze.test: it ends with New Chat, the reload phase expects analyze's chat
    require('./adapters.test');
    require('./first-request.test');
    require('./analyze.test');
    require('./remote.test');
    require('./chat-participant.test');
  } else if (phase === 'reload') {
    require('./reload.test');
  } else if (phase === 'untrusted') {
    require('./untrusted.test');
  } else {
    throw new Error(`unknown test phase ${phase}`);
  }
  console.log(`radarm vscode tests: phase ${phase}${hasDriver() ? '' : ' (no driver: webview DOM not inspected)'}`);
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} test(s) failed in phase ${phase}`);
}
