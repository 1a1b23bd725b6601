// Runs the extension-host mocha suite (out/test/vscode/index.js) inside a real VS Code: code-server
// 4.100.3 (VS Code 1.100.3, real Node extension host) driven by headless Chromium. See scripts/code-server.mjs.
//
// The suite runs in phases, each in a fresh window load of the same workbench (same user data, same
// workspace), so phase "reload" really checks what survives a window reload. Between the two sides:
// - browser → harness: `codeAutomationExit(code)` (VS Code calls it when the test run ends), and the
//   extension host's console output (forwarded to the page console; printed here, mocha's summary included);
// - extension host → harness: a small HTTP "driver" on 127.0.0.1 (URL in RADARM_TEST_DRIVER) that tests
//   call to read the webview's DOM, press keys in the workbench and take screenshots (test/vscode/driver.ts).
//
// usage: node scripts/test-vscode.mjs            (exit 0 when every phase passed)
// env:   RADARM_VSCODE_TEST_TIMEOUT_MS (per phase, default 420000), DEBUG_CONSOLE=1 (print the whole page console)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { ensureCodeServer, findFrame, launchChromium, root, startCodeServer, workbenchUrl } from './code-server.mjs';

// Each phase is one load of the workbench. "reload" reloads the window of "main" (same server, same
// storage); "untrusted" opens another copy of the workspace in a VS Code with Workspace Trust on
// (Restricted Mode: the folder is not trusted and no prompt is shown).
const PHASES = [
  { name: 'main', trust: false },
  { name: 'reload', trust: false, reload: true },
  { name: 'untrusted', trust: true },
];
// Extension-host console output arrives in the page console as ['%c INFO', 'color: …', fmt, ...args]
// once the extension host's socket is up (the workbench logs the same way: its known chatter is dropped).
// Printed in order (jsonValue() is async), from the extension host's start until the test run ends.
const WORKBENCH_NOISE =
  /^\[lifecycle\]|Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin|ChatSessionStore|open-vsx\.org|\[Service Worker\]/;
// The main phase takes ~150 s on a quiet machine and ~260-300 s on a busy 2-core one (Preview Data, the databases'
// @radarm test and the folder suite added ~50 s): the limit leaves room, and a hang still ends the run.
const PHASE_TIMEOUT_MS = Number(process.env.RADARM_VSCODE_TEST_TIMEOUT_MS || 420_000);
const testsEntry = join(root, 'out', 'test', 'vscode', 'index.js');
const artifacts = join(root, 'test-artifacts');
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const note = (...a) => console.error(`[test-vscode ${elapsed()}]`, ...a);

if (!existsSync(testsEntry) || !existsSync(join(root, 'dist', 'extension.js'))) {
  note('building (out/test/vscode/index.js or dist/extension.js missing)…');
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}
await ensureCodeServer();

const state = mkdtempSync(join(tmpdir(), 'radarm-vscode-test-'));
const workspace = join(state, 'workspace');
cpSync(join(root, 'test', 'vscode', 'fixtures', 'workspace'), workspace, { recursive: true });
mkdirSync(artifacts, { recursive: true });

let server;
let browser;
let driverServer;
let exitCode = 1;
try {
  const driver = await startDriver();
  driverServer = driver.server;
  const startServer = (trust, stateDir) => {
    // Test-only scripted language models (test/vscode/chat-participant.test.ts): installed like a user's
    // extension (a second extensionDevelopmentPath is ignored by code-server); it registers models only on command.
    cpSync(join(root, 'test', 'vscode', 'fixtures', 'fake-lm-extension'), join(stateDir, 'extensions', 'radarm-test.radarm-fake-lm-0.0.1'), {
      recursive: true,
    });
    return startCodeServer({
      stateDir,
      disableWorkspaceTrust: !trust,
      env: {
        RADARM_TEST_DRIVER: driver.url,
        RADARM_TEST_PYTHON: process.env.RADARM_TEST_PYTHON || '/usr/bin/python3',
      },
      settings: {
        // The kernel needs pandas: Debian's python3 has it, the python3 on PATH may not.
        'radarm.pythonPath': process.env.RADARM_TEST_PYTHON || '/usr/bin/python3',
        ...(trust ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {}),
      },
    });
  };
  browser = await launchChromium();
  const { page } = browser;
  driver.attach(page);

  let finish;
  const console_ = forwardExtensionHostConsole(page);
  await page.exposeFunction('codeAutomationExit', (code) => {
    console_.mute();
    finish?.(code);
  });

  const results = [];
  let serverTrust;
  for (const phase of PHASES) {
    driver.phase = phase.name;
    const exited = new Promise((resolve) => (finish = resolve));
    if (phase.reload) {
      note(`phase ${phase.name}: reloading the window`);
      await page.reload(); // a real window reload: new extension host, same storage
    } else {
      if (serverTrust !== phase.trust) {
        server?.stop();
        const dir = join(state, phase.trust ? 'trusting' : 'trust-off');
        server = await startServer(phase.trust, dir);
        serverTrust = phase.trust;
        note(`code-server serving ${server.url} (workspace trust ${phase.trust ? 'on' : 'off'})`);
      }
      const folder = join(state, `workspace-${phase.name}`);
      cpSync(workspace, folder, { recursive: true });
      note(`phase ${phase.name}: loading the workbench`);
      await page.goto(workbenchUrl(server.url, { folder, extensionDevelopmentPath: root, extensionTestsPath: testsEntry }));
    }
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), PHASE_TIMEOUT_MS).unref());
    const code = await Promise.race([exited, timeout]);
    await page.screenshot({ path: join(artifacts, `vscode-${phase.name}-end.png`) }).catch(() => {});
    note(`phase ${phase.name}: exit code ${code}`);
    results.push(code);
    if (code !== 0) break;
  }
  exitCode = results.length === PHASES.length && results.every((c) => c === 0) ? 0 : 1;
} catch (err) {
  console.error('test-vscode: harness failure:', err?.stack || err);
  if (server) console.error(server.output().slice(-3000));
  exitCode = 1;
} finally {
  await browser?.close();
  server?.stop();
  driverServer?.close();
  rmSync(state, { recursive: true, force: true });
  note(`done, exit ${exitCode}`);
  // Let code-server's group receive its signals before this process goes.
  setTimeout(() => process.exit(exitCode), 300);
}

function forwardExtensionHostConsole(page) {
  let extHostUp = false;
  let chain = Promise.resolve();
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) extHostUp = false;
  });
  page.on('console', (m) => {
    const text = m.text();
    if (process.env.DEBUG_CONSOLE) console.error('[console]', m.type(), text.slice(0, 500));
    if (text.includes('Creating a socket (renderer-ExtensionHost') && text.includes('successful')) extHostUp = true;
    if (!extHostUp || !/^%c (INFO|ERR|WARN)/.test(text) || WORKBENCH_NOISE.test(text)) return;
    const args = m.args().map((a) => a.jsonValue().catch(() => '[unserialisable]'));
    chain = chain.then(async () => {
      const values = await Promise.all(args);
      const line = format(...values.slice(2));
      if (/^%c (ERR|WARN)/.test(text)) console.error(line);
      else console.log(line);
    });
  });
  return { mute: () => (extHostUp = false) };
}

// The driver the extension-host tests call (test/vscode/driver.ts): POST / with {op, ...} → JSON.
async function startDriver() {
  let page;
  const d = { phase: PHASES[0].name, attach: (p) => (page = p) };
  const rootSel = '#radarm-root';
  const webview = (timeoutMs) => findFrame(page, rootSel, timeoutMs);
  const ops = {
    phase: async () => d.phase,
    // innerText of the first element matching `selector` in the Radarm webview (null if none).
    webviewText: async ({ selector = rootSel, timeoutMs = 30_000 }) => {
      const f = await webview(timeoutMs);
      return f.$eval(selector, (el) => el.innerText).catch(() => null);
    },
    // Waits until the webview element's text contains `text` (or until any element matches `selector`).
    webviewWaitFor: async ({ selector = rootSel, text, timeoutMs = 30_000 }) => {
      const end = Date.now() + timeoutMs;
      const f = await webview(timeoutMs);
      await f.waitForFunction(
        ([sel, t]) => [...document.querySelectorAll(sel)].some((el) => (t == null ? true : el.innerText.includes(t))),
        [selector, text ?? null],
        { timeout: Math.max(1000, end - Date.now()), polling: 100 },
      );
      return true;
    },
    webviewCount: async ({ selector, timeoutMs = 30_000 }) => {
      const f = await webview(timeoutMs);
      return f.$$eval(selector, (els) => els.length);
    },
    webviewClick: async ({ selector, timeoutMs = 30_000 }) => {
      const f = await webview(timeoutMs);
      await f.click(selector, { timeout: timeoutMs });
      return true;
    },
    // Types into a webview element (focus it first); `keys` are pressed afterwards (e.g. ["Enter"]).
    webviewType: async ({ selector, text = '', keys = [], timeoutMs = 30_000 }) => {
      const f = await webview(timeoutMs);
      await f.focus(selector, { timeout: timeoutMs });
      if (text) await page.keyboard.type(text);
      for (const k of keys) await page.keyboard.press(k);
      return true;
    },
    // Every frame's URL and whether it holds the Radarm root (debugging).
    frames: async () =>
      Promise.all(page.frames().map(async (f) => ({ url: f.url().slice(0, 160), radarm: !!(await f.$(rootSel).catch(() => null)) }))),
    press: async ({ key }) => (await page.keyboard.press(key), true),
    type: async ({ text }) => (await page.keyboard.type(text), true),
    // Text of the workbench element matching selector (e.g. the quick input, notifications).
    workbenchText: async ({ selector, timeoutMs = 15_000 }) => {
      const el = await page.waitForSelector(selector, { timeout: timeoutMs, state: 'visible' });
      return el.innerText();
    },
    screenshot: async ({ name }) => {
      const safe = String(name).replace(/[^\w.-]+/g, '_');
      const path = join(artifacts, `vscode-${safe}.png`);
      await page.screenshot({ path });
      return path;
    },
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      try {
        const msg = JSON.parse(body || '{}');
        const op = ops[msg.op];
        if (!op) throw new Error(`unknown driver op ${msg.op}`);
        if (!page) throw new Error('the browser is not attached yet');
        const result = await op(msg);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
      } catch (err) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: String(err?.message || err) }));
      }
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(d, { server, url: `http://127.0.0.1:${server.address().port}` });
}
