// Databases in the real VS Code: Radarm: Add Database (password to SecretStorage, never to settings), the
// connection next to the data files in the panel's picker, a SQLite file found as a data file, and a question
// about a SQLite file, a PostgreSQL and a MariaDB database answered from the panel with the right numbers and a
// chart (real servers from test/helpers/db-servers.ts, the real kernel, the scripted model). Then @radarm on the same
// connections (URL from workspace state, password from SecretStorage). Ends with New Chat.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createKernel } from '../../src/kernel';
import { createLlmService } from '../../src/llm';
import { createChatRequestHandler, type ResultMetadata } from '../../src/vscode/chat-participant';
import { participantDatabases } from '../../src/vscode/participant-databases';
import type { CompleteData } from '../../src/protocol/events';
import type { TurnRecord } from '../../src/protocol/messages';
import { startFakeLlmServer, textSteps, type FakeLlmServer, type FakeRequest, type Script } from '../helpers/fake-llm-server';
import { DB_PASSWORD, mariadb, postgres, type DbServer } from '../helpers/db-servers';
import { driver, driverTest, hasDriver } from './driver';
import { EXTENSION_ID, radarm, setRadarmSetting, waitFor, workspaceFile } from './helpers';

const SEED = `CREATE TABLE 销售 (地区 varchar(20), 金额 numeric(10,2));
INSERT INTO 销售 VALUES ('华东', 100.5), ('华南', 20), ('华东', 30), ('华北', 49.5);`;
const CODE = [
  "t = sql('SELECT 地区, SUM(金额) AS 总额 FROM 销售 GROUP BY 地区 ORDER BY 总额 DESC')",
  "t['总额'] = t['总额'].astype(float)",
  'print(t.to_string(index=False))',
  "ax = t.plot.bar(x='地区', y='总额', title='各地区销售额')",
].join('\n');

function analyst(req: FakeRequest): Script {
  if (req.stage === 'code_generation') return { steps: textSteps(`\`\`\`python\n${CODE}\n\`\`\`\n`, 5) };
  return { steps: textSteps('华东最高，130.5。', 3) };
}

const completeOf = (turn: TurnRecord | undefined): CompleteData | undefined =>
  turn?.events.find((e): e is Extract<typeof e, { type: 'complete' }> => e.type === 'complete')?.data;

suite('Databases', () => {
  let server: FakeLlmServer;
  let pg: DbServer;
  let my: DbServer;

  suiteSetup(async function () {
    this.timeout(120_000);
    server = await startFakeLlmServer(analyst);
    [pg, my] = await Promise.all([postgres(), mariadb()]);
    pg.query(`SET ROLE radarm;\n${SEED}`);
    my.query(SEED);
    const file = workspaceFile('shop.sqlite').fsPath;
    const made = spawnSync('/usr/bin/python3', ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()', file, SEED], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    await setRadarmSetting('providers', [{ id: 'fakedb', label: 'Fake DB LLM', kind: 'openai', baseUrl: server.baseUrl, model: 'm', requiresKey: false }]);
    await setRadarmSetting('defaultProvider', 'fakedb');
    const api = await radarm();
    await api.controller.handleMessage({ type: 'setProvider', id: 'fakedb' });
    await vscode.commands.executeCommand('radarm.chat.focus');
  });

  suiteTeardown(async () => {
    const api = await radarm();
    await vscode.commands.executeCommand('radarm.removeDatabase', 'shop_pg');
    await vscode.commands.executeCommand('radarm.removeDatabase', 'shop_my');
    await vscode.commands.executeCommand('radarm.newChat');
    await api.controller.setSelectedFiles([]);
    await vscode.workspace.fs.delete(workspaceFile('shop.sqlite'));
    await server?.close();
    await pg?.stop();
    await my?.stop();
  });

  test('Add Database keeps the password out of settings, selects the connection and lists it in the picker', async () => {
    const api = await radarm();
    const entry = await vscode.commands.executeCommand<string>('radarm.addDatabase', pg.url, 'shop_pg');
    assert.equal(entry, 'db:shop_pg');
    assert.ok(api.controller.selectedFiles.includes('db:shop_pg'));
    const state = await api.controller.panelState();
    assert.ok(state.dataFiles.available.includes('db:shop_pg'));
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('radarm')).includes(DB_PASSWORD), 'not in settings');
    await api.files.refresh();
    assert.ok(api.files.available.includes('shop.sqlite'), 'a SQLite file is a data file');
    if (hasDriver()) await driver.webviewWaitFor('#radarm-root', 'shop_pg', 30_000);
  });

  // `@` in the real panel: the host reads the SQLite file's and the PostgreSQL database's tables and a JSON file's
  // columns (radarm_names.py), the composer completes `table.column`, and the sent question shows the mention as a
  // chip and reaches the model. Ends by sending, which also stores the emptied draft (no leftover for later suites).
  driverTest('@ in the panel offers the tables of a SQLite file and of PostgreSQL; the sent mention is a chip and reaches the model exactly', async function () {
    this.timeout(120_000);
    const api = await radarm();
    await api.controller.setSelectedFiles(['shop.sqlite', 'db:shop_pg', 'data/visits.json']);
    // A JSON file's columns come from Python too (not from a header the host reads).
    await driver.webviewType('textarea', '@visi');
    await driver.webviewWaitFor('.mention-item .mention-detail', 'visits.json', 60_000);
    await driver.webviewType('textarea', '', ['Escape']);
    await driver.webviewType('textarea', '', ['Control+A', 'Backspace']);
    await driver.webviewWaitFor('textarea:placeholder-shown', undefined, 10_000);
    await driver.webviewType('textarea', '@销售.金');
    await driver.webviewWaitFor('.mention-item .mention-detail', 'shop_pg', 60_000);
    assert.equal(await driver.webviewCount('.mention-item'), 2, 'the column of 销售 in both sources');
    assert.match((await driver.webviewText('.mention-item'))!, /销售\.金额\s+shop\.sqlite/);
    await driver.screenshot('mentions-tables');
    const before = server.requests.length;
    await driver.webviewType('textarea', '', ['Enter']);
    await driver.webviewType('textarea', '各地区合计？', ['Enter']);
    await waitFor(() => api.controller.turns.at(-1)?.question === '@`销售.金额` 各地区合计？', 'the question with the mention');
    await waitFor(() => !api.controller.busy, 'the turn to end', 90_000);
    await driver.webviewWaitFor('.question .mention-chip', '销售.金额', 10_000);
    await driver.webviewClick('.turn:last-of-type .question'); // scrolls the sent question into view for the screenshot
    const sent = server.requests.slice(before).map((r) => JSON.stringify(r.body?.messages ?? []));
    assert.ok(sent.some((m) => m.includes('@`销售.金额`')), 'the model got the exact backquoted name');
    assert.ok(!JSON.stringify(api.controller.turns.at(-1)).includes(DB_PASSWORD));
    await driver.screenshot('mentions-sent');
    await driver.webviewWaitFor('textarea:placeholder-shown', undefined, 10_000); // sending emptied the composer
  });

  for (const [label, sources] of [
    ['a SQLite file', ['shop.sqlite']],
    ['PostgreSQL', ['db:shop_pg']],
    ['MariaDB', ['db:shop_my']],
  ] as const) {
    test(`a question about ${label} from the panel gets the right numbers and a chart`, async function () {
      this.timeout(90_000);
      const api = await radarm();
      if (label === 'MariaDB') await vscode.commands.executeCommand('radarm.addDatabase', my.url, 'shop_my');
      const turn = await api.controller.runTurn('各地区的销售额？画柱状图', 'agent_single', [...sources]);
      const data = completeOf(turn);
      assert.ok(data, JSON.stringify(turn?.events.filter((e) => e.type === 'error')));
      assert.match(data.execution_result ?? '', /华东\s+130\.5/);
      assert.match(data.execution_result ?? '', /华北\s+49\.5/);
      assert.ok(data.image?.startsWith('data:image/png;base64,'), 'a chart');
      assert.ok(!JSON.stringify(turn).includes(DB_PASSWORD), 'the password is in no event');
      if (hasDriver()) await waitFor(async () => (await driver.webviewText())?.includes('130.5'), 'the answer in the panel', 30_000);
    });
  }

  test('@radarm answers from the workspace\'s connections: the panel\'s chosen one, else every one added', async function () {
    this.timeout(120_000);
    const api = await radarm();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const llm = createLlmService({ retry: { maxAttempts: 1 } });
    const runner = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'kernel', 'runner.py');
    const handler = createChatRequestHandler({
      createKernel: () => createKernel({ pythonPath: process.env.RADARM_TEST_PYTHON || '/usr/bin/python3', cwd: workspaceFile().fsPath, runnerPath: runner }),
      modelClient: () => ({ llm, provider: { id: 'fakedb', kind: 'openai', baseUrl: server.baseUrl, model: 'm' } }),
      // The extension's own wiring (extension.ts), on its own registry.
      databases: participantDatabases(api.databases, () => api.controller.selectedFiles),
    });
    const cts = new vscode.CancellationTokenSource();
    const ask = async () => {
      const parts: string[] = [];
      const buttons: vscode.Command[] = [];
      const sink = { markdown: (v: string | vscode.MarkdownString) => void parts.push(typeof v === 'string' ? v : v.value), progress: () => {}, button: (c: vscode.Command) => void buttons.push(c), reference: () => {}, anchor: () => {}, filetree: () => {}, push: () => {} };
      const request = { prompt: '各地区的销售额？画柱状图', command: 'analyze', references: [], toolReferences: [], toolInvocationToken: undefined, model: {} } as unknown as vscode.ChatRequest;
      server.requests.length = 0;
      const result = ((await handler.handle(request, { history: [] }, sink as unknown as vscode.ChatResponseStream, cts.token)) ?? {}) as vscode.ChatResult;
      assert.equal(result.errorDetails, undefined, `${result.errorDetails?.message}\n${parts.join('')}`);
      const prompt = JSON.stringify(server.requests.find((r) => r.stage === 'code_generation') ?? server.requests[0]);
      return { output: (result.metadata as ResultMetadata).radarm?.output ?? '', text: parts.join(''), prompt, insert: buttons[0] };
    };
    try {
      await api.controller.setSelectedFiles(['db:shop_pg']);
      const chosen = await ask();
      assert.match(chosen.output, /华东\s+130\.5/);
      assert.match(chosen.text, /华北/);
      assert.match(chosen.prompt, /### database shop_pg \(PostgreSQL/);
      assert.doesNotMatch(chosen.prompt, /### database shop_my/, 'only the chosen connection');
      assert.ok(!JSON.stringify(handler.engine.history).includes(DB_PASSWORD), 'no password in the history');
      // The Insert code button, as the chat view runs it: the code comes with sql() and db for this connection.
      assert.ok(chosen.insert, 'an Insert code button');
      await vscode.commands.executeCommand(chosen.insert.command, ...(chosen.insert.arguments ?? []));
      const inserted = vscode.window.activeTextEditor?.document.getText() ?? '';
      assert.match(inserted, /^db = connect_db\("postgresql\+psycopg2:\/\/radarm@127\.0\.0\.1:\d+\/shop", "RADARM_DB_PASSWORD"\)$/m);
      assert.match(inserted, /^def sql\(query, source=None, max_rows=None, params=None\):$/m);
      assert.ok(!inserted.includes(DB_PASSWORD), 'no password in the inserted code');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

      await api.controller.setSelectedFiles([]);
      const all = await ask();
      assert.match(all.output, /华东\s+130\.5/);
      assert.match(all.prompt, /### database shop_pg \(PostgreSQL/);
      assert.match(all.prompt, /### database shop_my \(MySQL\/MariaDB/);
      assert.ok(!all.prompt.includes(DB_PASSWORD) && !all.text.includes(DB_PASSWORD), 'the password reaches neither the model nor the chat');
    } finally {
      cts.dispose();
      await handler.dispose();
    }
  });
});
