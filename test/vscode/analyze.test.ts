// Analyze Data end to end in the real VS Code: a local fake LLM server (real HTTP, real SSE), the real
// Python kernel on the fixture CSV, events streamed into the real webview (checked through the driver),
// Stop, a missing key, New Chat and the notebook export. Leaves one finished and one stopped turn
// behind for the "reload" phase.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CompleteData } from '../../src/protocol/events';
import type { TurnRecord } from '../../src/protocol/messages';
import { startFakeLlmServer, textSteps, type FakeLlmServer, type FakeRequest, type Script } from '../helpers/fake-llm-server';
import { driver, driverTest, hasDriver } from './driver';
import { isAlive, radarm, setRadarmSetting, waitFor, workspaceFile } from './helpers';
import { CODE, QUESTION, REPLY } from './scenario';
import { runNotebook } from '../helpers/run-notebook';

/** The scripted model: code for code_generation, an explanation, a short answer for anything else. */
function analyst(req: FakeRequest): Script {
  if (req.stage === 'code_generation' || req.stage === 'executor')
    return { steps: textSteps(`我来按城市汇总销量。\n\n\`\`\`python\n${CODE}\n\`\`\`\n`, 3), usage: { prompt: 120, completion: 60 } };
  if (req.stage === 'explanation') return { steps: [{ reasoning: '看一下输出…' }, ...textSteps(REPLY, 2)] };
  if (req.stage === 'verifier') return { steps: textSteps('PASS', 2) };
  return { steps: textSteps('A short answer.', 2) };
}

const completeOf = (turn: TurnRecord | undefined): CompleteData | undefined =>
  turn?.events.find((e): e is Extract<typeof e, { type: 'complete' }> => e.type === 'complete')?.data;
const errorOf = (turn: TurnRecord | undefined) => turn?.events.find((e) => e.type === 'error');

suite('Analyze Data', () => {
  let server: FakeLlmServer;

  suiteSetup(async () => {
    server = await startFakeLlmServer(analyst);
    await setRadarmSetting('providers', [
      { id: 'fake', label: 'Fake LLM', kind: 'openai', baseUrl: server.baseUrl, model: 'fake-model', requiresKey: true },
      { id: 'nokey', label: 'Keyless', kind: 'openai', baseUrl: 'https://llm.invalid/v1', model: 'm' },
    ]);
    await setRadarmSetting('defaultProvider', 'fake');
    const api = await radarm();
    await vscode.commands.executeCommand('radarm.setApiKey', 'fake', 'sk-fake-key-0001');
    await api.files.refresh();
    await vscode.commands.executeCommand('radarm.chat.focus');
  });

  suiteTeardown(async () => {
    await server?.close();
  });

  test('a provider without a key ends the turn with the way to Set API Key', async () => {
    const api = await radarm();
    await vscode.workspace.getConfiguration('radarm').update('defaultProvider', 'nokey', vscode.ConfigurationTarget.Global);
    try {
      await api.controller.handleMessage({ type: 'setProvider', id: 'nokey' });
      const turn = await api.controller.runTurn('How many rows?', 'ask', []);
      const err = errorOf(turn);
      assert.ok(err && err.type === 'error');
      assert.match(err.content, /No API key is set for Keyless/);
      assert.match(err.content, /Set API Key/);
      assert.equal(turn!.events.at(-1)?.type, 'done');
      assert.equal(server.requests.length, 0, 'nothing may be sent without a key');
      if (hasDriver()) await driver.webviewWaitFor('#radarm-root', 'No API key is set for Keyless', 30_000);
    } finally {
      await api.controller.handleMessage({ type: 'setProvider', id: 'fake' });
      await setRadarmSetting('defaultProvider', 'fake');
    }
  });

  test('New Chat empties the conversation', async () => {
    const api = await radarm();
    assert.ok(api.controller.turns.length > 0);
    await vscode.commands.executeCommand('radarm.newChat');
    assert.equal(api.controller.turns.length, 0);
    if (hasDriver()) await waitFor(async () => !(await driver.webviewText())?.includes('How many rows?'), 'the panel to clear');
  });

  test('Analyze Data streams the stages into the panel and finishes with code, output and a chart', async () => {
    const api = await radarm();
    const before = server.requests.length;
    const turn = await vscode.commands.executeCommand<TurnRecord | undefined>(
      'radarm.analyzeData',
      workspaceFile('sales.csv'),
      QUESTION,
      'agent_single',
    );
    assert.ok(turn, 'the command returns the finished turn');
    assert.deepEqual(turn.dataFiles, ['sales.csv']);
    assert.equal(turn.events.at(-1)?.type, 'done');
    const err = errorOf(turn);
    assert.equal(err, undefined, `unexpected error: ${err && 'content' in err ? err.content : ''}`);
    const data = completeOf(turn);
    assert.ok(data, 'a complete event');
    assert.equal(data.reply.includes('上海'), true, data.reply);
    assert.match(data.generated_code ?? '', /groupby\("城市"\)/);
    assert.match(data.execution_result ?? '', /上海\s+47/);
    assert.match(data.image ?? '', /^data:image\/png;base64,/);
    // Stages streamed, not just the final reply.
    const stages = new Set(turn.events.map((e) => ('stage' in e ? e.stage : e.type)));
    for (const s of ['code_generation', 'execution', 'explanation']) assert.ok(stages.has(s as never), `stage ${s} missing`);
    // The requests carried the key (and only to our server) and the stage header.
    const sent = server.requests.slice(before);
    assert.ok(sent.length >= 2);
    assert.ok(sent.every((r) => r.headers.authorization === 'Bearer sk-fake-key-0001'));
    assert.ok(sent.some((r) => r.stage === 'code_generation'));
    if (hasDriver()) {
      await driver.webviewWaitFor('#radarm-root', QUESTION, 30_000);
      await driver.webviewWaitFor('#radarm-root', REPLY, 30_000);
      await waitFor(async () => (await driver.webviewCount('img[src^="data:image/png"]')) > 0, 'the chart in the panel');
      await driver.screenshot('analyze-done');
    }
  });

  // The palette flow as a user runs it: a quick pick of the workspace's data files, then an input box.
  driverTest('Analyze Data from the command palette: pick the file, type the question', async () => {
      const running = vscode.commands.executeCommand<TurnRecord | undefined>('radarm.analyzeData');
      const pick = await driver.workbenchText('.quick-input-widget', 20_000);
      assert.match(pick, /sales\.csv/);
      assert.match(pick, /data\/visits\.json/);
      await driver.type('sales.csv');
      await driver.press('Enter');
      await waitFor(async () => /What do you want to know/.test(await driver.workbenchText('.quick-input-widget')), 'the question box');
      await driver.type('每种产品的平均单价？');
      await driver.press('Enter');
      const turn = await running;
      assert.equal(turn?.question, '每种产品的平均单价？');
      assert.deepEqual(turn?.dataFiles, ['sales.csv']);
      assert.equal(turn?.events.at(-2)?.type, 'complete');
    });

  test('Insert Generated Code without an argument inserts the latest code, after a prelude that reads the data', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('radarm.insertCode');
    const editor = await waitFor(() => vscode.window.activeTextEditor, 'an editor');
    assert.equal(
      editor.document.getText(),
      `import pandas as pd\n\n# The data, read as Radarm read it\ndf = pd.read_csv("sales.csv")\n\n${CODE}\n`,
      'the code imports matplotlib itself; pandas and the data come first',
    );
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('Export Conversation as Notebook writes questions, code, outputs and the figure', async () => {
    const target = workspaceFile('exported.ipynb');
    const uri = await vscode.commands.executeCommand<vscode.Uri>('radarm.exportNotebook', target);
    assert.equal(uri?.toString(), target.toString());
    const nb = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)));
    assert.equal(nb.nbformat, 4);
    const md = nb.cells.filter((c: any) => c.cell_type === 'markdown').map((c: any) => c.source.join(''));
    assert.ok(md.some((s: string) => s.includes(QUESTION)));
    const cells = nb.cells.filter((c: any) => c.cell_type === 'code');
    assert.match(cells[0].source.join(''), /^import pandas as pd\n\n# The data, read as Radarm read it\ndf = pd\.read_csv\("sales\.csv"\)$/);
    const code = cells.find((c: any) => c.source.join('') === CODE);
    assert.ok(code, 'the generated code as a cell');
    assert.doesNotMatch(JSON.stringify(nb), /shown to the user/);
    assert.ok(code.outputs.some((o: any) => o.output_type === 'stream' && o.text.join('').includes('上海')));
    assert.ok(code.outputs.some((o: any) => o.data?.['image/png']?.length > 100));
    // VS Code itself can open it as a notebook, and a fresh Python runs it top to bottom from its folder.
    const doc = await vscode.workspace.openNotebookDocument(target);
    assert.ok(doc.cellCount >= 3);
    const printed = runNotebook(target.fsPath);
    assert.match(printed.join('\n'), /上海\s+47/);
  });

  test('Insert into a notebook cell reads the data relative to the notebook, once', async () => {
    const target = workspaceFile('notebooks', 'mine.ipynb');
    const empty = { cells: [{ cell_type: 'code', metadata: {}, source: [], outputs: [], execution_count: null }], metadata: {}, nbformat: 4, nbformat_minor: 5 };
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(JSON.stringify(empty)));
    const nb = await vscode.workspace.openNotebookDocument(target);
    await vscode.window.showNotebookDocument(nb, { selections: [new vscode.NotebookRange(0, 1)] });
    await vscode.commands.executeCommand('notebook.cell.edit');
    const cell = nb.cellAt(0).document;
    await waitFor(() => vscode.window.activeTextEditor?.document === cell, 'the cell editor to be active');
    await vscode.commands.executeCommand('radarm.insertCode');
    const first = cell.getText();
    assert.equal(first, `import pandas as pd\n\n# The data, read as Radarm read it\ndf = pd.read_csv("../sales.csv")\n\n${CODE}\n`);
    // The notebook has the prelude now: a second insert brings only the code.
    await vscode.commands.executeCommand('radarm.insertCode');
    assert.equal(cell.getText().length - first.length, CODE.length + 1, cell.getText());
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('Export Report writes one self-contained HTML file (and Markdown) with the question, code, output and figure', async () => {
    const target = workspaceFile('exported-report.html');
    const uri = await vscode.commands.executeCommand<vscode.Uri>('radarm.exportReport', target);
    assert.equal(uri?.toString(), target.toString());
    const html = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:/);
    assert.ok(html.includes(QUESTION));
    assert.match(html, /<details class="code"><summary>/);
    assert.ok(html.includes('上海'));
    assert.match(html, /<img src="data:image\/png;base64,/);
    assert.doesNotMatch(html, /(src|href)="(https?:|vscode-)/);
    const mdTarget = workspaceFile('exported-report.md');
    await vscode.commands.executeCommand('radarm.exportReport', mdTarget);
    const md = new TextDecoder().decode(await vscode.workspace.fs.readFile(mdTarget));
    assert.ok(md.includes(QUESTION));
    assert.match(md, /```python\n/);
    assert.match(md, /!\[[^\]]+\]\(data:image\/png;base64,/);
  });

  test('Stop ends a stalled stream at once and closes the connection', async () => {
    const api = await radarm();
    server.setHandler((req) =>
      req.stage === 'code_generation' ? { steps: [{ text: '正在写代码…' }, { stall: 120_000 }] } : analyst(req),
    );
    try {
      const closedBefore = server.closedSockets;
      const before = server.requests.length;
      const running = api.controller.runTurn('Stop me: 按月汇总', 'agent_single', ['sales.csv']);
      await waitFor(() => server.requests.slice(before).some((r) => r.stage === 'code_generation'), 'the code request');
      await waitFor(() => api.controller.busy, 'the turn to be busy');
      if (hasDriver()) await driver.webviewWaitFor('#radarm-root', '正在写代码', 30_000);
      const t0 = Date.now();
      assert.equal(await vscode.commands.executeCommand('radarm.stop'), true);
      const turn = await running;
      assert.ok(Date.now() - t0 < 5000, `Stop took ${Date.now() - t0} ms`);
      assert.equal(api.controller.busy, false);
      const err = errorOf(turn);
      assert.ok(err && err.type === 'error' && /Stopped/.test(err.content));
      assert.equal(turn!.events.at(-1)?.type, 'done');
      // The HTTP stream was cancelled (its socket closed), not left hanging.
      await server.waitForClosedSockets(closedBefore + 1, 10_000);
      if (hasDriver()) await driver.screenshot('analyze-stopped');
    } finally {
      server.setHandler(analyst);
    }
  });
  // The real UI path: typed into the panel's composer, posted by the webview, validated by the host.
  driverTest('a question typed in the panel runs, and the panel\'s Stop button cancels it', async () => {
      const api = await radarm();
      server.setHandler((req) =>
        req.stage === 'code_generation' ? { steps: [{ text: '面板里的问题…' }, { stall: 120_000 }] } : analyst(req),
      );
      try {
        const before = api.controller.turns.length;
        await driver.webviewType('textarea', 'Panel question: 按月汇总销量', ['Enter']);
        await waitFor(() => api.controller.busy, 'the typed question to start a turn');
        const turn = api.controller.turns.at(-1)!;
        assert.equal(api.controller.turns.length, before + 1);
        assert.equal(turn.question, 'Panel question: 按月汇总销量');
        assert.deepEqual(turn.dataFiles, ['sales.csv'], 'the panel sends its selected data files');
        await driver.webviewWaitFor('#radarm-root', '面板里的问题', 30_000);
        await driver.webviewClick('button.stop');
        await waitFor(() => !api.controller.busy, 'Stop from the panel', 10_000);
        assert.ok(turn.events.some((e) => e.type === 'error' && /Stopped/.test(e.content)));
        assert.equal(turn.events.at(-1)?.type, 'done');
      } finally {
        server.setHandler(analyst);
      }
    });

  driverTest('the panel gets its conversation back after being hidden and shown again', async () => {
      const last = (await radarm()).controller.turns.at(-1)!.question;
      await vscode.commands.executeCommand('workbench.view.explorer');
      await vscode.commands.executeCommand('radarm.chat.focus');
      // The panel renders the turns near the viewport: the latest one must be back.
      await driver.webviewWaitFor('#radarm-root', last, 30_000);
    });
  // VS Code refuses modal dialogs while extension tests run, so the test answers through the hook the
  // modal sits behind (ChatController.confirmRunner) and checks the real modal path fails closed.
  test('Confirm before running code: the code is shown first, and declining runs nothing', async () => {
    const api = await radarm();
    await setRadarmSetting('confirmBeforeRunningCode', true);
    const original = api.controller.confirmRunner;
    const asked: string[] = [];
    try {
      api.controller.confirmRunner = async (code) => (asked.push(code), false);
      const turn = await api.controller.runTurn('Confirm me: 各城市销量', 'agent_single', ['sales.csv']);
      assert.deepEqual(asked, [CODE]);
      assert.equal(turn?.events.at(-1)?.type, 'done');
      assert.equal(turn!.events.some((e) => e.type === 'content' && e.stage === 'execution'), false, 'nothing was executed');
      assert.equal(turn!.events.some((e) => e.type === 'error' && /internal error/i.test(e.content)), false);
      // The real modal cannot be shown here: it must count as "no", never as "yes" or a crash.
      api.controller.confirmRunner = original;
      const turn2 = await api.controller.runTurn('Confirm me again', 'agent_single', ['sales.csv']);
      assert.equal(turn2!.events.some((e) => e.type === 'content' && e.stage === 'execution'), false);
      assert.equal(turn2!.events.some((e) => e.type === 'error' && /internal error/i.test(e.content)), false);
    } finally {
      api.controller.confirmRunner = original;
      await setRadarmSetting('confirmBeforeRunningCode', false);
    }
  });

  // What the explorer's context menu passes: the clicked file and every selected one (non-data files dropped).
  driverTest('Analyze with Radarm on several selected files asks the question for all of them', async () => {
      const [a, b, readme] = [workspaceFile('sales.csv'), workspaceFile('data', 'visits.json'), workspaceFile('README.txt')];
      const running = vscode.commands.executeCommand<TurnRecord | undefined>('radarm.analyzeFile', a, [a, b, readme]);
      await waitFor(
        async () => /sales\.csv, data\/visits\.json/.test(await driver.workbenchText('.quick-input-widget')),
        'the question box titled with both files',
      );
      await driver.type('两个文件各有多少行？');
      await driver.press('Enter');
      const turn = await running;
      assert.equal(turn?.question, '两个文件各有多少行？');
      assert.deepEqual(turn?.dataFiles, ['sales.csv', 'data/visits.json']);
      assert.equal(turn?.events.at(-1)?.type, 'done');
      await (await radarm()).controller.setSelectedFiles(['sales.csv']);
    });

  test('New Chat ends the chat\'s Python process; Open Previous Chat brings the conversation back', async () => {
    const api = await radarm();
    const pid = api.controller.kernelInfo?.pid;
    assert.ok(pid, 'the analyses above started a kernel');
    const id = api.controller.conversationId;
    await vscode.commands.executeCommand('radarm.newChat');
    await waitFor(() => !isAlive(pid), `Python process ${pid} to end`);
    assert.equal(await vscode.commands.executeCommand('radarm.openChat', id), true);
    assert.ok(api.controller.turns.some((t) => t.question === QUESTION));
    // Ask with a data file starts this chat's kernel again (for the data profile); the "reload" phase
    // checks that the window reload ends it.
    const turn = await api.controller.runTurn('How many rows are there?', 'ask', ['sales.csv']);
    assert.equal(turn?.events.at(-2)?.type, 'complete');
    // A cold kernel does not hold up the Ask: it answers from previews while Python starts for the next one.
    const pid2 = await waitFor(() => api.controller.kernelInfo?.pid, "the chat's Python to start");
    assert.ok(isAlive(pid2));
    await vscode.workspace.fs.writeFile(workspaceFile('.kernel-pid'), new TextEncoder().encode(String(pid2)));
  });
});
