// README screenshots of the real panel: code-server (the real VS Code) with the extension from this
// checkout, the demo folder, the real Python kernel, and a scripted model on a local fake LLM server (the
// only stand-in). The question is asked the way a user asks it — click an example prompt on the welcome
// screen after picking sales.csv — in the dark and the light theme. Writes media/screenshot-{dark,light}.png.
//
// usage: npm run build && node --import tsx test/vscode/readme-screenshots.ts
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFrame, launchChromium, root, startCodeServer, workbenchUrl } from '../../scripts/code-server.mjs';
import { startFakeLlmServer, textSteps, type FakeRequest, type Script } from '../helpers/fake-llm-server';

const CODE = [
  'by_region = df.groupby("region")["sales"].sum().sort_values(ascending=False)',
  'print(by_region.round(2).to_string())',
  'fig, ax = plt.subplots(figsize=(8, 5))',
  'by_region.plot(kind="bar", ax=ax, color="#0f766e")',
  'ax.set_title("Total sales by region (2024)")',
  'ax.set_xlabel("Region")',
  'ax.set_ylabel("Sales (CNY)")',
  'plt.tight_layout()',
].join('\n');
const REPLY =
  '**East** has the highest total sales: **69,906.92 CNY**, 43% of the year — well ahead of South (42,690.22), ' +
  'North (28,594.45) and West (22,611.78).';

function model(req: FakeRequest): Script {
  if (req.stage === 'code_generation') return { steps: textSteps(`I'll sum the sales per region.\n\n\`\`\`python\n${CODE}\n\`\`\`\n`, 6) };
  if (req.stage === 'explanation') return { steps: [{ reasoning: 'The output lists the regions by total sales…' }, ...textSteps(REPLY, 4)] };
  return { steps: textSteps('OK.', 2) };
}

const note = (s: string) => console.error(`[screenshots] ${s}`);

async function shoot(theme: 'dark' | 'light', llmUrl: string) {
  const state = mkdtempSync(join(tmpdir(), 'radarm-shots-'));
  const folder = join(state, 'demo');
  cpSync(join(root, 'demo'), folder, { recursive: true });
  const server = await startCodeServer({
    stateDir: state,
    settings: {
      'workbench.colorTheme': theme === 'dark' ? 'Default Dark Modern' : 'Default Light Modern',
      'radarm.providers': [{ id: 'deepseek', label: 'DeepSeek', kind: 'openai', baseUrl: llmUrl, model: 'deepseek-chat', requiresKey: false }],
      'radarm.defaultProvider': 'deepseek',
      'radarm.defaultMode': 'agent_single',
      'radarm.pythonPath': process.env.RADARM_TEST_PYTHON || '/usr/bin/python3',
      'window.commandCenter': false,
      'workbench.sideBar.location': 'left',
    },
  });
  const browser = await launchChromium({ viewport: { width: 1280, height: 860 } });
  try {
    const { page } = browser;
    await page.goto(workbenchUrl(server.url, { folder, extensionDevelopmentPath: root }));
    const icon = page.locator('.activitybar [aria-label^="Radarm"]').first();
    await icon.waitFor({ timeout: 60_000 });
    // The data file open in an editor, as a user would have it, and the panel.
    await page.locator('.part.editor').click(); // focus the workbench, not a webview
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget').waitFor({ timeout: 20_000 });
    await page.keyboard.press('Backspace'); // '>' gone: Go to File
    await page.keyboard.type('sales.csv');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'sales.csv' }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.locator('.editor-group-container .tab', { hasText: 'sales.csv' }).first().waitFor({ timeout: 20_000 });
    await icon.click();
    const frame = await findFrame(page, '#radarm-root', 60_000);
    // Radarm: Analyze Data from the command palette: pick the file, type the question.
    await page.locator('.editor-group-container .tab', { hasText: 'sales.csv' }).first().click();
    await page.keyboard.press('F1');
    await page.keyboard.type('Radarm: Analyze Data');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').getByText('sales.csv').first().waitFor({ timeout: 20_000 });
    await page.keyboard.type('sales.csv');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').getByText('What do you want to know', { exact: false }).waitFor({ timeout: 20_000 });
    await page.keyboard.type('Which region has the highest total sales?');
    await page.keyboard.press('Enter');
    await page.mouse.move(700, 500); // away from the tab: no hover tooltip in the picture
    await frame.getByText('69,906.92').first().waitFor({ timeout: 90_000 });
    const chart = frame.locator('img[src^="data:image/png"]').first();
    await chart.waitFor({ timeout: 30_000 });
    await chart.evaluate((img: HTMLImageElement) => img.decode());
    const file = join(root, 'media', `screenshot-${theme}.png`);
    await page.screenshot({ path: file });
    note(`${file} written`);
  } finally {
    await browser.close();
    server.stop();
    setTimeout(() => rmSync(state, { recursive: true, force: true }), 1000).unref();
  }
}

async function main() {
  const llm = await startFakeLlmServer(model);
  try {
    for (const theme of ['dark', 'light'] as const) await shoot(theme, llm.baseUrl);
  } finally {
    await llm.close();
  }
}

main().then(
  () => setTimeout(() => process.exit(0), 1500),
  (err) => {
    console.error(err);
    setTimeout(() => process.exit(1), 1500);
  },
);
