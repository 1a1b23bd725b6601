// Tables and Preview Data in the real VS Code: a DataFrame answer arrives as a table in complete.data.tables and
// in the panel's table view; the @ completion lists the selected CSV's columns; Radarm: Preview Data opens an
// editor tab with the file's column profile (the real kernel, the scripted model).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CompleteData } from '../../src/protocol/events';
import type { TurnRecord } from '../../src/protocol/messages';
import { startFakeLlmServer, textSteps, type FakeLlmServer, type FakeRequest, type Script } from '../helpers/fake-llm-server';
import { driver, hasDriver } from './driver';
import { radarm, setRadarmSetting, waitFor, workspaceFile } from './helpers';

const CODE = "result = df.groupby('城市', as_index=False)['units'].sum().sort_values('units', ascending=False)";

function analyst(req: FakeRequest): Script {
  if (req.stage === 'code_generation') return { steps: textSteps(`\`\`\`python\n${CODE}\n\`\`\`\n`, 3) };
  return { steps: textSteps('上海的销量最高。', 2) };
}

const completeOf = (turn: TurnRecord | undefined): CompleteData | undefined =>
  turn?.events.find((e): e is Extract<typeof e, { type: 'complete' }> => e.type === 'complete')?.data;

suite('Tables and Preview Data', () => {
  let server: FakeLlmServer;

  suiteSetup(async () => {
    server = await startFakeLlmServer(analyst);
    await setRadarmSetting('providers', [{ id: 'faketables', label: 'Fake Tables LLM', kind: 'openai', baseUrl: server.baseUrl, model: 'm', requiresKey: false }]);
    await setRadarmSetting('defaultProvider', 'faketables');
    const api = await radarm();
    await api.controller.handleMessage({ type: 'setProvider', id: 'faketables' });
    await api.files.refresh();
    await vscode.commands.executeCommand('radarm.chat.focus');
  });

  suiteTeardown(async () => {
    const api = await radarm();
    await api.controller.setSelectedFiles([]);
    await vscode.commands.executeCommand('radarm.newChat');
    await server?.close();
  });

  test('a DataFrame answer arrives as a table beside its text, and the panel renders it sortable', async function () {
    this.timeout(90_000);
    const api = await radarm();
    await api.controller.setSelectedFiles(['sales.csv']);
    const turn = await api.controller.runTurn('各城市销量？', 'agent_single', ['sales.csv']);
    const data = completeOf(turn);
    assert.ok(data, JSON.stringify(turn?.events.filter((e) => e.type === 'error')));
    const table = data.tables?.[0];
    assert.ok(table, 'a table');
    assert.deepEqual(table.columns, ['城市', 'units']);
    assert.equal(table.source, 'result');
    assert.equal(table.rows.length, table.totalRows);
    assert.match(data.execution_result ?? '', /城市/, 'the text form stays');
    if (hasDriver()) {
      await driver.webviewWaitFor('.data-table .table-notes', `${table.totalRows} rows × 2 columns`, 30_000);
      await driver.webviewClick('.data-table thead th:nth-child(3) button');
      await driver.webviewWaitFor('.data-table thead th[aria-sort="ascending"]', undefined, 10_000);
      // @ in the composer lists the selected CSV's columns (read from its header by the host).
      await driver.webviewType('textarea', '@uni');
      await driver.webviewWaitFor('.mention-item', 'units', 10_000);
      await driver.screenshot('vscode-table-answer');
      // Leave the composer empty for the suites after this one (they type their own questions).
      await driver.webviewType('textarea', '', ['Escape', 'Control+A', 'Backspace']);
    }
  });

  test('Radarm: Preview Data opens an editor tab with the column profile and first rows', async function () {
    this.timeout(90_000);
    await vscode.commands.executeCommand('workbench.action.closeSidebar'); // only the preview's webview stays
    await vscode.commands.executeCommand('radarm.previewData', workspaceFile('sales.csv'));
    await waitFor(
      () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => /sales\.csv/.test(t.label) && t.input instanceof vscode.TabInputWebview)),
      'the preview tab',
    );
    if (hasDriver()) {
      await driver.webviewWaitFor('.preview-header', 'sales.csv', 30_000);
      await driver.webviewWaitFor('.column-card', '城市', 10_000);
      assert.ok((await driver.webviewCount('.column-card')) >= 5);
      await driver.screenshot('vscode-preview-data');
    }
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.commands.executeCommand('radarm.chat.focus');
  });
});
