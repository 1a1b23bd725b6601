// The panel's turn actions in the real VS Code: edit and resend an earlier question (the later turns
// leave the conversation and the model's history), regenerate, and a figure opened in an editor tab
// and saved (PNG as it came; a chart as self-contained HTML). Ends with New Chat.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RadarmEvent } from '../../src/protocol/events';
import type { TurnRecord } from '../../src/protocol/messages';
import { figureAction, webviewRoot } from '../../src/vscode/figure-actions';
import { startFakeLlmServer, textSteps, type FakeLlmServer } from '../helpers/fake-llm-server';
import { driver, hasDriver } from './driver';
import { radarm, setRadarmSetting, waitFor } from './helpers';

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const CHART = JSON.stringify({ data: [{ type: 'bar', x: ['华东', '华北'], y: [3, 2] }], layout: { title: { text: '销量' } } });

suite('panel actions', () => {
  let server: FakeLlmServer;

  suiteSetup(async () => {
    server = await startFakeLlmServer((req) => {
      const last = JSON.stringify(req.body?.messages?.at(-1) ?? '');
      return { steps: textSteps(`Answer to ${/question (\w+)/.exec(last)?.[1] ?? '?'}`, 2) };
    });
    await setRadarmSetting('providers', [{ id: 'fake', label: 'Fake LLM', kind: 'openai', baseUrl: server.baseUrl, model: 'fake-model', requiresKey: true }]);
    await setRadarmSetting('defaultProvider', 'fake');
    await vscode.commands.executeCommand('radarm.setApiKey', 'fake', 'sk-fake-key-0001');
    await vscode.commands.executeCommand('radarm.newChat');
    await vscode.commands.executeCommand('radarm.chat.focus');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('radarm.newChat');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await server?.close();
  });

  test('the focus keybinding is contributed, and focusing the panel puts the cursor in the question box', async () => {
    const pkg = vscode.extensions.getExtension('radarm.radarm')!.packageJSON as { contributes: { keybindings: { command: string; key: string; mac?: string }[] } };
    const binding = pkg.contributes.keybindings.find((k) => k.command === 'radarm.chat.focus');
    assert.ok(binding, 'a keybinding for radarm.chat.focus');
    assert.equal(binding.key, 'ctrl+alt+d');
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await vscode.commands.executeCommand('radarm.chat.focus');
    if (hasDriver()) await waitFor(async () => (await driver.webviewCount('textarea.input:focus', 2000)) > 0, 'the question box to have the focus');
  });

  test('edit and resend an earlier question: the later turns leave the conversation and the history sent to the model', async () => {
    const api = await radarm();
    await api.controller.runTurn('question one', 'ask', []);
    await api.controller.runTurn('question two', 'ask', []);
    const first = api.controller.turns[0];
    const before = server.requests.length;
    await api.controller.handleMessage({ type: 'editResend', turnId: first.id, text: 'question three' });
    await waitFor(() => !api.controller.busy && api.controller.turns.length === 1 && api.controller.turns[0].events.at(-1)?.type === 'done', 'the resent turn');
    assert.deepEqual(api.controller.turns.map((t) => t.question), ['question three']);
    const sent = JSON.stringify(server.requests.slice(before).map((r) => r.body?.messages));
    assert.match(sent, /question three/);
    assert.doesNotMatch(sent, /question one|question two/, 'the dropped turns are not in the history');
    if (hasDriver()) {
      await driver.webviewWaitFor('#radarm-root', 'Answer to three', 30_000);
      assert.doesNotMatch((await driver.webviewText('#radarm-root')) ?? '', /question two/);
    }
  });

  test('regenerate runs the same question again in place of its answer', async () => {
    const api = await radarm();
    const old = api.controller.turns.at(-1)!;
    await api.controller.handleMessage({ type: 'regenerate', turnId: old.id });
    await waitFor(() => !api.controller.busy && api.controller.turns.at(-1)?.id !== old.id && api.controller.turns.at(-1)?.events.at(-1)?.type === 'done', 'the regenerated turn');
    assert.deepEqual(api.controller.turns.map((t) => t.question), ['question three']);
  });

  test('a figure opens full size in an editor tab, and saves as PNG or as self-contained HTML', async () => {
    const complete: RadarmEvent = {
      type: 'complete',
      data: { reply: 'r', generated_code: null, execution_result: null, image: PNG, plotly_json: CHART },
    };
    const turns: TurnRecord[] = [{ id: 'fig-1', question: 'Plot the sales by region', mode: 'agent_single', dataFiles: [], events: [complete, { type: 'done' }] }];
    const opened = await figureAction(turns, { turnId: 'fig-1', kind: 'image', action: 'open' }, { webviewRoot: webviewRoot() });
    await waitFor(() => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
      return input?.uri?.fsPath === opened?.fsPath;
    }, 'the image in an editor tab');
    await figureAction(turns, { turnId: 'fig-1', kind: 'chart', action: 'open' }, { webviewRoot: webviewRoot() });
    await waitFor(() => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputWebview && input.viewType.includes('radarm.figure');
    }, 'the chart in an editor tab');

    const dir = path.join(os.tmpdir(), `radarm-save-${process.pid}`);
    const saveTo = (name: string) => ({ webviewRoot: webviewRoot(), saveDialog: async () => vscode.Uri.file(path.join(dir, name)) });
    const png = await figureAction(turns, { turnId: 'fig-1', kind: 'image', action: 'save' }, saveTo('fig.png'));
    const bytes = await readFile(png!.fsPath);
    assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'PNG bytes');
    const html = await figureAction(turns, { turnId: 'fig-1', kind: 'chart', action: 'save' }, saveTo('fig.html'));
    const text = await readFile(html!.fsPath, 'utf8');
    assert.match(text, /Plotly\.newPlot/);
    assert.doesNotMatch(text, /<script[^>]+src=/, 'no external script');
    assert.ok(text.length > 1_000_000, 'plotly.js is inlined');
    assert.match(text, /\\u003c|华东/);
  });
});
