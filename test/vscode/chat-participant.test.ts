// Extension-host tests of the vscode-lm provider and the @radarm chat participant, in the real VS Code.
//
// The first tests run with no language model at all (what a user without Copilot has). Then the
// test-only extension test/vscode/fixtures/fake-lm-extension (loaded beside Radarm by the harness)
// registers scripted models through VS Code's own language-model registry, so requests go through the
// real vscode.lm machinery: real LanguageModelChatMessage, CancellationToken, LanguageModelError and
// extension-host RPC. Only the model's words are scripted.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createKernel } from '../../src/kernel';
import type { LlmStreamEvent, Provider } from '../../src/llm/types';
import { vscodeLmProvider } from '../../src/llm/vscode-lm-providers';
import { createChatRequestHandler } from '../../src/vscode/chat-participant';
import type { RadarmApi } from '../../src/vscode/extension';
import { INSERT_CODE_COMMAND, PARTICIPANT_ID } from '../../src/vscode/chat-response';
import {
  createHostVscodeLmClient,
  createVscodeLmProviderList,
  listVscodeLmProviders,
  pickDefaultProvider,
  type VscodeLmProviderList,
} from '../../src/vscode/lm-provider';

const EXT_ID = 'radarm.radarm';
const FAKE_VENDOR = 'radarm-test';
const python = process.env.RADARM_TEST_PYTHON || '/usr/bin/python3';

type Recorded =
  | { kind: 'markdown'; value: string }
  | { kind: 'progress'; value: string }
  | { kind: 'button'; value: vscode.Command }
  | { kind: 'reference'; value: vscode.Uri | vscode.Location }
  | { kind: 'other'; value: unknown };

/** A ChatResponseStream that records what the participant sends, as the chat view would receive it. */
function recordingStream() {
  const parts: Recorded[] = [];
  const stream: vscode.ChatResponseStream = {
    markdown: (v) => void parts.push({ kind: 'markdown', value: typeof v === 'string' ? v : v.value }),
    progress: (v) => void parts.push({ kind: 'progress', value: v }),
    button: (c) => void parts.push({ kind: 'button', value: c }),
    reference: (v) => void parts.push({ kind: 'reference', value: v }),
    anchor: (v) => void parts.push({ kind: 'other', value: v }),
    filetree: (v) => void parts.push({ kind: 'other', value: v }),
    push: (p) => void parts.push({ kind: 'other', value: p }),
  };
  const text = () => parts.flatMap((p) => (p.kind === 'markdown' ? [p.value] : [])).join('');
  return { stream, parts, text };
}

function chatRequest(over: Partial<vscode.ChatRequest> & Pick<vscode.ChatRequest, 'model'>): vscode.ChatRequest {
  return {
    prompt: '',
    command: undefined,
    references: [],
    toolReferences: [],
    toolInvocationToken: undefined as never,
    ...over,
  };
}

async function collect(it: AsyncIterable<LlmStreamEvent>): Promise<LlmStreamEvent[]> {
  const out: LlmStreamEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

async function fakeModel(id: string): Promise<vscode.LanguageModelChat> {
  const [m] = await vscode.lm.selectChatModels({ vendor: FAKE_VENDOR, id });
  assert.ok(m, `fake model ${id} not registered (is test/vscode/fixtures/fake-lm-extension loaded by the harness?)`);
  return m;
}

interface FakeStats {
  requests: number;
  cancelled: number;
  lastMessages: { role: string; text: string }[];
  lastJustification?: string;
}
const fakeStats = async () => (await vscode.commands.executeCommand('radarmTest.fakeLm.stats')) as FakeStats;

const deepseek: Provider = { id: 'deepseek', kind: 'openai', baseUrl: 'https://api.deepseek.com/v1', model: 'deepseek-chat' };

suite('@radarm and VS Code language models', () => {
  let list: VscodeLmProviderList | undefined;
  suiteTeardown(async () => {
    list?.dispose();
    await vscode.commands.executeCommand('radarmTest.fakeLm.unregister').then(undefined, () => undefined);
  });

  test('the manifest contributes @radarm with /ask, /analyze and /expert', () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `${EXT_ID} not found`);
    const participants = ext.packageJSON.contributes?.chatParticipants as
      | { id: string; name: string; isSticky?: boolean; commands?: { name: string }[] }[]
      | undefined;
    const p = participants?.find((x) => x.id === PARTICIPANT_ID);
    assert.ok(p, 'contributes.chatParticipants has no radarm.chat-participant');
    assert.equal(p.name, 'radarm');
    assert.deepEqual(
      (p.commands ?? []).map((c) => c.name),
      ['ask', 'analyze', 'expert'],
    );
  });

  test('activation registers @radarm through the chat API, and works with no Copilot installed', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID)!;
    const api = (await ext.activate()) as { chatParticipant?: string } | undefined;
    assert.equal(ext.isActive, true);
    assert.equal(typeof vscode.chat.createChatParticipant, 'function');
    assert.equal(api?.chatParticipant, PARTICIPANT_ID, 'activate() should report the registered participant');
  });

  test('with no language model: selectChatModels is empty and no vscode-lm provider is offered', async () => {
    assert.deepEqual(await vscode.lm.selectChatModels(), []);
    assert.deepEqual(await listVscodeLmProviders(), []);
    // the sidebar's provider list (what its picker shows) has no vscode-lm entry
    const api = (await vscode.extensions.getExtension(EXT_ID)!.activate()) as RadarmApi;
    assert.deepEqual(
      api.controller.settings().providers.filter((p) => p.kind === 'vscode-lm'),
      [],
    );
    list = createVscodeLmProviderList();
    await list.ready;
    assert.deepEqual(list.providers, []);
    // no key anywhere and no model: the configured default stays (the user is led to Set API Key)
    assert.equal(pickDefaultProvider({ configured: [deepseek], vscodeLm: [], hasKey: () => false }), deepseek);
  });

  test('models that appear are offered as vscode-lm providers, and are the default when no key is set', async () => {
    const changed = new Promise<void>((resolve) => list!.onDidChange(() => resolve()));
    const ids = (await vscode.commands.executeCommand('radarmTest.fakeLm.register')) as string[];
    await changed; // the kept list follows vscode.lm.onDidChangeChatModels
    assert.ok(list!.providers.some((p) => p.id === 'vscode-lm:radarm-fake-echo' && p.requiresKey === false));
    assert.ok(ids.includes('radarm-fake-echo'));
    const entries = await listVscodeLmProviders();
    const echo = entries.find((e) => e.provider.id === 'vscode-lm:radarm-fake-echo');
    assert.ok(echo, `no vscode-lm entry for the fake model in ${JSON.stringify(entries)}`);
    assert.equal(echo.provider.kind, 'vscode-lm');
    assert.equal(echo.label, 'Fake echo · radarm-test');
    // the sidebar's picker offers it too, as a provider that needs no key
    const api = (await vscode.extensions.getExtension(EXT_ID)!.activate()) as RadarmApi;
    const inPicker = async () => api.controller.settings().providers.find((p) => p.id === 'vscode-lm:radarm-fake-echo');
    for (let i = 0; i < 50 && !(await inPicker()); i++) await new Promise((r) => setTimeout(r, 100));
    const entry = await inPicker();
    assert.ok(entry, 'the sidebar provider list has the fake model');
    assert.equal(entry.requiresKey, false);
    const chosen = pickDefaultProvider({ configured: [deepseek], vscodeLm: entries.map((e) => e.provider), hasKey: () => false });
    assert.equal(chosen?.kind, 'vscode-lm');
    assert.equal(pickDefaultProvider({ configured: [deepseek], vscodeLm: entries.map((e) => e.provider), hasKey: () => true }), deepseek);
  });

  test('a request streams through vscode.lm, with the system prompt as a leading User message', async () => {
    await fakeModel('radarm-fake-echo');
    const client = createHostVscodeLmClient({ locale: 'en' });
    const events = await collect(
      client.streamChat({
        provider: vscodeLmProvider({ id: 'radarm-fake-echo', vendor: FAKE_VENDOR }),
        messages: [
          { role: 'system', content: 'SYS' },
          { role: 'user', content: '每个城市的销量？' },
        ],
        stage: 'response',
      }),
    );
    const last = events[events.length - 1];
    assert.equal(last.type, 'end', JSON.stringify(last));
    const text = 'user:SYS\nuser:每个城市的销量？';
    assert.equal((last as { text: string }).text, text);
    const streamed = events.filter((e) => e.type === 'content');
    assert.ok(streamed.length > 3, 'the answer arrives in several parts');
    assert.equal(streamed.map((e) => (e as { content: string }).content).join(''), text);
    const stats = await fakeStats();
    assert.deepEqual(stats.lastMessages, [
      { role: 'user', text: 'SYS' },
      { role: 'user', text: '每个城市的销量？' },
    ]);
    assert.match(stats.lastJustification ?? '', /Radarm/);
  });

  test('Stop ends the stream at once with "Cancelled.", even while the model keeps sending', async () => {
    await fakeModel('radarm-fake-slow');
    const client = createHostVscodeLmClient({ locale: 'en' });
    const ac = new AbortController();
    const events: LlmStreamEvent[] = [];
    let abortedAt = 0;
    for await (const e of client.streamChat(
      { provider: vscodeLmProvider({ id: 'radarm-fake-slow', vendor: FAKE_VENDOR }), messages: [{ role: 'user', content: 'go' }], stage: 'response' },
      ac.signal,
    )) {
      events.push(e);
      if (events.length === 3) {
        abortedAt = Date.now();
        ac.abort();
      }
    }
    const stoppedIn = Date.now() - abortedAt;
    assert.deepEqual(events[events.length - 1], { type: 'error', content: 'Cancelled.', code: 'cancelled' });
    assert.equal(events.length, 4, 'nothing after the abort but the cancelled error');
    assert.ok(stoppedIn < 2000, `stopped after ${stoppedIn} ms`);
  });

  test('Blocked and NoPermissions from the real API become errors that say what to do', async () => {
    const client = createHostVscodeLmClient({ locale: 'en' });
    const run = async (id: string) => {
      const events = await collect(
        client.streamChat({ provider: vscodeLmProvider({ id, vendor: FAKE_VENDOR }), messages: [{ role: 'user', content: 'x' }], stage: 'response' }),
      );
      assert.equal(events.length, 1, JSON.stringify(events));
      assert.equal(events[0].type, 'error');
      return (events[0] as { content: string }).content;
    };
    assert.match(await run('radarm-fake-blocked'), /'Fake blocked' \(radarm-test\) was blocked \(quota or policy\): fake quota exhausted\. Wait a moment/);
    assert.match(await run('radarm-fake-denied'), /Allow Radarm to use the language model/i);
    assert.match(await run('radarm-fake-gone'), /'radarm-fake-gone' is not available.*pick another in the provider list/is);
  });

  test('a model that went away after it was picked gives the NotFound message', async () => {
    const echo = await fakeModel('radarm-fake-echo');
    await vscode.commands.executeCommand('radarmTest.fakeLm.unregister');
    try {
      const client = createHostVscodeLmClient({ model: echo, locale: 'en' });
      const events = await collect(
        client.streamChat({ provider: vscodeLmProvider(echo), messages: [{ role: 'user', content: 'x' }], stage: 'response' }),
      );
      assert.equal(events.length, 1, JSON.stringify(events));
      assert.match((events[0] as { content: string }).content, /'Fake echo' \(radarm-test\) is not available/);
    } finally {
      await vscode.commands.executeCommand('radarmTest.fakeLm.register');
    }
  });

  test('@radarm /analyze #file runs the agent with the picked model: stages, chart, code and Insert', async function () {
    this.timeout(120_000);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is open');
    const csv = vscode.Uri.joinPath(folder.uri, 'sales.csv');
    const analyst = await fakeModel('radarm-fake-analyst');
    const handler = createChatRequestHandler({
      createKernel: () =>
        createKernel({
          pythonPath: python,
          cwd: folder.uri.fsPath,
          // the runner ships beside the extension bundle (dist/kernel), not beside this test bundle
          runnerPath: path.join(vscode.extensions.getExtension(EXT_ID)!.extensionPath, 'dist', 'kernel', 'runner.py'),
        }),
      settings: () => ({ defaultMode: 'agent_single' }),
    });
    const { stream, parts, text } = recordingStream();
    const cts = new vscode.CancellationTokenSource();
    try {
      const result = await handler.handle(
        chatRequest({
          prompt: 'Which product sells most? #file:sales.csv',
          command: 'analyze',
          references: [{ id: 'vscode.file', value: csv }],
          model: analyst,
        }),
        { history: [] },
        stream,
        cts.token,
      );
      const r = (result ?? {}) as vscode.ChatResult;
      assert.equal(r.errorDetails, undefined, `${r.errorDetails?.message}\n${text()}`);
      const refs = parts.filter((p) => p.kind === 'reference').map((p) => (p.value as vscode.Uri).fsPath);
      assert.deepEqual(refs, [csv.fsPath]);
      const progress = parts.filter((p) => p.kind === 'progress').map((p) => p.value as string);
      assert.ok(progress.some((p) => p.startsWith('⚙️')), `a "running the code" progress line in ${JSON.stringify(progress)}`);
      const md = text();
      assert.match(md, /FAKE-EXPLANATION: the top line of the output is/);
      assert.match(md, /!\[Chart\]\(data:image\/png;base64,[A-Za-z0-9+/=]{100,}\)/);
      assert.match(md, /```python\n[\s\S]*groupby\(key\)[\s\S]*\n```/);
      const button = parts.find((p) => p.kind === 'button')?.value as vscode.Command | undefined;
      assert.ok(button, 'an Insert code button');
      assert.equal(button.command, INSERT_CODE_COMMAND);
      const code = button.arguments?.[0] as string;
      assert.match(code, /groupby\(key\)/);
      const meta = (r.metadata as { radarm?: { question: string; code: string | null } } | undefined)?.radarm;
      assert.equal(meta?.code, code);

      // The button's command, as the chat view would run it: the code lands in an editor.
      await vscode.commands.executeCommand(button.command, ...(button.arguments ?? []));
      const editor = vscode.window.activeTextEditor;
      assert.ok(editor?.document.getText().includes('groupby(key)'), 'the code was inserted into an editor');
    } finally {
      cts.dispose();
      await handler.dispose();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor').then(undefined, () => undefined);
    }
  });

  test('@radarm /analyze with no data file in sight explains how to attach one', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const model = await fakeModel('radarm-fake-analyst');
    let kernels = 0;
    const handler = createChatRequestHandler({
      createKernel: () => {
        kernels++;
        return createKernel({ pythonPath: python, cwd: process.cwd() });
      },
    });
    const { stream, text } = recordingStream();
    const cts = new vscode.CancellationTokenSource();
    const before = (await fakeStats()).requests;
    // The fixture workspace has more than one data file, so none is guessed.
    await handler.handle(chatRequest({ prompt: 'total?', command: 'analyze', model }), { history: [] }, stream, cts.token);
    assert.equal((await fakeStats()).requests, before, 'the model was not asked');
    assert.equal(kernels, 0, 'no Python was started');
    assert.equal(handler.engine.history.length, 0, 'nothing was recorded');
    assert.match(text(), /#file/);
    cts.dispose();
  });

  test('@radarm /ask without a question shows how to use it', async () => {
    const model = await fakeModel('radarm-fake-echo');
    const handler = createChatRequestHandler({});
    const { stream, text } = recordingStream();
    const cts = new vscode.CancellationTokenSource();
    await handler.handle(chatRequest({ prompt: '  ', command: 'ask', model }), { history: [] }, stream, cts.token);
    assert.match(text(), /@radarm \/analyze/);
    cts.dispose();
  });
});
