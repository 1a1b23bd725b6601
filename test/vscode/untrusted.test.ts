// Restricted Mode (Workspace Trust on, folder not trusted): Ask answers, the agent modes explain why
// they will not run code, and no Python process is started.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFakeLlmServer, textSteps, type FakeLlmServer } from '../helpers/fake-llm-server';
import { driver, driverTest, hasDriver } from './driver';
import { radarm, setRadarmSetting } from './helpers';

suite('Restricted Mode (untrusted workspace)', () => {
  let server: FakeLlmServer;

  suiteSetup(async () => {
    server = await startFakeLlmServer(() => ({ steps: textSteps('Sales has five columns: date, 城市, product, units, price.', 4) }));
    // User settings: restricted mode ignores workspace values of radarm.providers, not user ones.
    await setRadarmSetting('providers', [{ id: 'fake', label: 'Fake LLM', kind: 'openai', baseUrl: server.baseUrl, model: 'fake-model' }]);
    await setRadarmSetting('defaultProvider', 'fake');
    await vscode.commands.executeCommand('radarm.setApiKey', 'fake', 'sk-untrusted-1');
    await (await radarm()).files.refresh();
  });

  suiteTeardown(async () => {
    await server?.close();
  });

  test('the workspace really is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('Ask mode answers', async () => {
    const api = await radarm();
    const turn = await api.controller.runTurn('What columns does it have?', 'ask', ['sales.csv']);
    const complete = turn?.events.find((e) => e.type === 'complete');
    assert.ok(complete && complete.type === 'complete', JSON.stringify(turn?.events.filter((e) => e.type === 'error')));
    assert.match(complete.data.reply, /five columns/);
    assert.equal(complete.data.generated_code, null);
    assert.equal(server.requests.length, 1);
  });

  for (const mode of ['agent_single', 'agent_multi'] as const)
    test(`${mode} explains that it will not run code here, and sends nothing`, async () => {
      const api = await radarm();
      const before = server.requests.length;
      const turn = await api.controller.runTurn('Plot units by city', mode, ['sales.csv']);
      const err = turn?.events.find((e) => e.type === 'error');
      assert.ok(err && err.type === 'error');
      assert.match(err.content, /Restricted Mode/);
      assert.match(err.content, /Ask mode still works/);
      assert.equal(turn!.events.at(-1)?.type, 'done');
      assert.equal(server.requests.length, before, 'no LLM request for a mode that would run code');
    });

  driverTest('the panel shows the explanation', async () => {
      await vscode.commands.executeCommand('radarm.chat.focus');
      await driver.webviewWaitFor('#radarm-root', 'Restricted Mode', 60_000);
      await driver.screenshot('untrusted');
    });
});
