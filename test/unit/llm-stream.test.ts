// The LLM service against a real local HTTP server streaming real SSE bytes.
import * as assert from 'node:assert/strict';
import { createLlmService, type ChatRequest, type LlmStreamEvent, type Provider } from '../../src/llm';
import { textSteps, type Step } from '../helpers/fake-llm-server';
import { collect, requestsTo, useFakeLlmServer } from '../helpers/llm-fixture';

const KEY = 'sk-test-9f8e7d6c5b4a3210';

/**
 * The stream as runs of one kind: consecutive events of the same type and stage are joined, since
 * deltas that arrive in one network read are delivered as one event.
 */
function assertRuns(events: LlmStreamEvent[], expected: { type: string; stage: string; content: string }[]) {
  const runs: { type: string; stage: string; content: string }[] = [];
  for (const e of events) {
    if (e.type !== 'thinking' && e.type !== 'content') continue;
    const prev = runs[runs.length - 1];
    if (prev && prev.type === e.type && prev.stage === e.stage) prev.content += e.content;
    else runs.push({ type: e.type, stage: e.stage, content: e.content });
  }
  assert.deepEqual(runs, expected);
}

const textOf = (events: LlmStreamEvent[], type: 'content' | 'thinking') =>
  events
    .filter((e) => e.type === type)
    .map((e) => (e as { content: string }).content)
    .join('');

function last(events: LlmStreamEvent[]) {
  return events[events.length - 1];
}

describe('LLM service: streaming', function () {
  const server = useFakeLlmServer();
  // Small retry delays keep the retry tests quick; the policy itself is the production one.
  const llm = createLlmService({ retry: { minDelayMs: 20, maxDelayMs: 100 } });
  const messages: ChatRequest['messages'] = [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: '你好' },
  ];
  const { provider: openai, request } = requestsTo(server, { id: 'fake', model: 'm', apiKey: KEY, messages });

  it('streams content deltas, sends the stage header and ends with the full text and usage', async () => {
    server.setHandler(() => ({ steps: textSteps('你好，世界！Hello', 2), usage: { prompt: 12, completion: 7 } }));
    const events = await collect(llm.streamChat(request()));
    const contents = events.filter((e) => e.type === 'content');
    // Deltas that arrive in one network read come as one event; the text is exactly what was sent.
    assert.ok(contents.length >= 1 && contents.length <= 6);
    assert.equal(textOf(events, 'content'), '你好，世界！Hello');
    assert.ok(contents.every((e) => e.type === 'content' && e.stage === 'response'));
    const end = last(events);
    assert.equal(end.type, 'end');
    assert.deepEqual(end, {
      type: 'end',
      text: '你好，世界！Hello',
      reasoning: '',
      usage: { promptTokens: 12, completionTokens: 7, totalTokens: 19 },
      finishReason: 'stop',
      malformedLines: 0,
    });
    const req = server.requests[0];
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.stage, 'response');
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req.headers.accept, 'text/event-stream');
    assert.equal(req.body.model, 'm');
    assert.equal(req.body.stream, true);
    assert.deepEqual(req.body.stream_options, { include_usage: true });
    assert.deepEqual(req.body.messages, [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: '你好' },
    ]);
  });

  it('uses the request stage for the header and the events', async () => {
    server.setHandler(() => ({ steps: [{ reasoning: 'plan' }, { text: '1. load' }] }));
    const events = await collect(llm.streamChat(request({ stage: 'planner' })));
    assert.equal(server.requests[0].stage, 'planner');
    assert.deepEqual(events.slice(0, 2), [
      { type: 'thinking', stage: 'planner', content: 'plan' },
      { type: 'content', stage: 'planner', content: '1. load' },
    ]);
  });

  it("sends a provider's own headers (any spelling) once, and never lets them drop the stage header", async () => {
    server.setHandler(() => ({ steps: [{ text: 'ok' }] }));
    const provider: Provider = { ...openai(), headers: { 'X-Title': 'Radarm', 'User-Agent': 'my-gateway/1.0' } };
    await collect(llm.streamChat(request({ provider })));
    const req = server.requests[0];
    assert.equal(req.headers['x-title'], 'Radarm');
    assert.equal(req.headers['user-agent'], 'my-gateway/1.0');
    assert.equal(req.stage, 'response');
  });

  it('keeps Chinese text whole when the response arrives in 1..7-byte writes', async () => {
    const text = '数据分析：销售额同比增长 12.5%，其中华东地区贡献最大。🚀 Done.';
    for (let size = 1; size <= 7; size++) {
      server.setHandler(() => ({ steps: [{ reasoning: '先看看数据' }, ...textSteps(text, 3)], writeBytes: size }));
      const events = await collect(llm.streamChat(request()));
      const end = last(events);
      assert.equal(end.type, 'end', `write size ${size}: ${JSON.stringify(end)}`);
      assert.equal(textOf(events, 'content'), text);
      assert.equal(textOf(events, 'thinking'), '先看看数据');
      assert.ok(!textOf(events, 'content').includes('\uFFFD'));
    }
  });

  it('reads CRLF line endings, comments and keep-alives', async () => {
    server.setHandler(() => ({
      eol: '\r\n',
      steps: [{ comment: 'keep-alive' }, { text: '第一' }, { raw: ': ping\r\n\r\n' }, { comment: '' }, { text: '第二' }],
    }));
    const events = await collect(llm.streamChat(request()));
    const end = last(events);
    assert.equal(end.type, 'end');
    assert.equal(end.type === 'end' && end.text, '第一第二');
    assert.equal(end.type === 'end' && end.malformedLines, 0);
  });

  it('skips and counts malformed data lines, and the stream goes on', async () => {
    server.setHandler(() => ({
      steps: [
        { text: 'a' },
        { raw: 'data: {"choices":[{"delta":{"content":"oops"}\n\n' },
        { raw: 'this line has no colon\n\n' },
        { raw: 'data: 42\n\n' },
        { text: 'b' },
      ],
    }));
    const events = await collect(llm.streamChat(request()));
    const end = last(events);
    assert.equal(end.type, 'end', JSON.stringify(end));
    assert.equal(end.type === 'end' && end.text, 'ab');
    assert.equal(end.type === 'end' && end.malformedLines, 3);
  });

  it('turns DeepSeek reasoning_content and OpenRouter/vLLM reasoning into thinking events', async () => {
    for (const field of ['reasoning_content', 'reasoning'] as const) {
      server.setHandler(() => ({
        reasoningField: field,
        steps: [{ reasoning: '用户问' }, { reasoning: '的是…' }, { text: '答案' }],
      }));
      const events = await collect(llm.streamChat(request()));
      assertRuns(events, [
        { type: 'thinking', stage: 'explanation', content: '用户问的是…' },
        { type: 'content', stage: 'response', content: '答案' },
      ]);
      const end = last(events);
      assert.equal(end.type === 'end' && end.reasoning, '用户问的是…');
    }
  });

  it('turns inline <think>…</think> content (R1 distills on vLLM, LM Studio) into thinking events', async () => {
    server.setHandler(() => ({ steps: [{ text: '<th' }, { text: 'ink>\n先算' }, { text: '总和</thi' }, { text: 'nk>\n\n' }, { text: '总和是 5。' }] }));
    const events = await collect(llm.streamChat(request()));
    assert.equal(textOf(events, 'thinking'), '\n先算总和');
    assert.equal(textOf(events, 'content'), '总和是 5。');
    const end = last(events);
    assert.equal(end.type === 'end' && end.text, '总和是 5。');
    assert.equal(end.type === 'end' && end.reasoning, '\n先算总和');

    const chat = await llm.chat(request());
    assert.equal(chat.text, '总和是 5。');
    assert.equal(chat.reasoning, '\n先算总和');
  });

  it('speaks the Anthropic Messages API: headers, system field, thinking blocks, usage', async () => {
    server.setHandler(() => ({
      steps: [{ reasoning: 'Let me think. ' }, { reasoning: 'OK.' }, { text: 'Hi ' }, { text: 'there' }],
      usage: { prompt: 30, completion: 5 },
    }));
    const provider: Provider = { id: 'claude', kind: 'anthropic', baseUrl: server.origin, model: 'claude-x' };
    const events = await collect(
      llm.streamChat(
        request({
          provider,
          stage: 'executor',
          messages: [
            { role: 'system', content: 'sys' },
            { role: 'user', content: 'q1' },
            { role: 'user', content: 'q2' },
          ],
        }),
      ),
    );
    assertRuns(events, [
      { type: 'thinking', stage: 'executor', content: 'Let me think. OK.' },
      { type: 'content', stage: 'executor', content: 'Hi there' },
    ]);
    const end = last(events);
    assert.equal(end.type, 'end');
    assert.deepEqual(end.type === 'end' && end.usage, { promptTokens: 30, completionTokens: 5, totalTokens: 35 });
    assert.equal(end.type === 'end' && end.finishReason, 'end_turn');
    const req = server.requests[0];
    assert.equal(req.path, '/v1/messages');
    assert.equal(req.headers['x-api-key'], KEY);
    assert.equal(req.headers.authorization, undefined);
    assert.equal(req.headers['anthropic-version'], '2023-06-01');
    assert.equal(req.stage, 'executor');
    assert.equal(req.body.system, 'sys');
    assert.equal(typeof req.body.max_tokens, 'number');
    assert.deepEqual(req.body.messages, [{ role: 'user', content: 'q1\n\nq2' }]);
  });

  it('reports an Anthropic in-stream error event', async () => {
    server.setHandler(() => ({ steps: [{ text: 'part' }, { error: 'Overloaded' }], finish: false }));
    const provider: Provider = { id: 'claude', kind: 'anthropic', baseUrl: server.origin, model: 'c' };
    const events = await collect(llm.streamChat(request({ provider })));
    const end = last(events);
    assert.equal(end.type, 'error');
    assert.match(end.type === 'error' ? end.content : '', /Overloaded/);
    assert.equal(textOf(events, 'content'), 'part');
  });

  it('calls Azure deployments with api-version and the api-key header', async () => {
    server.setHandler(() => ({ steps: [{ text: 'ok' }] }));
    const provider: Provider = { id: 'az', kind: 'azure', baseUrl: server.origin, model: 'gpt4o-deploy', apiVersion: '2024-06-01' };
    const events = await collect(llm.streamChat(request({ provider })));
    assert.equal(last(events).type, 'end');
    const req = server.requests[0];
    assert.equal(req.path, '/openai/deployments/gpt4o-deploy/chat/completions');
    assert.equal(req.query.get('api-version'), '2024-06-01');
    assert.equal(req.headers['api-key'], KEY);
    assert.equal(req.headers.authorization, undefined);
  });

  it('accepts a server that answers a streaming request with one JSON body', async () => {
    server.setHandler((r) => ({
      json: {
        choices: [{ message: { role: 'assistant', content: `echo ${r.body.model}`, reasoning_content: 'hmm' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      },
    }));
    const events = await collect(llm.streamChat(request()));
    assert.deepEqual(events.slice(0, 2), [
      { type: 'thinking', stage: 'explanation', content: 'hmm' },
      { type: 'content', stage: 'response', content: 'echo m' },
    ]);
    assert.equal(last(events).type, 'end');
  });

  it('asks again without stream_options when a server rejects it, and remembers', async () => {
    server.setHandler((r) =>
      r.body.stream_options
        ? { status: 400, json: { error: { message: "Unrecognized request argument supplied: stream_options" } } }
        : { steps: [{ text: 'fine' }] },
    );
    const provider: Provider = { id: 'old', kind: 'openai', baseUrl: `${server.origin}/old/v1`, model: 'm' };
    const first = await collect(llm.streamChat(request({ provider })));
    assert.equal(last(first).type, 'end');
    assert.equal(textOf(first, 'content'), 'fine');
    assert.equal(server.requests.length, 2);
    const second = await collect(llm.streamChat(request({ provider })));
    assert.equal(last(second).type, 'end');
    assert.equal(server.requests.length, 3, 'the second call goes straight to the variant without stream_options');
  });

  it('chat(): the non-streaming call returns text, reasoning and usage', async () => {
    server.setHandler(() => ({ steps: [{ reasoning: 'r' }, { text: '全部' }, { text: '内容' }], usage: { prompt: 3, completion: 4 } }));
    const result = await llm.chat(request({ stage: 'verifier' }));
    assert.deepEqual(result, {
      ok: true,
      text: '全部内容',
      reasoning: 'r',
      usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
      finishReason: 'stop',
    });
    const req = server.requests[0];
    assert.equal(req.body.stream, false);
    assert.equal(req.body.stream_options, undefined);
    assert.equal(req.stage, 'verifier');

    const anthropic = await llm.chat(
      request({ provider: { id: 'c', kind: 'anthropic', baseUrl: server.origin, model: 'c' } }),
    );
    assert.equal(anthropic.ok, true);
    assert.equal(anthropic.text, '全部内容');
    assert.equal(anthropic.reasoning, 'r');
  });

  it('delivers each delta as soon as it arrives: deltas sent apart are separate events', async () => {
    server.setHandler(() => ({ steps: [{ text: '第一' }, { stall: 40 }, { reasoning: '想' }, { stall: 40 }, { text: '第二' }] }));
    const events = await collect(llm.streamChat(request()));
    assert.deepEqual(
      events.filter((e) => e.type !== 'end'),
      [
        { type: 'content', stage: 'response', content: '第一' },
        { type: 'thinking', stage: 'explanation', content: '想' },
        { type: 'content', stage: 'response', content: '第二' },
      ],
    );
  });

  it('lets the first delta of a burst out as its own event, before the rest of that read is parsed', async () => {
    const deltas = Array.from({ length: 50 }, (_, i) => (i % 7 === 0 ? '数据' : `d${i}`));
    const burst = deltas.map((d) => `data: ${JSON.stringify({ choices: [{ delta: { content: d } }] })}\n\n`).join('');
    server.setHandler(() => ({ steps: [{ raw: burst }] })); // one write: one read at the client
    const events = await collect(llm.streamChat(request()));
    const contents = events.filter((e) => e.type === 'content') as { content: string }[];
    assert.equal(contents[0].content, '数据');
    assert.ok(contents.length < 50, `the rest of the read stays merged (${contents.length} events)`);
    assert.equal(textOf(events, 'content'), deltas.join(''));
    assert.equal(last(events).type, 'end');
  });

  it('handles a long stream of many small chunks', async () => {
    function* many(): Generator<Step> {
      for (let i = 0; i < 3000; i++) yield { text: i % 2 ? '数' : 'a' };
    }
    server.setHandler(() => ({ steps: many() }));
    let count = 0;
    let end: LlmStreamEvent | undefined;
    for await (const ev of llm.streamChat(request())) {
      if (ev.type === 'content') count++;
      else end = ev;
    }
    assert.ok(count >= 1 && count <= 3000);
    assert.equal(end?.type, 'end');
    assert.equal(end?.type === 'end' && end.text.length, 3000);
  });
});
