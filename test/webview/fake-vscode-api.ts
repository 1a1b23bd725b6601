// The page-side half of the panel harness: before any page script runs, a fake acquireVsCodeApi that records
// what the panel posts and keeps its state in sessionStorage (so it survives reloads), a recorder of CSP
// violations, and VS Code's theme variables and body class. Used by openPanel() in harness.ts.
import type { Page } from 'playwright-core';
import type { THEMES, ThemeName } from './themes';

export async function installFakeVsCodeApi(page: Page, theme: (typeof THEMES)[ThemeName]): Promise<void> {
  // tsx compiles these tests with esbuild's keepNames, which wraps functions in __name(...):
  // functions serialised into the page need that helper there too.
  await page.addInitScript('globalThis.__name = (fn) => fn;');
  await page.addInitScript(
    ({ vars, bodyClass }) => {
      const w = window as unknown as Record<string, unknown>;
      const posted: unknown[] = [];
      const violations: string[] = [];
      w.__posted = posted;
      w.__violations = violations;
      let acquired = false;
      w.acquireVsCodeApi = () => {
        // Like VS Code: the API may be acquired once per page.
        if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
        acquired = true;
        return Object.freeze({
          postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))),
          getState: () => {
            const s = sessionStorage.getItem('vscode-state');
            return s ? JSON.parse(s) : undefined;
          },
          setState: (s: unknown) => {
            sessionStorage.setItem('vscode-state', JSON.stringify(s));
            return s;
          },
        });
      };
      document.addEventListener('securitypolicyviolation', (e) =>
        violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`),
      );
      const apply = () => {
        const html = document.documentElement;
        for (const [k, v] of Object.entries(vars)) html.style.setProperty(k, v);
        html.style.background = vars['--vscode-sideBar-background'];
        document.body.classList.add(bodyClass);
        document.body.dataset.vscodeThemeKind = bodyClass;
      };
      if (document.body) apply();
      else document.addEventListener('DOMContentLoaded', apply);
    },
    { vars: theme.vars, bodyClass: theme.bodyClass },
  );
}
