// "Analyze with Radarm" on a folder in the explorer, in the real VS Code: the manifest offers it on folders, and the
// command (with what the explorer passes: the folder, the selection) makes the folder one dataset of its part files,
// as the picker and `--data folder` do, answered by the real kernel with the scripted model. A folder without data
// files is refused at once, before any model call. @radarm takes an attached folder the same way.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createKernel } from '../../src/kernel';
import { createLlmService } from '../../src/llm';
import { createChatRequestHandler, type ResultMetadata } from '../../src/vscode/chat-participant';
import type { CompleteData } from '../../src/protocol/events';
import type { TurnRecord } from '../../src/protocol/messages';
import { startFakeLlmServer, textSteps, type FakeLlmServer, type FakeRequest, type Script } from '../helpers/fake-llm-server';
import { EXTENSION_ID, radarm, setRadarmSetting, workspaceFile } from './helpers';

const CODE = "t = df.groupby('region')['sales'].sum()\nprint('PARTS', len(df), t.to_dict())";

function analyst(req: FakeRequest): Script {
  if (req.stage === 'code_generation') return { steps: textSteps(`\`\`\`python\n${CODE}\n\`\`\`\n`, 5) };
  return { steps: textSteps('North sells most.', 3) };
}

const completeOf = (turn: TurnRecord | undefined): CompleteData | undefined =>
  turn?.events.find((e): e is Extract<typeof e, { type: 'complete' }> => e.type === 'complete')?.data;

suite('Analyze with Radarm on a folder', () => {
  let server: FakeLlmServer;
  const parts = workspaceFile('monthly');
  const empty = workspaceFile('notes');

  suiteSetup(async () => {
    server = await startFakeLlmServer(analyst);
    const write = (uri: vscode.Uri, text: string) => vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    await write(vscode.Uri.joinPath(parts, '2024-01.csv'), 'region,sales\nNorth,100\nSouth,20\n');
    await write(vscode.Uri.joinPath(parts, '2024-02.csv'), 'region,sales\nNorth,50\nSouth,30\n');
    await write(vscode.Uri.joinPath(parts, 'year=2025', '2025-01.csv'), 'region,sales\nNorth,1\nSouth,2\n');
    await write(vscode.Uri.joinPath(empty, 'todo.txt'), 'nothing to analyze\n');
    await setRadarmSetting('providers', [{ id: 'fakefolder', label: 'Fake folder LLM', kind: 'openai', baseUrl: server.baseUrl, model: 'm', requiresKey: false }]);
    await setRadarmSetting('defaultProvider', 'fakefolder');
    const api = await radarm();
    await api.controller.handleMessage({ type: 'setProvider', id: 'fakefolder' });
  });

  suiteTeardown(async () => {
    const api = await radarm();
    await vscode.commands.executeCommand('radarm.newChat');
    await api.controller.setSelectedFiles([]);
    await vscode.workspace.fs.delete(parts, { recursive: true });
    await vscode.workspace.fs.delete(empty, { recursive: true });
    await server?.close();
    // The next suites type into the panel: leave it shown and focused, as the suites before found it.
    await vscode.commands.executeCommand('radarm.chat.focus');
  });

  test('the explorer offers Analyze with Radarm on folders', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const entries = pkg.contributes.menus['explorer/context'] as { command: string; when: string }[];
    assert.ok(entries.some((e) => e.command === 'radarm.analyzeFile' && e.when === 'explorerResourceIsFolder'), JSON.stringify(entries));
  });

  test('a folder is one dataset of its parts (sub-folders too), answered with the right numbers', async function () {
    this.timeout(90_000);
    const api = await radarm();
    const turn = await vscode.commands.executeCommand<TurnRecord | undefined>('radarm.analyzeFile', parts, [parts], 'Which region sells most?');
    assert.deepEqual(turn?.dataFiles, ['monthly']);
    const data = completeOf(turn);
    assert.ok(data, JSON.stringify(turn?.events.filter((e) => e.type === 'error')));
    assert.match(data.execution_result ?? '', /PARTS 6 \{'North': 151, 'South': 52\}/);
    const read = data.data_files?.[0];
    assert.equal(read?.key, 'monthly');
    assert.match(read?.read.func ?? '', /^(concat|dask\.dataframe)\.read_csv$/);
    assert.ok(api.controller.selectedFiles.includes('monthly'), 'the folder is chosen in the panel like a picked dataset');
  });

  test('a folder without data files is refused at once: no turn, no model call', async () => {
    const before = server.requests.length;
    const turn = await vscode.commands.executeCommand<TurnRecord | undefined>('radarm.analyzeFile', empty, [empty], 'anything?');
    assert.equal(turn, undefined);
    assert.equal(server.requests.length, before);
  });

  test('@radarm with an attached folder answers on the folder as one dataset', async function () {
    this.timeout(90_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const llm = createLlmService({ retry: { maxAttempts: 1 } });
    const runner = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'kernel', 'runner.py');
    const handler = createChatRequestHandler({
      createKernel: () => createKernel({ pythonPath: process.env.RADARM_TEST_PYTHON || '/usr/bin/python3', cwd: workspaceFile().fsPath, runnerPath: runner }),
      modelClient: () => ({ llm, provider: { id: 'fakefolder', kind: 'openai', baseUrl: server.baseUrl, model: 'm' } }),
    });
    const refs: unknown[] = [];
    const sink = { markdown: () => {}, progress: () => {}, button: () => {}, reference: (v: unknown) => void refs.push(v), anchor: () => {}, filetree: () => {}, push: () => {} };
    const request = {
      prompt: 'Which region sells most?',
      command: 'analyze',
      references: [{ id: 'vscode.folder', value: parts }],
      toolReferences: [],
      toolInvocationToken: undefined,
      model: {},
    } as unknown as vscode.ChatRequest;
    const cts = new vscode.CancellationTokenSource();
    try {
      const result = ((await handler.handle(request, { history: [] }, sink as unknown as vscode.ChatResponseStream, cts.token)) ?? {}) as vscode.ChatResult;
      assert.equal(result.errorDetails, undefined, result.errorDetails?.message);
      assert.match((result.metadata as ResultMetadata).radarm?.output ?? '', /PARTS 6 \{'North': 151, 'South': 52\}/);
      assert.deepEqual(refs.map((r) => (r as vscode.Uri).fsPath), [parts.fsPath]);
    } finally {
      cts.dispose();
      await handler.dispose();
    }
  });
});
