// Types of what TypeScript callers (test/vscode/readme-screenshots.ts) use from code-server.mjs.
import type { BrowserContext, Frame, Page } from 'playwright-core';
import type { ChildProcess } from 'node:child_process';

export declare const root: string;
export declare const cacheDir: string;
export declare const CODE_SERVER_VERSION: string;
export declare function ensureCodeServer(): Promise<string>;
export declare function freePort(): Promise<number>;
export declare function startCodeServer(opts: {
  stateDir: string;
  port?: number;
  host?: string;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  disableWorkspaceTrust?: boolean;
  locale?: string;
  quiet?: boolean;
}): Promise<{ url: string; port: number; pid: number; stop(): void; output(): string; child: ChildProcess }>;
export declare function workbenchUrl(serverUrl: string, opts: { folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string }): string;
export declare function launchChromium(opts?: { viewport?: { width: number; height: number } }): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }>;
export declare function findFrame(page: Page, selector: string, timeoutMs?: number): Promise<Frame>;
