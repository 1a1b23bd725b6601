// The first answer of a new chat is not held up by Python: with an interpreter that takes 3 s to start
// (a wrapper that sleeps, then runs the real python3), the first model request of a new chat reaches the
// server long before Python is up, from every entry point: the panel, the palette command, the explorer
// menu and @radarm. And Python warms up as soon as data files are chosen, before any question.
import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createKernel } from '../../src/kernel';
import type { PythonKernel } from '../../src/kernel/types';
import { createLlmService } from '../../src/llm';
import type { TurnRecord } from '../../src/protocol/messages';
import { createChatRequestHandler } from '../../src/vscode/chat-participant';
import { startFakeLlmServer, textSteps, type FakeLlmServer } from '../helpers/fake-llm-server';
import { driver, driverTest } from './driver';
import { EXTENSION_ID, radarm, setRadarmSetting, waitFor, workspaceFile } from './helpers';

const PYTHON = process.env.RADARM_TEST_PYTHON || '/usr/bin/python3';
const START_DELAY_S = 3;
/** "Well before Python is up": the first request must come within this of the question. */
const FIRST_REQUEST_BUDGET_MS = 1000;

suite('a new chat\'s first model request does not wait for a slow Python', () => {
  let server: FakeLlmServer;
  let dir: string;
  let slowPython: string;
  /** When the first request of the current question reached the server, and whether Python was up then. */
  let firstRequest: { at: number; pythonUp: boolean } | undefined;
  let pythonUp: () => boolean = () => false;
  let saved: { providers: unknown; defaultProvider: unknown; pythonPath: unknown };

  suiteSetup(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'radarm-slow-python-'));
    slowPython = path.join(dir, 'python3');
    writeFileSync(slowPython, `#!/bin/sh\nsleep ${START_DELAY_S}\nexec ${PYTHON} "$@"\n`);
    chmodSync(slowPython, 0o755);
    server = await startFakeLlmServer((req) => {
      firstRequest ??= { at: Date.now(), pythonUp: pythonUp() };
      return req.stage === 'code_generation'
        ? { steps: textSteps('```python\nprint(len(df))\n```\n', 8) }
        : { steps: textSteps('Explained.', 4) };
    });
    const cfg = vscode.workspace.getConfiguration('radarm');
    saved = {
      providers: cfg.inspect('providers')?.globalValue,
      defaultProvider: cfg.inspect('defaultProvider')?.globalValue,
      pythonPath: cfg.inspect('pythonPath')?.globalValue,
    };
    await setRadarmSetting('providers', [
      { id: 'slow', label: 'Slow Python test', kind: 'openai', baseUrl: server.baseUrl, model: 'fake-model', requiresKey: false },
    ]);
    await setRadarmSetting('defaultProvider', 'slow');
    await setRadarmSetting('pythonPath', slowPython);
    const api = await radarm();
    await api.controller.handleMessage({ type: 'setProvider', id: 'slow' });
    await api.files.refresh();
    pythonUp = () => !!api.controller.kernelInfo;
  });

  suiteTeardown(async () => {
    const api = await radarm();
    await api.controller.newChat();
    await setRadarmSetting('providers', saved.providers);
    await setRadarmSetting('defaultProvider', saved.defaultProvider);
    await setRadarmSetting('pythonPath', saved.pythonPath);
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A new chat (its Python process ended), then the question through `ask`, which calls `asked()` when
   * the question is in (default: at once); checks the first request's timing from there.
   */
  async function firstRequestOf(ask: (asked: () => void) => Promise<unknown>, what: string, opts = { cold: true }): Promise<void> {
    const api = await radarm();
    await api.controller.newChat();
    assert.equal(api.controller.kernelInfo, undefined, 'a new chat has no Python yet');
    firstRequest = undefined;
    let askedAt = Date.now();
    const done = ask(() => (askedAt = Date.now()));
    const first = await waitFor(() => firstRequest, `${what}: the first model request`, 30_000);
    const waited = first.at - askedAt;
    console.log(`      ${what}: first model request ${waited} ms after the question (Python takes ${START_DELAY_S} s to start)`);
    if (opts.cold) assert.equal(first.pythonUp, false, `${what}: Python was already up when the model was asked`);
    assert.ok(waited < FIRST_REQUEST_BUDGET_MS, `${what}: the first request came ${waited} ms after the question`);
    await done;
  }

  test('the panel: a question sent from the composer', async function () {
    this.timeout(90_000);
    const api = await radarm();
    await firstRequestOf(async () => {
      const before = api.controller.turns.length;
      await api.controller.handleMessage({ type: 'send', text: 'How many rows?', mode: 'agent_single', dataFiles: ['sales.csv'] });
      await waitFor(() => api.controller.turns.length > before && api.controller.turns.at(-1)?.events.at(-1)?.type === 'done', 'the turn to end', 60_000);
    }, 'panel');
    // The turn then waits for Python, runs the code and completes.
    const last = api.controller.turns.at(-1);
    assert.equal(last?.events.at(-2)?.type, 'complete', JSON.stringify(last?.events.at(-2)));
  });

  test('the palette: Radarm: Analyze Data with a file and a question', async function () {
    this.timeout(90_000);
    await firstRequestOf(
      async () => vscode.commands.executeCommand<TurnRecord | undefined>('radarm.analyzeData', workspaceFile('sales.csv'), 'How many rows?', 'agent_single'),
      'palette',
    );
  });

  driverTest('the explorer menu: Analyze with Radarm, question typed in the input box', async function () {
    this.timeout(90_000);
    const csv = workspaceFile('sales.csv');
    await firstRequestOf(async (asked) => {
      const running = vscode.commands.executeCommand<TurnRecord | undefined>('radarm.analyzeFile', csv, [csv]);
      await waitFor(async () => /sales\.csv/.test(await driver.workbenchText('.quick-input-widget')), 'the question box');
      await driver.type('How many rows?');
      // Measured from Enter, not from the menu click: the user's typing is not the wait in question.
      asked();
      await driver.press('Enter');
      return running;
      // Python starts when the file is chosen, so it may be up by the time the question is typed: only the wait is checked.
    }, 'explorer menu', { cold: false });
  });

  test('@radarm: /analyze with the file attached', async function () {
    this.timeout(90_000);
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const runnerPath = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'kernel', 'runner.py');
    let kernel: PythonKernel | undefined;
    const llm = createLlmService({ retry: { maxAttempts: 1 } });
    const handler = createChatRequestHandler({
      createKernel: () => (kernel = createKernel({ pythonPath: slowPython, cwd: folder, runnerPath })),
      modelClient: () => ({ llm, provider: { id: 'slow', kind: 'openai', baseUrl: server.baseUrl, model: 'fake-model' } }),
    });
    pythonUp = () => !!kernel?.info;
    const sink = { markdown: () => {}, progress: () => {}, button: () => {}, reference: () => {}, anchor: () => {}, filetree: () => {}, push: () => {} };
    const cts = new vscode.CancellationTokenSource();
    try {
      const [model] = await vscode.lm.selectChatModels();
      const request = {
        prompt: 'How many rows?',
        command: 'analyze',
        references: [{ id: 'vscode.file', value: workspaceFile('sales.csv') }],
        toolReferences: [],
        toolInvocationToken: undefined,
        model: model ?? ({} as vscode.LanguageModelChat),
      } as unknown as vscode.ChatRequest;
      firstRequest = undefined;
      const asked = Date.now();
      const result = (await handler.handle(request, { history: [] }, sink as unknown as vscode.ChatResponseStream, cts.token)) ?? {};
      const first = firstRequest as { at: number; pythonUp: boolean } | undefined;
      assert.ok(first, 'the model was asked');
      assert.equal(first.pythonUp, false, '@radarm: Python was already up when the model was asked');
      console.log(`      @radarm: first model request ${first.at - asked} ms after the question (Python takes ${START_DELAY_S} s to start)`);
      assert.ok(first.at - asked < FIRST_REQUEST_BUDGET_MS, `@radarm: the first request came ${first.at - asked} ms after the question`);
      assert.equal((result as vscode.ChatResult).errorDetails, undefined, JSON.stringify(result));
    } finally {
      cts.dispose();
      await handler.dispose();
      const api = await radarm();
      pythonUp = () => !!api.controller.kernelInfo;
    }
  });

  test('choosing data files starts Python and loads them before any question', async function () {
    this.timeout(60_000);
    const api = await radarm();
    await setRadarmSetting('pythonPath', PYTHON);
    await api.controller.newChat();
    await api.controller.setSelectedFiles([]);
    assert.equal(api.controller.kernelInfo, undefined);
    const requests = server.requests.length;
    await api.controller.setSelectedFiles(['sales.csv']);
    await waitFor(() => api.controller.kernelInfo?.pid, 'Python to start after the files were chosen', 30_000);
    assert.equal(server.requests.length, requests, 'no model request was needed');
    await setRadarmSetting('pythonPath', slowPython);
  });
});
