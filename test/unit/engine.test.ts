// The conversation engine's own rules: the preflight's typed problems, history built from events
// (failed turns kept with their code, cancelled ones not), the kernel replaced after it failed to
// start, the set-up steps (replayed code) run before the first execution, and Python warming up as
// soon as data files are chosen. Real LLM service against the scripted server, real Python.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { successfulCode, historyEntryFromEvents } from '../../src/engine/conversation-history';
import { CLI_PREFLIGHT_TEXTS, preflight, preflightMessage } from '../../src/engine/preflight';
import { createKernel } from '../../src/kernel';
import type { PythonKernel } from '../../src/kernel/types';
import type { RadarmEvent } from '../../src/protocol/events';
import { errorActions } from '../../src/protocol/error-actions';
import { TEST_PYTHON, assertContract, collect, completeOf, providerFor, py, scriptStages } from './agent-harness';
import { useAgentFixture } from './agent-fixture';

describe('engine: preflight', () => {
  const provider = { id: 'p', label: 'DeepSeek', kind: 'openai' as const, baseUrl: 'http://127.0.0.1:1/v1', model: 'm', requiresKey: true };

  it('each missing requirement is one typed problem, checked in order: provider, key, trust, data', () => {
    const ok = { mode: 'agent_single' as const, provider, apiKey: 'k', trusted: true, dataFiles: [{ name: 'a.csv', path: __filename }] };
    assert.deepEqual(preflight({ ...ok, provider: undefined }), { ok: false, problem: { code: 'no_provider' } });
    assert.deepEqual(preflight({ ...ok, apiKey: undefined }), { ok: false, problem: { code: 'no_key', provider } });
    assert.deepEqual(preflight({ ...ok, trusted: false }), { ok: false, problem: { code: 'untrusted' } });
    assert.deepEqual(preflight({ ...ok, dataFiles: [{ name: 'gone.csv', path: undefined }] }), {
      ok: false,
      problem: { code: 'data', file: 'gone.csv' },
    });
    assert.deepEqual(preflight(ok), { ok: true, ready: { provider, apiKey: 'k', dataFiles: [__filename] } });
    // Ask runs no code, so an untrusted workspace may still ask.
    assert.equal(preflight({ ...ok, mode: 'ask', trusted: false }).ok, true);
  });

  it('the CLI names its flags; the code decides the actions, whatever the words', () => {
    const m = preflightMessage({ code: 'no_key', provider }, CLI_PREFLIGHT_TEXTS);
    assert.equal(m.code, 'no_key');
    assert.match(m.content, /No API key for DeepSeek: pass --api-key or set RADARM_API_KEY/);
    assert.deepEqual(errorActions('no_key'), [{ kind: 'setApiKey' }]);
    assert.deepEqual(errorActions('auth'), [{ kind: 'setApiKey' }]);
    // A user's KeyError: 401 is a code failure, not an authentication one.
    assert.ok(!errorActions('max_rounds').some((a) => a.kind === 'setApiKey'));
  });
});

describe('engine: history from events', () => {
  const code = (text: string): RadarmEvent => ({ type: 'content', stage: 'code_generation', content: text });

  it('a failed turn keeps what failed, its code and the last code tried; a cancelled one is not kept', () => {
    const failed = historyEntryFromEvents('Plot it', [
      code('```python\nprint(df.x)\n```'),
      { type: 'content', stage: 'execution', content: "KeyError: 'x'" },
      { type: 'error', content: 'Stopped after 1 round', code: 'max_rounds' },
      { type: 'done' },
    ]);
    assert.deepEqual(failed, {
      question: 'Plot it',
      reply: '(This turn failed: Stopped after 1 round)',
      code: 'print(df.x)',
      output: "KeyError: 'x'",
      error: 'Stopped after 1 round',
      errorCode: 'max_rounds',
    });
    assert.equal(historyEntryFromEvents('Q', [{ type: 'error', content: 'Stopped.', code: 'cancelled' }, { type: 'done' }]), undefined);
    assert.deepEqual(successfulCode([failed!, { question: 'a', reply: 'b', code: 'x = 1' }]), ['x = 1']);
  });
});

describe('engine: session lifecycle (fake LLM server + real Python)', function () {
  this.timeout(90_000);
  const fx = useAgentFixture();

  it('a preflight problem ends the turn with its code, sends nothing and is not recorded', async () => {
    const s = fx.session({ provider: { ...providerFor(fx.server), requiresKey: true } });
    const events = await collect(s.run('agent_single', 'Total?'));
    assertContract(events);
    assert.deepEqual(events[0], { type: 'error', content: events[0].type === 'error' ? events[0].content : '', code: 'no_key' });
    assert.equal(fx.server.requests.length, 0);
    assert.equal(s.history.length, 0);
    assert.equal(s.kernel, undefined, 'no Python was started');
  });

  it('a kernel that could not start is replaced: the next turn starts a fresh one', async () => {
    let python = path.join(fx.dir, 'no-such-python');
    const made: PythonKernel[] = [];
    const s = fx.session({
      createKernel: () => {
        const k = createKernel({ pythonPath: python, cwd: fx.dir });
        made.push(k);
        return k;
      },
    });
    scriptStages(fx.server, { code_generation: [py('print(len(df))')], explanation: ['Four rows.'] });
    const first = await collect(s.run('agent_single', 'How many rows?'));
    const failure = first.at(-2);
    assert.ok(failure?.type === 'error');
    assert.equal(failure.code, 'no_python');
    assert.equal(s.kernel, undefined, 'the broken kernel was dropped');
    python = TEST_PYTHON; // the user fixes the setting
    const second = await collect(s.run('agent_single', 'How many rows?'));
    assert.match(completeOf(second).execution_result ?? '', /4/);
    assert.equal(made.length, 2);
    assert.equal(s.history[0].errorCode, 'no_python');
  });

  it('replayed code (a continued conversation) runs before the first execution, after the data loads', async () => {
    const s = fx.session({ replayCode: ["north = int(df[df['region'] == 'North']['sales'].sum())"] });
    scriptStages(fx.server, { code_generation: [py('print("north", north)')], explanation: ['North sold 250.'] });
    const events = await collect(s.run('agent_single', 'And the north?'));
    assert.match(completeOf(events).execution_result ?? '', /north 250/);
  });

  it('choosing data files with warmUp starts Python and loads them before any question', async () => {
    const lines: string[] = [];
    let dataReady!: () => void;
    const ready = new Promise<void>((r) => (dataReady = r));
    const s = fx.session({
      dataFiles: [],
      log: (line) => {
        lines.push(line);
        if (line.startsWith('Data ready')) dataReady();
      },
    });
    s.setDataFiles([fx.csv], { warmUp: true });
    assert.ok(s.kernel, 'the kernel was created at once');
    await ready;
    assert.ok(s.kernel.info?.pid, 'Python is up');
    assert.ok(lines.some((l) => /^Python \S+ started in \d+ ms: .* \(chosen by the interpreter setting\)/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^Data sales\.csv: 4 rows × 3 columns/.test(l)), lines.join('\n'));
    assert.equal(fx.server.requests.length, 0, 'no model request was needed');
  });
});
