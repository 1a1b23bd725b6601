// One conversation engine, three hosts: every scenario runs through the sidebar panel's controller,
// the @radarm participant's request handler and the CLI (dist/cli.js as a child process, with
// --session), against the same scripted model server and the real Python, and must give the same
// history, the same kernel behaviour and the same typed errors.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Mode, HistoryEntry } from '../../src/agent/types';
import { createKernel } from '../../src/kernel';
import { createLlmService } from '../../src/llm';
import type { ErrorCode, RadarmEvent } from '../../src/protocol/events';
import { PARTICIPANT_ID } from '../../src/vscode/chat-response';
import { createChatRequestHandler, type ResultMetadata } from '../../src/vscode/chat-participant';
import { startFakeLlmServer, textSteps, type FakeLlmServer, type FakeRequest, type Script } from '../helpers/fake-llm-server';
import { EXTENSION_ID, radarm, setRadarmSetting, workspaceFile } from './helpers';

const PYTHON = process.env.RADARM_TEST_PYTHON || '/usr/bin/python3';
const extensionPath = () => vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;

/** What a host reports for one turn: completed (with its output) or failed (with its code). */
interface Outcome {
  ok: boolean;
  output: string;
  code?: ErrorCode;
}

interface Conversation {
  outcomes: Outcome[];
  /** The engine's history after the last turn: what the model sees next. */
  history: HistoryEntry[];
}

interface Step {
  question: string;
  mode: Mode;
}

interface Adapter {
  name: string;
  converse(steps: Step[], opts: { python: string }): Promise<Conversation>;
}

const fence = '```';
const code = (body: string) => ({ steps: textSteps(`${fence}python\n${body}\n${fence}\n`, 8) });

function outcomeOfEvents(events: readonly RadarmEvent[]): Outcome {
  const complete = events.find((e): e is Extract<RadarmEvent, { type: 'complete' }> => e.type === 'complete');
  const error = events.find((e): e is Extract<RadarmEvent, { type: 'error' }> => e.type === 'error');
  return complete ? { ok: true, output: complete.data.execution_result ?? '' } : { ok: false, output: '', code: error?.code };
}

const panel: Adapter = {
  name: 'panel (ChatController)',
  async converse(steps, { python }) {
    const api = await radarm();
    await setRadarmSetting('pythonPath', python);
    await api.controller.newChat();
    const outcomes: Outcome[] = [];
    for (const s of steps) {
      const turn = await api.controller.runTurn(s.question, s.mode, ['sales.csv']);
      assert.ok(turn, 'the panel ran the turn');
      outcomes.push(outcomeOfEvents(turn.events));
    }
    const history = [...api.controller.engine.history];
    await api.controller.newChat();
    return { outcomes, history };
  },
};

const participant = (server: FakeLlmServer): Adapter => ({
  name: '@radarm (chat request handler)',
  async converse(steps, { python }) {
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const llm = createLlmService({ retry: { maxAttempts: 1 } });
    const handler = createChatRequestHandler({
      createKernel: () => createKernel({ pythonPath: python, cwd: folder, runnerPath: path.join(extensionPath(), 'dist', 'kernel', 'runner.py') }),
      modelClient: () => ({ llm, provider: { id: 'adapters', kind: 'openai', baseUrl: server.baseUrl, model: 'fake-model' } }),
    });
    // What VS Code hands the participant: the earlier requests and the results they returned.
    const history: unknown[] = [];
    const outcomes: Outcome[] = [];
    const [model] = await vscode.lm.selectChatModels();
    const cts = new vscode.CancellationTokenSource();
    try {
      for (const s of steps) {
        const sink = { markdown: () => {}, progress: () => {}, button: () => {}, reference: () => {}, anchor: () => {}, filetree: () => {}, push: () => {} };
        const command = s.mode === 'ask' ? 'ask' : s.mode === 'agent_multi' ? 'expert' : 'analyze';
        const request = {
          prompt: s.question,
          command,
          references: [{ id: 'vscode.file', value: workspaceFile('sales.csv') }],
          toolReferences: [],
          toolInvocationToken: undefined,
          model: model ?? ({} as vscode.LanguageModelChat),
        } as unknown as vscode.ChatRequest;
        const result = ((await handler.handle(request, { history } as unknown as vscode.ChatContext, sink as unknown as vscode.ChatResponseStream, cts.token)) ?? {}) as vscode.ChatResult;
        const meta = result.metadata as ResultMetadata | undefined;
        outcomes.push(
          result.errorDetails ? { ok: false, output: '', code: meta?.errorCode } : { ok: true, output: meta?.radarm?.output ?? '' },
        );
        history.push({ prompt: s.question, participant: PARTICIPANT_ID, command }, { participant: PARTICIPANT_ID, response: [], result });
      }
      return { outcomes, history: [...handler.engine.history] };
    } finally {
      cts.dispose();
      await handler.dispose();
    }
  },
});

const cli = (server: FakeLlmServer): Adapter => ({
  name: 'CLI (dist/cli.js --session)',
  async converse(steps, { python }) {
    const dir = mkdtempSync(path.join(tmpdir(), 'radarm-adapters-'));
    const file = path.join(dir, 'session.json');
    const outcomes: Outcome[] = [];
    try {
      for (const s of steps) {
        const args = ['chat', '--base-url', server.baseUrl, '--model', 'fake-model', '--mode', s.mode, '--python', python];
        args.push('--data', workspaceFile('sales.csv').fsPath, '--format', 'ndjson', '--session', file, s.question);
        const stdout = await runCli(args, dir);
        const events = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as RadarmEvent);
        outcomes.push(outcomeOfEvents(events));
      }
      return { outcomes, history: JSON.parse(readFileSync(file, 'utf8')).history as HistoryEntry[] };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

function runCli(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    for (const k of Object.keys(env)) if (/^(RADARM_|https?_proxy$|no_proxy$)/i.test(k)) delete env[k];
    const child = spawn(process.execPath, [path.join(extensionPath(), 'dist', 'cli.js'), ...args], { cwd, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (status) => (status === 0 || status === 1 ? resolve(out) : reject(new Error(`cli exit ${status}: ${err}`))));
  });
}

/** The history entries, without the parts that legitimately differ (none should). */
const shape = (h: HistoryEntry[]) =>
  h.map((t) => ({ question: t.question, ok: !t.error, errorCode: t.errorCode, hasCode: !!t.code, reply: t.reply.slice(0, 40) }));

suite('one engine, three hosts: panel, @radarm and the CLI give the same history, kernel behaviour and errors', () => {
  let server: FakeLlmServer;
  let adapters: Adapter[];
  let savedProviders: unknown;
  let savedDefault: unknown;
  let savedPython: unknown;
  let script: (req: FakeRequest) => Script = () => ({ steps: textSteps('unused', 2) });

  suiteSetup(async () => {
    server = await startFakeLlmServer((req) => script(req));
    const cfg = vscode.workspace.getConfiguration('radarm');
    savedProviders = cfg.inspect('providers')?.globalValue;
    savedDefault = cfg.inspect('defaultProvider')?.globalValue;
    savedPython = cfg.inspect('pythonPath')?.globalValue;
    await setRadarmSetting('providers', [
      { id: 'adapters', label: 'Adapters', kind: 'openai', baseUrl: server.baseUrl, model: 'fake-model', requiresKey: false },
    ]);
    await setRadarmSetting('defaultProvider', 'adapters');
    const api = await radarm();
    await api.controller.handleMessage({ type: 'setProvider', id: 'adapters' });
    await api.files.refresh();
    adapters = [panel, participant(server), cli(server)];
  });

  suiteTeardown(async () => {
    await setRadarmSetting('providers', savedProviders);
    await setRadarmSetting('defaultProvider', savedDefault);
    await setRadarmSetting('pythonPath', savedPython);
    await server?.close();
  });

  async function eachAdapter(steps: Step[], opts: { python?: string } = {}): Promise<Map<string, Conversation>> {
    const results = new Map<string, Conversation>();
    for (const a of adapters) {
      server.requests.length = 0;
      results.set(a.name, await a.converse(steps, { python: opts.python ?? PYTHON }));
    }
    return results;
  }

  function assertSame(results: Map<string, Conversation>): Conversation {
    const [first, ...rest] = [...results.entries()];
    for (const [name, conv] of rest) {
      assert.deepEqual(conv.outcomes, first[1].outcomes, `${name} vs ${first[0]}: outcomes`);
      assert.deepEqual(shape(conv.history), shape(first[1].history), `${name} vs ${first[0]}: history`);
    }
    return first[1];
  }

  test('a follow-up uses the variables of the first turn and sees it in its history', async function () {
    this.timeout(180_000);
    script = (req) => {
      if (req.stage === 'code_generation') {
        const prompt = JSON.stringify(req.body.messages);
        return prompt.includes('And doubled?')
          ? code('print("doubled", total * 2)')
          : code('total = int(df["units"].sum())\nprint("total", total)');
      }
      return { steps: textSteps('Explained.', 4) };
    };
    const conv = assertSame(
      await eachAdapter([
        { question: 'Total units?', mode: 'agent_single' },
        { question: 'And doubled?', mode: 'agent_single' },
      ]),
    );
    assert.equal(conv.outcomes.every((o) => o.ok), true, JSON.stringify(conv.outcomes));
    const total = Number(/total (\d+)/.exec(conv.outcomes[0].output)?.[1]);
    assert.ok(total > 0);
    assert.match(conv.outcomes[1].output, new RegExp(`doubled ${total * 2}`), 'the second turn used the first turn\'s variable');
    assert.deepEqual(conv.history.map((t) => t.question), ['Total units?', 'And doubled?']);
  });

  test('a failed turn stays in the history with what failed, so "fix it" can follow', async function () {
    this.timeout(180_000);
    let sawFailure = 0;
    script = (req) => {
      const prompt = JSON.stringify(req.body.messages);
      if (req.stage === 'code_generation') {
        if (prompt.includes('fix it')) {
          if (prompt.includes('This turn failed')) sawFailure++;
          return code('print("fixed")');
        }
        return { steps: textSteps('I would rather not write code.', 4) };
      }
      return { steps: textSteps('Explained.', 4) };
    };
    const results = await eachAdapter([
      { question: 'Plot it', mode: 'agent_single' },
      { question: 'fix it', mode: 'agent_single' },
    ]);
    const conv = assertSame(results);
    assert.deepEqual(conv.outcomes[0], { ok: false, output: '', code: 'no_code' });
    assert.equal(conv.outcomes[1].ok, true);
    assert.equal(conv.history[0].errorCode, 'no_code');
    assert.equal(sawFailure, adapters.length, 'each host sent the failed turn to the model');
  });

  test('a Python that cannot start ends the turn with the same typed error (no_python) in every host', async function () {
    this.timeout(180_000);
    script = (req) => (req.stage === 'code_generation' ? code('print(1)') : { steps: textSteps('Explained.', 4) });
    const conv = assertSame(await eachAdapter([{ question: 'Count rows', mode: 'agent_single' }], { python: '/nonexistent/python3' }));
    assert.deepEqual(conv.outcomes, [{ ok: false, output: '', code: 'no_python' }]);
    assert.equal(conv.history[0].errorCode, 'no_python');
  });
});
