// Set API Key (SecretStorage, by argument and through the real input box) and Insert Generated Code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { driver, driverTest, hasDriver } from './driver';
import { radarm, waitFor } from './helpers';

suite('commands', () => {
  test('Set API Key with arguments stores the key in SecretStorage, trimmed', async () => {
    const api = await radarm();
    const id = await vscode.commands.executeCommand('radarm.setApiKey', 'openai', '  sk-test-openai-123 \n');
    assert.equal(id, 'openai');
    assert.equal(await api.keys.get('openai'), 'sk-test-openai-123');
    // Never in the settings.
    const cfg = JSON.stringify(vscode.workspace.getConfiguration('radarm'));
    assert.ok(!cfg.includes('sk-test-openai-123'));
  });

  test('Set API Key rejects an unknown provider and a key with spaces', async () => {
    await radarm();
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('radarm.setApiKey', 'nope', 'sk-1')), /No provider/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('radarm.setApiKey', 'openai', 'sk 1')), /not an API key/);
  });

  // Needs the driver to type into the workbench (code-server harness).
  driverTest('Set API Key through the password input box', async () => {
    const api = await radarm();
    const done = vscode.commands.executeCommand<string | undefined>('radarm.setApiKey', 'qwen');
    const prompt = await driver.workbenchText('.quick-input-widget', 20_000);
    assert.match(prompt, /API key for Qwen/);
    // The box is a password field: what is typed is not shown.
    await driver.type('sk-typed-in-the-box-42');
    await driver.press('Enter');
    assert.equal(await done, 'qwen');
    assert.equal(await api.keys.get('qwen'), 'sk-typed-in-the-box-42');
  });

  test('Insert Generated Code without an editor opens a new untitled Python document', async () => {
    await radarm();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('radarm.insertCode', 'import pandas as pd\nprint(pd.__version__)');
    const editor = await waitFor(() => vscode.window.activeTextEditor, 'an active editor');
    assert.equal(editor.document.isUntitled, true);
    assert.equal(editor.document.languageId, 'python');
    assert.equal(editor.document.getText(), 'import pandas as pd\nprint(pd.__version__)\n');
  });

  test('Insert Generated Code goes into the active editor at the cursor', async () => {
    await radarm();
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'a = 1\nb = 2\n' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    await vscode.commands.executeCommand('radarm.insertCode', 'x = 3');
    assert.equal(doc.getText(), 'a = 1\nx = 3\nb = 2\n');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
