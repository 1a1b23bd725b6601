// Runs after a real window reload (scripts/test-vscode.mjs reloads the page between phases): the
// conversation of the "main" phase must be back, in the controller and in the webview; then Clear History.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { driver, driverTest, hasDriver } from './driver';
import { isAlive, radarm, waitFor, workspaceFile } from './helpers';
import { QUESTION, REPLY } from './scenario';

suite('after a window reload', () => {
  test('the conversation is restored from the history files', async () => {
    const api = await radarm();
    await api.controller.whenRestored();
    const questions = api.controller.turns.map((t) => t.question);
    assert.ok(questions.includes(QUESTION), `restored: ${JSON.stringify(questions)}`);
    const done = api.controller.turns.find((t) => t.question === QUESTION)!;
    const complete = done.events.find((e) => e.type === 'complete');
    assert.ok(complete && complete.type === 'complete' && complete.data.reply === REPLY);
    assert.equal(done.events.at(-1)?.type, 'done');
    // The stopped turn is kept too, with its reason.
    const stopped = api.controller.turns.find((t) => t.question.startsWith('Stop me'));
    assert.ok(stopped?.events.some((e) => e.type === 'error' && /Stopped/.test(e.content)));
  });

  test('the Python process of the window before the reload has ended (no orphans)', async () => {
    const pid = Number(new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceFile('.kernel-pid'))));
    assert.ok(pid > 0);
    await waitFor(() => !isAlive(pid), `Python process ${pid} to end`, 15_000);
  });

  test('Open Previous Chat lists the earlier chats of this workspace', async () => {
    const api = await radarm();
    const list = await api.history.list();
    assert.ok(list.length >= 2, `conversations: ${JSON.stringify(list)}`);
    const current = api.controller.conversationId;
    const other = list.find((c) => c.id !== current)!;
    assert.equal(await vscode.commands.executeCommand('radarm.openChat', other.id), true);
    assert.ok(api.controller.turns.some((t) => t.question === 'How many rows?'), 'the chat of the missing-key test');
    assert.equal(await vscode.commands.executeCommand('radarm.openChat', current), true);
    assert.ok(api.controller.turns.some((t) => t.question === QUESTION));
  });

  driverTest('the webview shows the restored conversation', async () => {
      await vscode.commands.executeCommand('radarm.chat.focus');
      // The panel renders the turns near the viewport (the latest): the last turn of the "main" phase.
      await driver.webviewWaitFor('#radarm-root', 'How many rows are there?', 60_000);
      await driver.webviewWaitFor('#radarm-root', 'A short answer.', 30_000);
      await driver.screenshot('after-reload');
    });

  test('Clear History deletes the stored conversations', async () => {
    const api = await radarm();
    assert.ok((await api.history.list()).length > 0);
    assert.equal(await vscode.commands.executeCommand('radarm.clearHistory', true), true);
    assert.equal(api.controller.turns.length, 0);
    assert.deepEqual(await api.history.list(), []);
    assert.equal(await api.history.loadCurrent(), undefined);
    if (hasDriver()) await waitFor(async () => !(await driver.webviewText())?.includes('How many rows are there?'), 'the panel to clear');
  });
});
