// The bundled CLI (dist/cli.js) as a user runs it: a real child process against the fake LLM server.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRadarmEvent, type RadarmEvent } from '../../src/protocol/events';
import { decodeSse } from '../../src/protocol/sse';
import { textSteps } from '../helpers/fake-llm-server';
import { CLI, ROOT, runCli, useCliFixture } from '../helpers/cli-process';
import { cleanEnv } from '../helpers/serve-process';
const PYTHON = process.env.RADARM_TEST_PYTHON ?? '/usr/bin/python3';
const KEY = 'sk-cli-secret-5f4e3d2c1b0a';

const run = runCli;

function ndjson(stdout: string): RadarmEvent[] {
  const lines = stdout.split('\n').filter(Boolean);
  return lines.map((l) => {
    const ev: unknown = JSON.parse(l);
    assert.ok(isRadarmEvent(ev), l);
    return ev as RadarmEvent;
  });
}

function assertEndsWith(events: RadarmEvent[], terminal: 'complete' | 'error') {
  assert.equal(events[events.length - 1].type, 'done');
  assert.equal(events[events.length - 2].type, terminal);
  assert.equal(events.filter((e) => e.type === 'done').length, 1);
}

describe('CLI (dist/cli.js)', function () {
  this.timeout(60_000);
  const fx = useCliFixture('radarm-cli-');
  const { server, base } = fx;
  let dir: string;

  before(() => {
    dir = fx.dir;
    writeFileSync(join(dir, 'sales.csv'), '地区,销售额\n华东,120.5\n华南,98\n');
  });
  beforeEach(() => {
    server.setHandler(() => ({ steps: [{ reasoning: '用户在打招呼' }, ...textSteps('你好！我能帮你分析数据。', 4)] }));
  });

  it('chat --mode ask --format ndjson "你好" prints exactly the protocol events and exits 0', async () => {
    const r = await run(['chat', '--mode', 'ask', '--base-url', server.baseUrl, '--model', 'm', '--format', 'ndjson', '你好']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const events = ndjson(r.stdout);
    assertEndsWith(events, 'complete');
    assert.deepEqual(events[0], { type: 'thinking', stage: 'explanation', content: '用户在打招呼' });
    const text = events.flatMap((e) => (e.type === 'content' ? [e.content] : [])).join('');
    assert.equal(text, '你好！我能帮你分析数据。');
    const complete = events[events.length - 2];
    assert.equal(complete.type === 'complete' && complete.data.reply, text);
    assert.equal(server.requests[0].stage, 'response');
    assert.equal(server.requests[0].body.messages.at(-1).content, '你好');
    assert.equal(server.requests[0].headers.authorization, undefined, 'no key given, none sent');
  });

  it('--format sse prints the SSE encoding', async () => {
    const r = await run([...base, '--format', 'sse', 'hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^data: \{"type":"thinking"/);
    const decoded: RadarmEvent[] = [];
    let invalid = 0;
    async function* bytes() {
      yield Buffer.from(r.stdout);
    }
    for await (const ev of decodeSse(bytes(), () => invalid++)) decoded.push(ev);
    assert.equal(invalid, 0);
    assertEndsWith(decoded, 'complete');
  });

  it('--format text (the default) prints the answer for people, without colour codes when piped', async () => {
    const r = await run([...base, 'hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Thinking/);
    assert.match(r.stdout, /用户在打招呼/);
    assert.match(r.stdout, /── Answer ──\n你好！我能帮你分析数据。\n$/);
    assert.ok(!r.stdout.includes('\x1b['), 'no ANSI codes');
    assert.match(r.stderr, /tokens: \d+ in, \d+ out/);
  });

  it('reads the message from stdin with "-"', async () => {
    const r = await run([...base, '--format', 'ndjson', '-'], { input: '今天的数据怎么样？\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.requests[0].body.messages.at(-1).content, '今天的数据怎么样？');
  });

  it('an error exits 1 and never prints the API key (flag or environment)', async () => {
    server.setHandler(() => ({ status: 401, json: { error: { message: `Incorrect API key provided: ${KEY}` } } }));
    for (const how of ['flag', 'env'] as const) {
      const args = how === 'flag' ? [...base, '--api-key', KEY, '--format', 'ndjson', 'hi'] : [...base, '--format', 'ndjson', 'hi'];
      const r = await run(args, { env: how === 'env' ? { RADARM_API_KEY: KEY } : {} });
      assert.equal(r.code, 1);
      const events = ndjson(r.stdout);
      assertEndsWith(events, 'error');
      assert.match(JSON.stringify(events), /API key was rejected by 127\.0\.0\.1:\d+ \(HTTP 401\)/);
      for (const out of [r.stdout, r.stderr]) assert.ok(!out.includes(KEY.slice(3, 12)), out);
      assert.equal(server.requests.at(-1)?.headers.authorization, `Bearer ${KEY}`);
      // A key on the command line is visible to every process of the user: said once, on stderr.
      assert.equal(r.stderr.match(/warning: the API key was given with --api-key.*RADARM_API_KEY/g)?.length ?? 0, how === 'flag' ? 1 : 0, r.stderr);
    }
    const text = await run([...base, '--api-key', KEY, 'hi']);
    assert.equal(text.code, 1);
    assert.match(text.stderr, /Error: The API key was rejected/);
    assert.ok(!(text.stdout + text.stderr).includes(KEY.slice(3, 12)));
  });

  it('a key the model streams back, split across SSE chunks, reaches neither ndjson nor text output; every line stays JSON', async () => {
    server.setHandler(() => ({ steps: textSteps(`Your key: ${KEY} (keep it).`, 3), writeBytes: 7 }));
    const nd = await run([...base, '--api-key', KEY, '--format', 'ndjson', 'hi']);
    assert.equal(nd.code, 0, nd.stderr);
    const events = ndjson(nd.stdout);
    const text = events.flatMap((e) => (e.type === 'content' ? [e.content] : [])).join('');
    assert.equal(text, 'Your key: *** (keep it).');
    const txt = await run([...base, 'hi'], { env: { RADARM_API_KEY: KEY } });
    assert.equal(txt.code, 0, txt.stderr);
    assert.match(txt.stdout, /Your key: \*\*\* \(keep it\)\./);
    for (const out of [nd.stdout, nd.stderr, txt.stdout, txt.stderr]) assert.ok(!out.includes(KEY.slice(-12)), out);
  });

  it('placeholder keys (EMPTY, lm-studio, sk-no-key-required, my-content-key) leave the events and the data intact', async () => {
    const answer = 'The content type column: EMPTY, lm-studio, sk-no-key-required, 1234567, my content key.';
    server.setHandler(() => ({ steps: textSteps(answer, 4) }));
    for (const key of ['EMPTY', 'lm-studio', 'sk-no-key-required', 'my-content-key', 'ollama']) {
      const r = await run([...base, '--api-key', key, '--format', 'ndjson', 'hi']);
      assert.equal(r.code, 0, r.stderr);
      const events = ndjson(r.stdout); // every line parses and is a protocol event
      assertEndsWith(events, 'complete');
      assert.equal(events.flatMap((e) => (e.type === 'content' ? [e.content] : [])).join(''), answer, key);
    }
  });

  it('--max-response-mb: an answer past the cap is shown up to the cap, never past it, and ends with a response_too_large error that names the flag', async () => {
    const piece = 'x'.repeat(64 * 1024);
    server.setHandler(() => ({
      steps: (function* () {
        for (let i = 0; i < 40; i++) yield { text: piece };
      })(),
    }));
    const r = await run([...base, '--max-response-mb', '1', '--format', 'ndjson', 'hi']);
    assert.equal(r.code, 1, r.stderr);
    const events = ndjson(r.stdout);
    assertEndsWith(events, 'error');
    const err = events[events.length - 2];
    assert.equal(err.type === 'error' && err.code, 'response_too_large');
    assert.match(err.type === 'error' ? err.content : '', /limit of 1 MB.*--max-response-mb/);
    const received = events.flatMap((e) => (e.type === 'content' ? [e.content] : [])).join('').length;
    assert.ok(received <= 1024 * 1024, `${received} characters passed a 1 MB cap`);
    assert.ok(received >= 1024 * 1024 - 64 * 1024, `${received} characters: the answer is shown up to the cap`);
  });

  it('a retried request shows its status line: an ndjson status event, a dimmed stderr line in text', async () => {
    let calls = 0;
    server.setHandler(() => (++calls % 2 === 1 ? { status: 503, json: { error: 'busy' } } : { steps: textSteps('ok', 1) }));
    const nd = await run([...base, '--format', 'ndjson', 'hi']);
    assert.equal(nd.code, 0, nd.stderr);
    const status = ndjson(nd.stdout).filter((e) => e.type === 'status');
    assert.equal(status.length, 1);
    assert.match(status[0].type === 'status' ? status[0].content : '', /^Server error \(HTTP 503\): retrying in 500 ms, attempt 2 of 4$/);
    const txt = await run([...base, 'hi']);
    assert.equal(txt.code, 0, txt.stderr);
    assert.match(txt.stderr, /Server error \(HTTP 503\): retrying in 500 ms, attempt 2 of 4\n/);
    assert.doesNotMatch(txt.stdout, /retrying/);
  });

  it('RADARM_REQUEST_TIMEOUT and RADARM_MAX_RESPONSE_MB below their minimum are refused, naming the variable', async () => {
    const timeout = await run([...base, 'hi'], { env: { RADARM_REQUEST_TIMEOUT: '0.001' } });
    assert.equal(timeout.code, 2);
    assert.match(timeout.stderr, /RADARM_REQUEST_TIMEOUT must be at least 1 second; got 0\.001/);
    const cap = await run([...base, 'hi'], { env: { RADARM_MAX_RESPONSE_MB: '0' } });
    assert.equal(cap.code, 2);
    assert.match(cap.stderr, /RADARM_MAX_RESPONSE_MB needs a positive number of MB/);
    assert.equal(server.requests.length, 0);
  });

  it('a stall ends with the stall-timeout error from --timeout', async () => {
    server.setHandler(() => ({ steps: [{ text: 'a' }, { stall: 30_000 }] }));
    const t0 = Date.now();
    const r = await run([...base, '--timeout', '1', '--format', 'ndjson', 'hi']);
    assert.equal(r.code, 1);
    const err = ndjson(r.stdout).find((e) => e.type === 'error');
    assert.match(err?.type === 'error' ? err.content : '', /No data from .* for 1 s/);
    assert.equal(err?.type === 'error' && err.code, 'stall');
    assert.ok(Date.now() - t0 < 20_000);
  });

  it('Ctrl-C (SIGINT) cancels: an error event, done, exit 130, and the server sees the socket close', async () => {
    server.setHandler(() => ({ steps: [{ text: 'first' }, { stall: 60_000 }] }));
    const closed = server.closedSockets;
    const child = spawn(process.execPath, [CLI, ...base, '--format', 'ndjson', 'hi'], { env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('"content"')) resolve();
      }),
    );
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, stderr);
    const events = ndjson(stdout);
    assertEndsWith(events, 'error');
    assert.match(JSON.stringify(events.at(-2)), /Cancel/);
    assert.match(stderr, /cancelling/);
    await server.waitForClosedSockets(closed + 1);
  });

  it('agent_single with --data and --python runs the generated code and completes', async () => {
    server.setHandler((req) =>
      req.stage === 'code_generation'
        ? { steps: textSteps('```python\nresult = df["销售额"].sum()\nprint("合计", result)\n```', 10) }
        : { steps: [{ text: '合计 218.5。' }] },
    );
    const r = await run(
      [...base, '--mode', 'agent_single', '--data', 'sales.csv', '--python', PYTHON, '--exec-timeout', '30', '--format', 'ndjson', '销售额合计？'],
      { cwd: dir },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const events = ndjson(r.stdout);
    assertEndsWith(events, 'complete');
    const complete = events.at(-2);
    assert.ok(complete?.type === 'complete');
    assert.match(complete.data.generated_code ?? '', /df\["销售额"\]\.sum\(\)/);
    assert.match(complete.data.execution_result ?? '', /218\.5/);
    assert.deepEqual(
      [...new Set(server.requests.map((q) => q.stage))],
      ['code_generation', 'explanation'],
    );
  });

  it('--session FILE continues a conversation: the history reaches the model, earlier variables are rebuilt, failures are kept', async () => {
    const file = join(dir, 'chat.json');
    const agent = [...base, '--mode', 'agent_single', '--python', PYTHON, '--format', 'ndjson', '--session', file];
    server.setHandler((req) =>
      req.stage === 'code_generation'
        ? { steps: textSteps('```python\ntotal = df["销售额"].sum()\nprint("合计", total)\n```', 10) }
        : { steps: [{ text: '合计 218.5。' }] },
    );
    const first = await run([...agent, '--data', 'sales.csv', '销售额合计？'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(saved.history.length, 1);
    assert.deepEqual(saved.dataFiles, [join(dir, 'sales.csv')]);

    // The second invocation names no data file and defines nothing: `total` must come from the re-run.
    server.requests.length = 0;
    server.setHandler((req) =>
      req.stage === 'code_generation'
        ? { steps: textSteps('```python\nprint("翻倍", total * 2)\n```', 10) }
        : { steps: [{ text: '翻倍 437。' }] },
    );
    const second = await run([...agent, '翻倍是多少？'], { cwd: dir });
    assert.equal(second.code, 0, second.stderr + second.stdout);
    const complete = ndjson(second.stdout).at(-2);
    assert.ok(complete?.type === 'complete');
    assert.match(complete.data.execution_result ?? '', /翻倍 437/);
    assert.ok(JSON.stringify(server.requests[0].body.messages).includes('销售额合计？'), 'the first question is history');

    // A failing turn is saved with what failed, and the next invocation's prompt carries it.
    server.setHandler(() => ({ status: 500, json: { error: { message: 'upstream exploded' } } }));
    const third = await run([...agent, '再算一次'], { cwd: dir });
    assert.equal(third.code, 1);
    const history = JSON.parse(readFileSync(file, 'utf8')).history;
    assert.equal(history.length, 3);
    assert.match(history[2].error, /upstream exploded/);
    assert.equal(history[2].errorCode !== undefined, true);
  });

  it('--session with a file that is not a session exits 2 and leaves the file alone', async () => {
    const file = join(dir, 'not-a-session.json');
    writeFileSync(file, '{"hello": 1}');
    const r = await run([...base, '--session', file, 'hi'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a Radarm session file/);
    assert.equal(readFileSync(file, 'utf8'), '{"hello": 1}');
    assert.equal(server.requests.length, 0);
  });

  describe('bad arguments exit 2 with the usage on stderr', () => {
    const cases: [string, string[], RegExp][] = [
      ['no command', [], /missing command/],
      ['unknown command', ['ask', 'hi'], /unknown command "ask"/],
      ['no message', ['chat', '--model', 'm'], /missing the message/],
      ['unknown option', ['chat', '--modle', 'm', 'hi'], /Unknown option '--modle'/],
      ['bad mode', ['chat', '--mode', 'agent', '--model', 'm', 'hi'], /--mode must be one of ask, agent_single, agent_multi/],
      ['bad provider', ['chat', '--provider', 'gemini', '--model', 'm', 'hi'], /--provider must be one of/],
      ['bad format', ['chat', '--format', 'json', '--model', 'm', 'hi'], /--format must be one of ndjson, sse, text/],
      ['no model', ['chat', 'hi'], /--model is required/],
      ['bad base URL', ['chat', '--base-url', 'api.deepseek.com', '--model', 'm', 'hi'], /full http\(s\) URL/],
      ['azure without base URL', ['chat', '--provider', 'azure', '--model', 'm', 'hi'], /--base-url is required for azure/],
      ['bad timeout', ['chat', '--timeout', 'soon', '--model', 'm', 'hi'], /--timeout needs a positive number/],
      ['timeout below the minimum (never rounded to 0)', ['chat', '--timeout', '0.0001', '--model', 'm', 'hi'], /--timeout must be at least 1 second; got 0\.0001/],
      ['exec timeout below the minimum', ['chat', '--exec-timeout', '0.01', '--model', 'm', 'hi'], /--exec-timeout must be at least 1 second/],
      ['answer cap below the minimum', ['chat', '--max-response-mb', '0.001', '--model', 'm', 'hi'], /--max-response-mb must be at least 1 MB/],
      ['answer cap not a number', ['chat', '--max-response-mb', 'lots', '--model', 'm', 'hi'], /--max-response-mb needs a positive number of MB/],
      ['missing data file', ['chat', '--data', 'nope.csv', '--model', 'm', 'hi'], /--data: no such file: nope\.csv/],
      ['missing option value with a key elsewhere', ['chat', '--api-key', KEY, '--model'], /argument missing/],
    ];
    for (const [name, args, message] of cases) {
      it(name, async () => {
        const r = await run(args);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, message);
        assert.match(r.stderr, /Usage: radarm chat/);
        assert.equal(r.stdout, '');
        assert.ok(!r.stderr.includes(KEY));
        assert.equal(server.requests.length, 0);
      });
    }
  });

  it('--help prints the usage on stdout, --version the package version', async () => {
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: radarm chat \[options\] "message"/);
    for (const opt of ['--mode', '--provider', '--base-url', '--model', '--api-key', '--data', '--python', '--timeout', '--exec-timeout', '--max-response-mb', '--format'])
      assert.ok(help.stdout.includes(opt), opt);
    const version = await run(['--version']);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(version.stdout.trim(), `radarm ${pkg.version}`);
  });
});
