// Activation and what the manifest contributes, checked in the running VS Code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { driver, hasDriver } from './driver';
import { EXTENSION_ID, radarm } from './helpers';

suite('activation', () => {
  test('the extension activates and returns its API', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} not found`);
    const api = await radarm();
    assert.ok(ext.isActive);
    assert.equal(typeof api.controller.runTurn, 'function');
  });

  test('every contributed command is registered', async () => {
    await radarm();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(contributed.length >= 9, 'expected at least nine commands in the manifest');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
  });

  test('the Radarm container holds the Chat webview view', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    assert.equal(manifest.contributes.viewsContainers.activitybar[0].id, 'radarm');
    assert.equal(manifest.contributes.views.radarm[0].id, 'radarm.chat');
    assert.equal(manifest.contributes.views.radarm[0].type, 'webview');
    // The view's focus command exists only when VS Code registered the view.
    await vscode.commands.executeCommand('radarm.chat.focus');
    if (hasDriver()) {
      const text = await driver.webviewText('#radarm-root', 60_000);
      assert.ok(text !== null, 'the webview root element should be in the DOM');
      await driver.screenshot('panel-empty');
    }
  });

  test('the settings have their documented defaults', () => {
    const cfg = vscode.workspace.getConfiguration('radarm');
    const providers = cfg.inspect<{ id: string; baseUrl: string }[]>('providers')?.defaultValue ?? [];
    assert.deepEqual(
      providers.map((p) => p.id),
      ['deepseek', 'qwen', 'openai', 'ollama'],
    );
    assert.ok(providers.find((p) => p.id === 'qwen')?.baseUrl.includes('dashscope.aliyuncs.com/compatible-mode/v1'));
    assert.equal(cfg.inspect('enableStream')?.defaultValue, true);
    assert.equal(cfg.inspect('requestTimeout')?.defaultValue, 180);
    assert.equal(cfg.inspect('poolSize')?.defaultValue, 20);
    assert.equal(cfg.inspect('executionTimeout')?.defaultValue, 60);
    assert.equal(cfg.inspect('confirmBeforeRunningCode')?.defaultValue, false);
  });
});
