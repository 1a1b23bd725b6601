// A web page in real Chromium talking to a real `radarm serve` process the way the original front end's
// streamChat.js does: fetch POST /chat/stream from another origin (CORS preflight included), read the body
// stream, split it into `data:` lines, dispatch each event, render it. The page ignores the `id:` lines,
// as the original parser does, so this also checks the added ids keep old clients working.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startFakeLlmServer, textSteps, type FakeLlmServer } from '../helpers/fake-llm-server';
import { startServe, type ServeProcess } from '../helpers/serve-process';
import { build, launchChromium } from './harness';

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>streamChat</title>
<ol id="thinking"></ol>
<pre id="answer"></pre>
<pre id="code"></pre>
<p id="error"></p>
<p id="status">idle</p>
<script>
// streamChat(body, onEvent, onError, signal), as in the original design's utils/streamChat.js.
async function streamChat(body, onEvent, onError, signal) {
  try {
    const res = await fetch(API + '/chat/stream', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    if (!res.ok) throw new Error('HTTP ' + res.status + ': ' + (await res.text()));
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split('\\n');
      buffer = lines.pop();
      for (const line of lines) if (line.startsWith('data: ')) onEvent(JSON.parse(line.slice(6)));
    }
  } catch (err) {
    onError(err);
  }
}
const API = new URLSearchParams(location.search).get('api');
const $ = (id) => document.getElementById(id);
window.seen = [];
streamChat(
  { session_id: 'browser', message: '销售额合计？', mode: 'agent_single', data_files: ['sales.csv'], apiKeys: {} },
  (data) => {
    window.seen.push(data.type);
    if (data.type === 'thinking') {
      const li = document.createElement('li');
      li.textContent = '[' + data.stage + '] ' + data.content;
      $('thinking').append(li);
    } else if (data.type === 'content' && data.stage === 'explanation') {
      $('answer').textContent += data.content;
    } else if (data.type === 'complete') {
      $('code').textContent = data.data.generated_code;
    } else if (data.type === 'error') {
      $('error').textContent = data.content;
    } else if (data.type === 'done') {
      $('status').textContent = 'done';
    }
  },
  (err) => ($('error').textContent = String(err)),
);
</script>`;

describe('radarm serve from a browser page (Chromium, fetch streaming as streamChat.js)', function () {
  this.timeout(90_000);
  let browser: Browser;
  let llm: FakeLlmServer;
  let serve: ServeProcess;
  let site: Server;
  let origin: string;
  let dataRoot: string;

  before(async function () {
    this.timeout(180_000);
    build();
    llm = await startFakeLlmServer((req) =>
      req.stage === 'code_generation'
        ? { steps: textSteps('```python\nprint(df["销售额"].sum())\n```', 6) }
        : { steps: textSteps('合计是 218.5。', 2) },
    );
    dataRoot = mkdtempSync(join(tmpdir(), 'radarm-serve-browser-'));
    writeFileSync(join(dataRoot, 'sales.csv'), '地区,销售额\n华东,120.5\n华南,98\n');
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    serve = await startServe([
      '--base-url', llm.baseUrl, '--model', 'm', '--data-root', dataRoot,
      '--python', process.env.RADARM_TEST_PYTHON || '/usr/bin/python3', '--cors-origin', origin,
    ]);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    assert.equal(await serve?.stop('SIGTERM'), 0);
    await llm?.close();
    await new Promise((r) => site?.close(r));
    rmSync(dataRoot, { recursive: true, force: true });
  });

  it('renders the thinking, the streamed explanation, the code, and reaches done', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(String(e)));
    const encodings: string[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/chat/stream')) encodings.push(r.headers()['content-encoding'] ?? 'none');
    });
    await page.goto(`${origin}/?api=${encodeURIComponent(serve.url)}`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'done', undefined, { timeout: 60_000 });
    assert.equal(await page.textContent('#error'), '');
    assert.equal(await page.textContent('#answer'), '合计是 218.5。');
    assert.equal(await page.textContent('#code'), 'print(df["销售额"].sum())');
    const thinking = await page.$$eval('#thinking li', (lis) => lis.map((li) => li.textContent ?? ''));
    assert.ok(thinking.some((t) => t.startsWith('[code_generation]')), thinking.join('\n'));
    assert.ok(thinking.some((t) => t.startsWith('[execution]')), thinking.join('\n'));
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    assert.deepEqual(seen.slice(-2), ['complete', 'done']);
    assert.deepEqual(encodings, ['gzip'], 'Chromium accepts gzip, so the stream it read was compressed');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
