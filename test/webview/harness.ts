// Runs the REAL built webview (dist/webview) in Debian's headless Chromium, as VS Code would:
// a page produced by our webview-html builder (so the real CSP applies) on a 127.0.0.1 server,
// a fake acquireVsCodeApi (fake-vscode-api.ts) that records what the panel posts and keeps its state across reloads,
// VS Code's theme variables, and host messages delivered with window.postMessage.
// Shared by the Chromium tests and bench/panel.ts.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RadarmEvent } from '../../src/protocol/events';
import type { HostToWebview, Locale, PanelState, TurnRecord } from '../../src/protocol/messages';
import { buildWebviewHtml } from '../../src/vscode/webview-html';
import { THEMES, type ThemeName } from './themes';
import { installFakeVsCodeApi } from './fake-vscode-api';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.mjs';
import { buildOnce } from '../helpers/build-once';

export const ROOT = join(__dirname, '..', '..');
export const DIST = join(ROOT, 'dist', 'webview');
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/** Builds the bundles once per process (the tests exercise what ships; every webview test file asks). */
export function build(): void {
  buildOnce();
  for (const f of ['main.js', 'main.css', 'codicon.css', 'plotly.min.js'])
    if (!existsSync(join(DIST, f))) throw new Error(`build did not produce dist/webview/${f}`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', ...CHROMIUM_ARGS],
  });
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.html': 'text/html; charset=utf-8',
};

export interface PanelServer {
  origin: string;
  /** Requests the server saw (path only), to prove what was (not) loaded. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves dist/webview and /panel.html?locale=… built by buildWebviewHtml. 127.0.0.1 only. */
export async function startPanelServer(): Promise<PanelServer> {
  const requests: string[] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    requests.push(url.pathname);
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end(); // VS Code webviews have none; keep the console clean
      return;
    }
    if (url.pathname === '/panel.html' || url.pathname === '/preview.html') {
      const locale = (url.searchParams.get('locale') as Locale | null) ?? 'en';
      const entry = url.pathname === '/preview.html' ? 'preview' : 'main'; // the Preview Data tab's bundle
      const html = buildWebviewHtml({
        cspSource: origin,
        scriptUri: `${origin}/${entry}.js`,
        styleUri: `${origin}/${entry}.css`,
        codiconsUri: `${origin}/codicon.css`,
        plotlyUri: `${origin}/plotly.min.js`,
        locale,
      });
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    const file = normalize(join(DIST, decodeURIComponent(url.pathname)));
    if (!file.startsWith(DIST) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface OpenOptions {
  theme?: ThemeName;
  locale?: Locale;
  width?: number;
  height?: number;
  /** The chat panel (default) or the Preview Data tab. */
  page?: 'panel' | 'preview';
}

export interface Panel {
  page: Page;
  /** Uncaught page errors and console errors. */
  errors: string[];
  /** Delivers a host message (anything: malformed ones too). */
  host(message: HostToWebview | unknown): Promise<void>;
  /** Everything the panel posted so far (since the last page load). */
  posted(): Promise<{ type: string; [k: string]: unknown }[]>;
  /** Waits until the panel posted a message matching `type` (and fields); returns it. */
  waitForPosted(type: string, fields?: Record<string, unknown>): Promise<{ type: string; [k: string]: unknown }>;
  violations(): Promise<string[]>;
  /** Resolves after two animation frames: queued events have been applied and painted. */
  frames(): Promise<void>;
  screenshot(name: string): Promise<string>;
  reload(): Promise<void>;
}

/** A browser context for panels (one per test file: new pages in it are cheap and isolated). */
export function panelContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 420, height: 760 }, deviceScaleFactor: 1 });
}

/**
 * Opens the panel in a new page (its own sessionStorage, so its own VS Code state) with a fake
 * VS Code API and the given theme; waits for `ready`. Close it with panel.page.close().
 */
export async function openPanel(context: BrowserContext, server: PanelServer, opts: OpenOptions = {}): Promise<Panel> {
  const theme = THEMES[opts.theme ?? 'dark'];
  const page = await context.newPage();
  if (opts.width || opts.height) await page.setViewportSize({ width: opts.width ?? 420, height: opts.height ?? 760 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await installFakeVsCodeApi(page, theme);
  const url = `${server.origin}/${opts.page ?? 'panel'}.html?locale=${opts.locale ?? 'en'}`;
  const panel: Panel = {
    page,
    errors,
    host: (message) => page.evaluate((m) => window.postMessage(m, '*'), message as never),
    posted: () => page.evaluate(() => (window as unknown as { __posted: never[] }).__posted),
    async waitForPosted(type, fields = {}) {
      const handle = await page.waitForFunction(
        ({ type, fields }) =>
          (window as unknown as { __posted: Record<string, unknown>[] }).__posted.find(
            (m) => m.type === type && Object.entries(fields).every(([k, v]) => JSON.stringify(m[k]) === JSON.stringify(v)),
          ),
        { type, fields },
        { timeout: 10_000 },
      );
      return (await handle.jsonValue()) as { type: string };
    },
    violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
    frames: () => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))),
    async screenshot(name) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async reload() {
      await page.reload();
      await panel.waitForPosted('ready');
    },
  };
  await page.goto(url);
  await panel.waitForPosted('ready');
  return panel;
}

export interface PanelSuite {
  readonly browser: Browser;
  /** The file's browser context (viewport 420×760); pages in it are isolated from each other. */
  readonly context: BrowserContext;
  readonly server: PanelServer;
  /** Opens a page (see openPanel) that is checked and closed after the test. */
  open(opts?: OpenOptions): Promise<Panel>;
}

/**
 * The Chromium lifecycle of a webview test file; call it inside the file's describe(). Before the tests: build
 * the bundles, start the panel server, launch Chromium once and make one context. After each test: every page
 * opened with open() is closed, and (when the test itself passed) it must have had no CSP violation and no page
 * or console error. After the tests: Chromium and the server are closed.
 */
export function panelSuite(): PanelSuite {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let server: PanelServer | undefined;
  const open: Panel[] = [];
  before(async () => {
    build();
    server = await startPanelServer();
    browser = await launchChromium();
    context = await panelContext(browser);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async function () {
    const problems: string[] = [];
    for (const p of open.splice(0)) {
      const violations = await p.violations();
      await p.page.close();
      problems.push(...violations.map((v) => `CSP violation: ${v}`), ...p.errors.map((e) => `page error: ${e}`));
    }
    if (this.currentTest?.state === 'passed') assert.deepEqual(problems, [], 'no CSP violations and no page errors');
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`panelSuite(): ${what} is used before the suite's before() hook ran`);
    return value;
  };
  return {
    get browser() {
      return ready(browser, 'browser');
    },
    get context() {
      return ready(context, 'context');
    },
    get server() {
      return ready(server, 'server');
    },
    async open(opts = {}) {
      const p = await openPanel(ready(context, 'context'), ready(server, 'server'), opts);
      open.push(p);
      return p;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Host-side fixtures

export function panelState(over: Partial<PanelState> = {}): PanelState {
  return {
    locale: 'en',
    turns: [],
    mode: 'agent_multi',
    providers: [
      { id: 'deepseek', label: 'DeepSeek', model: 'deepseek-chat', hasKey: true },
      { id: 'qwen', label: 'Qwen', model: 'qwen-plus', hasKey: true },
    ],
    providerId: 'deepseek',
    dataFiles: { available: ['data/sales.csv', 'data/销售明细.xlsx', 'reports/2025.parquet'], selected: ['data/sales.csv'] },
    busyTurnId: null,
    trusted: true,
    plotlyUri: '',
    ...over,
  };
}

export function turnRecord(id: string, question: string, over: Partial<TurnRecord> = {}): TurnRecord {
  return { id, question, mode: 'agent_multi', dataFiles: ['data/sales.csv'], events: [], startedAt: Date.now(), ...over };
}

/** Deterministic PRNG (mulberry32) so token splits are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits text into LLM-like tokens of 1–4 code points (never inside a surrogate pair). */
export function tokenize(text: string, seed = 1): string[] {
  const rnd = prng(seed);
  const cps = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < cps.length; ) {
    const n = 1 + Math.floor(rnd() * 4);
    out.push(cps.slice(i, i + n).join(''));
    i += n;
  }
  return out;
}

export function contentEvents(stage: 'response' | 'explanation' | 'planner' | 'executor' | 'verifier' | 'code_generation', text: string, seed = 1): RadarmEvent[] {
  return tokenize(text, seed).map((content) => ({ type: 'content', stage, content }));
}

/** Sends events to a turn in batches of `batch` (one host message each). */
export async function stream(panel: Panel, turnId: string, events: RadarmEvent[], batch = 25): Promise<void> {
  for (let i = 0; i < events.length; i += batch)
    await panel.host({ type: 'events', turnId, events: events.slice(i, i + batch) });
}

export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))] : 0;
};

/** Per-token cost of the first and last tenth of the frames (median and mean) and their ratios. */
export function costGrowth(samples: { ms: number; events: number }[]) {
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const head = samples.slice(0, tenth);
  const tail = samples.slice(-tenth);
  const median = (xs: typeof samples) => percentile(xs.map((s) => (1000 * s.ms) / s.events), 0.5);
  const mean = (xs: typeof samples) => (1000 * xs.reduce((a, s) => a + s.ms, 0)) / xs.reduce((a, s) => a + s.events, 0);
  const first = median(head);
  const last = median(tail);
  return { first, last, median: last / first, mean: mean(tail) / mean(head) };
}

