// Checks a packaged .vsix the way an Open VSX editor installs it: `code-server --install-extension` (code-server
// takes its extensions from Open VSX) into a fresh extensions folder, then a fresh code-server with a data
// folder, headless Chromium clicks the Radarm icon and waits for the panel to show the host's state (the
// extension activated, its webview loaded and talking to it). Screenshot: test-artifacts/vsix-panel.png.
//
// usage: node scripts/check-vsix.mjs [radarm.vsix]        (npm run package first)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureCodeServer, findFrame, launchChromium, root, startCodeServer, workbenchUrl } from './code-server.mjs';

const vsix = resolve(process.argv[2] || join(root, 'radarm.vsix'));
if (!existsSync(vsix)) {
  console.error(`${vsix} does not exist: run npm run package first.`);
  process.exit(1);
}
const note = (s) => console.error(`[check-vsix] ${s}`);
const { name, publisher, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const state = mkdtempSync(join(tmpdir(), 'radarm-vsix-'));
let server;
let browser;
let code = 1;
try {
  const bin = await ensureCodeServer();
  const extensions = join(state, 'extensions');
  mkdirSync(extensions, { recursive: true });
  const inst = spawnSync(bin, ['--extensions-dir', extensions, '--user-data-dir', join(state, 'user-data'), '--install-extension', vsix], {
    encoding: 'utf8',
  });
  note(`install: ${(inst.stdout + inst.stderr).trim().split('\n').filter(Boolean).slice(-2).join(' | ')}`);
  if (inst.status !== 0) throw new Error(`--install-extension exited ${inst.status}`);
  const installed = readdirSync(extensions).find((d) => d.toLowerCase() === `${publisher}.${name}-${version}`.toLowerCase());
  if (!installed) throw new Error(`not in the extensions folder: ${readdirSync(extensions).join(', ')}`);
  note(`installed as ${installed}`);

  const folder = join(state, 'workspace');
  cpSync(join(root, 'demo'), folder, { recursive: true });
  server = await startCodeServer({ stateDir: state, settings: { 'radarm.pythonPath': process.env.RADARM_TEST_PYTHON || '/usr/bin/python3' } });
  browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  const { page } = browser;
  await page.goto(workbenchUrl(server.url, { folder }));
  const icon = page.locator('.activitybar [aria-label^="Radarm"]').first();
  await icon.waitFor({ timeout: 60_000 });
  await icon.click();
  const frame = await findFrame(page, '#radarm-root', 60_000);
  // The host's state arrived (the default provider's name): the extension host side is running too.
  await frame.locator('option[value="deepseek"]').first().waitFor({ state: 'attached', timeout: 60_000 });
  const text = (await frame.locator('#radarm-root').innerText()).replace(/\s+/g, ' ').slice(0, 160);
  mkdirSync(join(root, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: join(root, 'test-artifacts', 'vsix-panel.png') });
  note(`the panel rendered: "${text}"`);
  code = 0;
} catch (err) {
  console.error(`[check-vsix] FAILED: ${err?.stack || err}`);
  if (server) console.error(server.output().slice(-3000));
} finally {
  await browser?.close();
  server?.stop();
  setTimeout(() => {
    rmSync(state, { recursive: true, force: true });
    process.exit(code);
  }, 500);
}
