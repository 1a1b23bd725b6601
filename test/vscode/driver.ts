// Client of the harness's driver (scripts/test-vscode.mjs): lets extension-host tests read the
// webview's DOM, press keys in the workbench and take screenshots, through 127.0.0.1 HTTP.
const url = process.env.RADARM_TEST_DRIVER;

export const hasDriver = (): boolean => !!url;

async function call<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
  if (!url) throw new Error('no test driver (RADARM_TEST_DRIVER is not set)');
  const res = await fetch(url, { method: 'POST', body: JSON.stringify({ op, ...args }) });
  const body = (await res.json()) as { ok: boolean; result?: T; error?: string };
  if (!body.ok) throw new Error(`driver ${op}: ${body.error}`);
  return body.result as T;
}

export async function currentPhase(): Promise<string> {
  return url ? call<string>('phase') : 'main';
}

export const driver = {
  webviewText: (selector?: string, timeoutMs?: number) => call<string | null>('webviewText', { selector, timeoutMs }),
  webviewWaitFor: (selector: string, text?: string, timeoutMs?: number) =>
    call<boolean>('webviewWaitFor', { selector, text, timeoutMs }),
  webviewCount: (selector: string, timeoutMs?: number) => call<number>('webviewCount', { selector, timeoutMs }),
  webviewClick: (selector: string, timeoutMs?: number) => call<boolean>('webviewClick', { selector, timeoutMs }),
  webviewType: (selector: string, text: string, keys: string[] = [], timeoutMs?: number) =>
    call<boolean>('webviewType', { selector, text, keys, timeoutMs }),
  frames: () => call<{ url: string; radarm: boolean }[]>('frames'),
  press: (key: string) => call<boolean>('press', { key }),
  type: (text: string) => call<boolean>('type', { text }),
  workbenchText: (selector: string, timeoutMs?: number) => call<string>('workbenchText', { selector, timeoutMs }),
  screenshot: (name: string) => call<string>('screenshot', { name }),
};

/** A test that needs the browser driver: reported as pending (not silently left out) where the driver is absent. */
export function driverTest(name: string, fn: Mocha.Func): void {
  if (hasDriver()) test(name, fn);
  else test(name);
}
