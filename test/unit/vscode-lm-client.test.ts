import * as assert from 'node:assert/strict';
import { createVscodeLmClient, toLmMessages, type VscodeLmOptions } from '../../src/llm/vscode-lm';
import { vscodeLmProvider } from '../../src/llm/vscode-lm-providers';
import { cancelledText, describeLmError } from '../../src/llm/vscode-lm-errors';
import type { ChatRequest, LlmStreamEvent } from '../../src/llm/types';
import {
  FakeLanguageModelChatMessage,
  FakeLanguageModelError,
  FakeModel,
  FakeTextPart,
  FakeThinkingPart,
  FakeToolCallPart,
  LanguageModelThinkingPart,
  fakeApi,
  type Script,
} from './vscode-lm-fake';

async function collect(it: AsyncIterable<LlmStreamEvent>): Promise<LlmStreamEvent[]> {
  const out: LlmStreamEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  provider: vscodeLmProvider({ id: 'gpt-4o', vendor: 'copilot' }),
  messages: [
    { role: 'system', content: 'You are a data analyst.' },
    { role: 'user', content: '每个地区的销售额是多少？' },
  ],
  stage: 'response',
  ...over,
});

function setup(script: Script, extra: Partial<VscodeLmOptions> = {}) {
  const model = new FakeModel(script);
  const api = fakeApi([model]);
  const client = createVscodeLmClient({ ...api, ...extra });
  return { model, api, client };
}

const terminal = (events: LlmStreamEvent[]) => events[events.length - 1];
const contentOf = (events: LlmStreamEvent[]) =>
  events.filter((e) => e.type === 'content').map((e) => (e as { content: string }).content).join('');

describe('vscode-lm client: mapping', () => {
  it('maps the system prompt to a leading User message, keeps turn order and drops empty turns', () => {
    const msgs = toLmMessages(
      [
        { role: 'system', content: 'SYS' },
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: 'a1' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'q2' },
      ],
      FakeLanguageModelChatMessage,
    );
    assert.deepEqual(
      msgs.map((m) => [m.role as unknown as number, (m.content[0] as FakeTextPart).value]),
      [
        [1, 'SYS'],
        [1, 'q1'],
        [2, 'a1'],
        [1, 'q2'],
      ],
    );
  });

  it('streams text parts as content events of the request stage, then one end with the full text', async () => {
    const { client, model, api } = setup({
      kind: 'parts',
      parts: ['华东', '地区', ' 12.5 万', '\n'].map((t) => new FakeTextPart(t)),
    });
    const events = await collect(client.streamChat(request({ stage: 'explanation' })));
    assert.deepEqual(
      events.slice(0, -1),
      ['华东', '地区', ' 12.5 万', '\n'].map((content) => ({ type: 'content', stage: 'explanation', content })),
    );
    assert.deepEqual(terminal(events), {
      type: 'end',
      text: '华东地区 12.5 万\n',
      reasoning: '',
      finishReason: 'stop',
      malformedLines: 0,
    });
    // what the model received: the system prompt as a leading User message, a justification, our token
    assert.deepEqual(model.sent[0].messages, [
      { role: 'user', text: 'You are a data analyst.' },
      { role: 'user', text: '每个地区的销售额是多少？' },
    ]);
    assert.match(model.sent[0].options?.justification ?? '', /Radarm/);
    assert.equal(model.sent[0].token, api.sources[0].token);
    assert.equal(api.sources[0].disposed, true);
  });

  it('maps stages that have no content/thinking form onto the nearest one', async () => {
    const { client } = setup({ kind: 'parts', parts: [new FakeTextPart('x'), new LanguageModelThinkingPart('t')] });
    const events = await collect(client.streamChat(request({ stage: 'system' })));
    assert.deepEqual(events[0], { type: 'content', stage: 'response', content: 'x' });
    const thinking = await collect(setup({ kind: 'parts', parts: [new LanguageModelThinkingPart('t')] }).client.streamChat(request({ stage: 'response' })));
    assert.deepEqual(thinking[0], { type: 'thinking', stage: 'explanation', content: 't' });
  });

  it('streams thinking parts (injected class, or recognised by name) as thinking events and reasoning', async () => {
    const injected = setup(
      { kind: 'parts', parts: [new FakeThinkingPart('先看'), new FakeThinkingPart(['列名', '。']), new FakeTextPart('答案')] },
      { LanguageModelThinkingPart: FakeThinkingPart },
    );
    const ev1 = await collect(injected.client.streamChat(request({ stage: 'planner' })));
    assert.deepEqual(ev1.slice(0, 3), [
      { type: 'thinking', stage: 'planner', content: '先看' },
      { type: 'thinking', stage: 'planner', content: '列名。' },
      { type: 'content', stage: 'planner', content: '答案' },
    ]);
    assert.equal((terminal(ev1) as { reasoning: string }).reasoning, '先看列名。');

    const byName = setup({ kind: 'parts', parts: [new LanguageModelThinkingPart('hmm'), new FakeTextPart('ok')] });
    const ev2 = await collect(byName.client.streamChat(request()));
    assert.deepEqual(ev2[0], { type: 'thinking', stage: 'explanation', content: 'hmm' });
    assert.equal((terminal(ev2) as { text: string }).text, 'ok');
  });

  it('skips tool calls and unknown parts', async () => {
    const { client } = setup({
      kind: 'parts',
      parts: [new FakeToolCallPart('c1', 'x', {}), { mime: 'image/png', data: new Uint8Array(2) }, null, new FakeTextPart('only')],
    });
    const events = await collect(client.streamChat(request()));
    assert.deepEqual(events.map((e) => e.type), ['content', 'end']);
    assert.equal(contentOf(events), 'only');
  });

  it('reads response.text when a host offers no stream', async () => {
    const { client } = setup({ kind: 'textOnly', chunks: ['a', 'b'] });
    const events = await collect(client.streamChat(request()));
    assert.equal((terminal(events) as { text: string }).text, 'ab');
  });
});

describe('vscode-lm client: errors', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['NoPermissions', FakeLanguageModelError.NoPermissions('consent'), /allow Radarm to use the language model/i],
    ['NotFound', FakeLanguageModelError.NotFound(), /'GPT-4o' \(copilot\) is not available.*pick another in the provider list/is],
    ['Blocked', FakeLanguageModelError.Blocked('rate limit exceeded'), /blocked \(quota or policy\): rate limit exceeded/],
  ];
  for (const [kind, error, re] of cases) {
    it(`turns a ${kind} rejection of sendRequest into one clear error event`, async () => {
      const { client } = setup({ kind: 'reject', error });
      const events = await collect(client.streamChat(request()));
      assert.equal(events.length, 1);
      assert.equal(events[0].type, 'error');
      assert.match((events[0] as { content: string }).content, re);
    });
  }

  it('keeps the partial text and ends with an error when the stream fails midway', async () => {
    const { client } = setup({
      kind: 'parts',
      parts: [new FakeTextPart('部分')],
      throwAfter: FakeLanguageModelError.Blocked('quota exhausted'),
    });
    const events = await collect(client.streamChat(request()));
    assert.deepEqual(events[0], { type: 'content', stage: 'response', content: '部分' });
    assert.equal(events.length, 2);
    assert.match((terminal(events) as { content: string }).content, /blocked.*quota exhausted/);
  });

  it('a Blocked error without a message of its own reads cleanly', () => {
    const model = new FakeModel({ kind: 'parts', parts: [] });
    const msg = describeLmError(new FakeLanguageModelError('', 'Blocked'), model);
    assert.match(msg, /^The request to 'GPT-4o' \(copilot\) was blocked \(quota or policy\)\. Wait a moment/);
  });

  it('a model that went away while picked (a plain "not registered" error) reads as NotFound', () => {
    const model = new FakeModel({ kind: 'parts', parts: [] });
    const msg = describeLmError(new Error('Chat response provider with identifier x/gpt-4o is not registered.'), model);
    assert.match(msg, /^The model 'GPT-4o' \(copilot\) is not available/);
  });

  it('names the cause of an unknown error and says what to do', async () => {
    const err = new FakeLanguageModelError('Request failed', 'Unknown', new Error('ECONNRESET'));
    const { client } = setup({ kind: 'reject', error: err });
    const [ev] = await collect(client.streamChat(request()));
    assert.equal(ev.type, 'error');
    assert.match((ev as { content: string }).content, /'GPT-4o' \(copilot\) failed: Request failed \(ECONNRESET\)\. Try again/);
  });

  it('explains a context-length failure with the model limit', () => {
    const model = new FakeModel({ kind: 'parts', parts: [] });
    const msg = describeLmError(new Error('Message exceeds token limit.'), model);
    assert.match(msg, /too long for 'GPT-4o' \(copilot\) \(at most 64000 input tokens\)/);
  });

  it('speaks Simplified Chinese when asked', async () => {
    const { client } = setup({ kind: 'reject', error: FakeLanguageModelError.NoPermissions() }, { locale: 'zh-cn' });
    const [ev] = await collect(client.streamChat(request()));
    assert.match((ev as { content: string }).content, /请允许 Radarm 使用该语言模型/);
  });
});

describe('vscode-lm client: cancellation and timeouts', () => {
  for (const onCancel of ['end', 'throw'] as const) {
    it(`abort fires the CancellationToken and ends with a cancelled error (model ${onCancel}s on cancel)`, async () => {
      const { client, api } = setup({ kind: 'hang', parts: [new FakeTextPart('正在')], onCancel });
      const ac = new AbortController();
      const events: LlmStreamEvent[] = [];
      for await (const e of client.streamChat(request(), ac.signal)) {
        events.push(e);
        if (e.type === 'content') ac.abort();
      }
      const [src] = api.sources;
      assert.equal(src.token.isCancellationRequested, true);
      assert.equal(src.cancelCount, 1);
      assert.deepEqual(events, [
        { type: 'content', stage: 'response', content: '正在' },
        { type: 'error', content: cancelledText(), code: 'cancelled' },
      ]);
    });
  }

  it('stops promptly even when the model ignores its token', async () => {
    const { client, api } = setup({ kind: 'hangIgnoringToken', parts: [new FakeTextPart('x')] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const events = await collect(client.streamChat(request(), ac.signal));
    assert.equal(api.sources[0].token.isCancellationRequested, true);
    assert.deepEqual(terminal(events), { type: 'error', content: cancelledText(), code: 'cancelled' });
  });

  it('abort while sendRequest is pending (consent dialog open) ends with a cancelled error', async () => {
    const { client, api } = setup({ kind: 'pendingRequest' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const events = await collect(client.streamChat(request(), ac.signal));
    assert.equal(api.sources[0].token.isCancellationRequested, true);
    assert.deepEqual(events, [{ type: 'error', content: cancelledText(), code: 'cancelled' }]);
  });

  it('an already aborted signal never reaches the model', async () => {
    const { client, model } = setup({ kind: 'parts', parts: [new FakeTextPart('x')] });
    const ac = new AbortController();
    ac.abort();
    const events = await collect(client.streamChat(request(), ac.signal));
    assert.deepEqual(events, [{ type: 'error', content: cancelledText(), code: 'cancelled' }]);
    assert.equal(model.sent.length, 0);
  });

  it('a consumer that stops reading cancels the token', async () => {
    const { client, api } = setup({ kind: 'hang', parts: [new FakeTextPart('a'), new FakeTextPart('b')], onCancel: 'end' });
    for await (const e of client.streamChat(request())) if (e.type === 'content') break;
    assert.equal(api.sources[0].token.isCancellationRequested, true);
  });

  it('a model that goes quiet mid-stream is stopped by the stall timeout', async () => {
    const { client, api } = setup({ kind: 'hang', parts: [new FakeTextPart('a')], onCancel: 'end' });
    const events = await collect(client.streamChat(request({ stallTimeoutMs: 150 })));
    assert.equal(api.sources[0].token.isCancellationRequested, true);
    assert.equal(contentOf(events), 'a');
    assert.match((terminal(events) as { content: string }).content, /sent nothing for 0\.2 s; the request was stopped/);
    assert.equal(terminal(events).type, 'error');
  });

  it('the whole-request timeout stops a model that keeps trickling', async () => {
    const parts = Array.from({ length: 100 }, () => new FakeTextPart('.'));
    const { client, api } = setup({ kind: 'parts', parts, delayMs: 20 });
    const events = await collect(client.streamChat(request({ timeoutMs: 200, stallTimeoutMs: 10_000 })));
    assert.equal(api.sources[0].token.isCancellationRequested, true);
    assert.ok(contentOf(events).length < 100);
    assert.match((terminal(events) as { content: string }).content, /did not finish within/);
  });
});

describe('vscode-lm client: model choice', () => {
  const models = () => [
    new FakeModel({ kind: 'parts', parts: [new FakeTextPart('A')] }, 'gpt-4o', 'gpt-4o', 'GPT-4o'),
    new FakeModel({ kind: 'parts', parts: [new FakeTextPart('B')] }, 'claude-sonnet-4', 'claude-sonnet-4', 'Claude Sonnet 4'),
  ];
  const textOf = async (client: ReturnType<typeof createVscodeLmClient>, model: string) =>
    client.chat(request({ provider: { ...vscodeLmProvider({ id: model, vendor: 'copilot' }), model } }));

  it('selects by id, then by family, and the first model when none is named', async () => {
    const ms = models();
    const api = fakeApi(ms);
    const client = createVscodeLmClient(api);
    assert.equal((await textOf(client, 'claude-sonnet-4')).text, 'B');
    assert.deepEqual(api.selectors[0], { id: 'claude-sonnet-4' });
    ms[1].family = 'claude';
    assert.equal((await textOf(client, 'claude')).text, 'B');
    assert.equal((await textOf(client, '')).text, 'A');
  });

  it('a model that is gone gives a NotFound message; no models at all says how to get some', async () => {
    const gone = await textOf(createVscodeLmClient(fakeApi(models())), 'o1-preview');
    assert.equal(gone.ok, false);
    assert.match(gone.error ?? '', /'o1-preview' is not available.*pick another in the provider list/is);
    const none = await textOf(createVscodeLmClient(fakeApi([])), 'gpt-4o');
    assert.match(none.error ?? '', /No VS Code language model is available.*GitHub Copilot/);
    const noApi = await textOf(createVscodeLmClient({ ...fakeApi([]), selectChatModels: undefined }), 'gpt-4o');
    assert.match(noApi.error ?? '', /no language-model API/);
  });

  it('a fixed model (the chat view pick) wins over provider.model', async () => {
    const ms = models();
    const client = createVscodeLmClient({ ...fakeApi(ms), model: ms[1] });
    assert.equal((await textOf(client, 'gpt-4o')).text, 'B');
  });

  it('chat() returns the whole text, or ok=false with the error text', async () => {
    const ok = await setup({ kind: 'parts', parts: [new FakeTextPart('12'), new FakeTextPart('3')] }).client.chat(request());
    assert.deepEqual(ok, { ok: true, text: '123', reasoning: '', finishReason: 'stop' });
    const bad = await setup({ kind: 'reject', error: FakeLanguageModelError.NotFound() }).client.chat(request());
    assert.equal(bad.ok, false);
    assert.match(bad.error ?? '', /not available/);
  });
});
