import * as assert from 'node:assert/strict';
import { createVscodeLmClient } from '../../src/llm/vscode-lm';
import { pickDefaultProvider, routeByProviderKind, vscodeLmLabel, vscodeLmProvider } from '../../src/llm/vscode-lm-providers';
import type { ChatRequest, LlmClient, LlmStreamEvent, Provider } from '../../src/llm/types';
import { FakeModel, FakeTextPart, fakeApi } from './vscode-lm-fake';

const deepseek: Provider = { id: 'deepseek', kind: 'openai', baseUrl: 'https://api.deepseek.com/v1', model: 'deepseek-chat' };
const qwen: Provider = {
  id: 'qwen',
  kind: 'openai',
  baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
  model: 'qwen-plus',
};
const copilot = vscodeLmProvider({ id: 'gpt-4o', vendor: 'copilot' });
const claude = vscodeLmProvider({ id: 'claude-sonnet-4', vendor: 'copilot' });

describe('vscode-lm provider entries', () => {
  it('are plain data of kind vscode-lm, with the model id and no key', () => {
    assert.deepEqual(copilot, {
      id: 'vscode-lm:gpt-4o',
      kind: 'vscode-lm',
      baseUrl: 'vscode-lm://copilot',
      model: 'gpt-4o',
    });
    assert.equal(vscodeLmLabel({ name: 'GPT-4o', vendor: 'copilot' }), 'GPT-4o · copilot');
  });
});

describe('pickDefaultProvider', () => {
  const keys = (...ids: string[]) => (p: Provider) => ids.includes(p.id);

  it('with no key anywhere and a VS Code model available, the VS Code model is the default', () => {
    const p = pickDefaultProvider({ configured: [deepseek, qwen], vscodeLm: [copilot, claude], defaultId: 'deepseek', hasKey: keys() });
    assert.equal(p, copilot);
  });

  it('a configured provider with a key wins over VS Code models (the default setting first)', () => {
    assert.equal(
      pickDefaultProvider({ configured: [deepseek, qwen], vscodeLm: [copilot], defaultId: 'qwen', hasKey: keys('deepseek', 'qwen') }),
      qwen,
    );
    assert.equal(
      pickDefaultProvider({ configured: [deepseek, qwen], vscodeLm: [copilot], defaultId: 'deepseek', hasKey: keys('qwen') }),
      qwen,
    );
  });

  it('honours a default setting that names a VS Code model, even when keys exist', () => {
    assert.equal(
      pickDefaultProvider({ configured: [deepseek], vscodeLm: [copilot, claude], defaultId: claude.id, hasKey: keys('deepseek') }),
      claude,
    );
  });

  it('with no key and no VS Code model, falls back to the default so the user is led to Set API Key', () => {
    assert.equal(pickDefaultProvider({ configured: [deepseek, qwen], vscodeLm: [], defaultId: 'qwen', hasKey: keys() }), qwen);
    assert.equal(pickDefaultProvider({ configured: [deepseek, qwen], vscodeLm: [], hasKey: keys() }), deepseek);
    assert.equal(pickDefaultProvider({ configured: [], vscodeLm: [], hasKey: keys() }), undefined);
  });

  it('a default that needs no key (a local Ollama) stays the default; other keyless providers do not count as keyed', () => {
    const ollama: Provider = { id: 'ollama', kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:7b' };
    const needsKey = (p: Provider) => p.id !== 'ollama';
    assert.equal(pickDefaultProvider({ configured: [deepseek, ollama], vscodeLm: [copilot], defaultId: 'ollama', hasKey: keys(), needsKey }), ollama);
    assert.equal(
      pickDefaultProvider({ configured: [deepseek, ollama], vscodeLm: [copilot], defaultId: 'deepseek', hasKey: keys(), needsKey }),
      copilot,
    );
  });

  it('never asks for a key of a vscode-lm entry', () => {
    const asked: string[] = [];
    pickDefaultProvider({
      configured: [deepseek, { ...copilot, id: 'pinned-copilot' }],
      vscodeLm: [copilot],
      hasKey: (p) => (asked.push(p.id), false),
    });
    assert.deepEqual(asked, ['deepseek']);
  });
});

describe('routeByProviderKind', () => {
  it('sends vscode-lm requests to the VS Code client and the rest to the HTTP client', async () => {
    const seen: string[] = [];
    const http: LlmClient = {
      async *streamChat(r) {
        seen.push(`http:${r.provider.id}`);
        yield { type: 'end', text: 'http', reasoning: '', malformedLines: 0 };
      },
      async chat(r) {
        seen.push(`http-chat:${r.provider.id}`);
        return { ok: true, text: 'http', reasoning: '' };
      },
    };
    const vscodeLm = createVscodeLmClient(fakeApi([new FakeModel({ kind: 'parts', parts: [new FakeTextPart('lm')] })]));
    const client = routeByProviderKind(http, vscodeLm);
    const req = (provider: Provider): ChatRequest => ({ provider, messages: [{ role: 'user', content: 'hi' }], stage: 'response' });
    const last = async (it: AsyncIterable<LlmStreamEvent>) => {
      let e: LlmStreamEvent | undefined;
      for await (e of it);
      return e;
    };
    assert.deepEqual(await last(client.streamChat(req(copilot))), {
      type: 'end',
      text: 'lm',
      reasoning: '',
      finishReason: 'stop',
      malformedLines: 0,
    });
    assert.equal(((await last(client.streamChat(req(deepseek)))) as { text: string }).text, 'http');
    assert.equal((await client.chat(req(copilot))).text, 'lm');
    assert.equal((await client.chat(req(qwen))).text, 'http');
    assert.deepEqual(seen, ['http:deepseek', 'http-chat:qwen']);
  });
});
