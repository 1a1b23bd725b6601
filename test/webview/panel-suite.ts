// The set-up every panel suite shares: one Chromium, one panel server and one build per process, and after
// each test the check that it caused no CSP violation, no page error and no console error.
import * as assert from 'node:assert/strict';
import type { Browser, BrowserContext } from 'playwright-core';
import { build, launchChromium, openPanel, panelContext, panelState, startPanelServer, turnRecord, type Panel, type PanelServer } from './harness';

let built = false;

export interface PanelSuite {
  readonly server: PanelServer;
  /** For a test that needs a browser context of its own (permissions, another viewport). */
  readonly browser: Browser;
  /** The panels' browser context. */
  readonly context: BrowserContext;
  /** A panel with `init` sent (the state given, with the server's plotly.js). */
  panel(opts?: Parameters<typeof openPanel>[2], state?: ReturnType<typeof panelState>): Promise<Panel>;
  startTurn(p: Panel, id: string, question: string, over?: Parameters<typeof turnRecord>[2]): Promise<void>;
}

/** Call inside a `describe`: registers its before/after hooks. `defaults` apply to every panel it opens. */
export function usePanelSuite(defaults: Parameters<typeof openPanel>[2] = {}): PanelSuite {
  let browser: Browser;
  let context: BrowserContext;
  let server: PanelServer;
  const open: Panel[] = [];

  before(async () => {
    if (!built) build();
    built = true;
    server = await startPanelServer();
    browser = await launchChromium();
    context = await panelContext(browser);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(async function () {
    const pages = open.splice(0);
    for (const p of pages) {
      const violations = await p.violations();
      await p.page.close();
      if (this.currentTest?.state === 'passed') {
        assert.deepEqual(violations, [], 'CSP violations');
        assert.deepEqual(p.errors, [], 'page errors');
      }
    }
  });

  return {
    get server() {
      return server;
    },
    get browser() {
      return browser;
    },
    get context() {
      return context;
    },
    async panel(opts = {}, state = panelState()) {
      const p = await openPanel(context, server, { ...defaults, ...opts });
      open.push(p);
      await p.host({ type: 'init', state: { ...state, plotlyUri: `${server.origin}/plotly.min.js` } });
      await p.frames();
      return p;
    },
    async startTurn(p, id, question, over = {}) {
      await p.host({ type: 'turnStart', turn: turnRecord(id, question, over) });
    },
  };
}
