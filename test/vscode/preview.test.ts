// Radarm: Preview Data from every entry point in the real VS Code (code-server): the active CSV (palette), an
// explorer folder (a dataset of parts), an SQLite table, and a binary file named .csv (one error with its
// code). The first one runs with no preview kernel yet: its first screen comes from the pandas-free reader.
// Screenshots in dark and light themes with a Chinese column name.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { driver, hasDriver } from './driver';
import { waitFor, workspaceFile } from './helpers';

const PYTHON = process.env.RADARM_TEST_PYTHON || '/usr/bin/python3';

async function previewTab(label: RegExp): Promise<void> {
  await waitFor(
    () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => label.test(t.label) && t.input instanceof vscode.TabInputWebview)),
    `the preview tab ${label}`,
  );
}

async function closeEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

suite('Preview Data entry points', () => {
  const root = workspaceFile().fsPath;

  suiteSetup(async () => {
    await vscode.commands.executeCommand('workbench.action.closeSidebar'); // only the preview's webview is inspected
    mkdirSync(path.join(root, 'parts', 'year=2024'), { recursive: true });
    writeFileSync(path.join(root, 'parts', 'year=2024', 'part-1.csv'), '城市,units\n北京,3\n上海,5\n');
    writeFileSync(path.join(root, 'parts', 'year=2024', 'part-2.csv'), '城市,units\n广州,7\n');
    writeFileSync(path.join(root, 'picture.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const made = spawnSync(PYTHON, ['-c', [
      'import sqlite3, sys',
      'c = sqlite3.connect(sys.argv[1])',
      'c.execute("CREATE TABLE 订单 (id INTEGER, 地区 TEXT, 金额 REAL)")',
      'c.executemany("INSERT INTO 订单 VALUES (?, ?, ?)", [(i, ["华东", "华南"][i % 2], i * 2.5) for i in range(40)])',
      'c.commit()',
    ].join('\n'), path.join(root, 'shop.sqlite')], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
  });
  suiteTeardown(async () => {
    await closeEditors();
    // The suites after this one see the workspace's data files as they were.
    for (const f of ['parts', 'picture.csv', 'shop.sqlite']) rmSync(path.join(root, f), { recursive: true, force: true });
    await vscode.commands.executeCommand('radarm.chat.focus');
  });

  test('palette: previews the active CSV, cold (no preview kernel yet), and the full profile follows', async function () {
    this.timeout(90_000);
    await vscode.window.showTextDocument(workspaceFile('sales.csv'));
    const t0 = Date.now();
    await vscode.commands.executeCommand('radarm.previewData'); // no argument: the active data file
    await previewTab(/sales\.csv/);
    if (hasDriver()) {
      await driver.webviewWaitFor('.column-card', '城市', 30_000);
      const firstScreen = Date.now() - t0;
      const header = await driver.webviewText('.preview-header');
      const stage = (await driver.webviewCount('main.preview[data-stage="quick"]')) ? 'quick' : 'full';
      // The pandas profile replaces the first screen: no loading note left.
      await driver.webviewWaitFor('.preview-header', 'sales.csv', 30_000);
      await waitFor(async () => (await driver.webviewCount('.preview-stage')) === 0, 'the full profile', 60_000);
      console.log(`[preview] real VS Code: command → column cards seen by the driver ${firstScreen} ms (cold); ${stage} view shown, its header: ${header?.replace(/\s+/g, ' ')}`);
      // This theme, then the other one (the tab follows the theme without reloading).
      const light = vscode.window.activeColorTheme.kind === vscode.ColorThemeKind.Light;
      await driver.screenshot(`vscode-preview-${light ? 'light' : 'dark'}`);
      await vscode.workspace.getConfiguration('workbench').update('colorTheme', light ? 'Default Dark Modern' : 'Default Light Modern', vscode.ConfigurationTarget.Global);
      try {
        await driver.webviewWaitFor(`body.vscode-${light ? 'dark' : 'light'} .column-card`, '城市', 20_000);
        await driver.screenshot(`vscode-preview-${light ? 'dark' : 'light'}`);
      } finally {
        await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
      }
    }
    await closeEditors();
  });

  test('explorer menu on a folder: a dataset — the first part\'s rows with the parts count and size', async function () {
    this.timeout(90_000);
    const menus = vscode.extensions.getExtension('radarm.radarm')!.packageJSON.contributes.menus['explorer/context'] as { command: string; when: string }[];
    assert.ok(menus.some((m) => m.command === 'radarm.previewData' && m.when === 'explorerResourceIsFolder'), 'offered on folders');
    await vscode.commands.executeCommand('radarm.previewData', vscode.Uri.file(path.join(root, 'parts')));
    await previewTab(/parts\//);
    if (hasDriver()) {
      await driver.webviewWaitFor('.preview-header', '2 parts', 30_000);
      await driver.webviewWaitFor('.preview-header', 'first part: year=2024/part-1.csv', 10_000);
      await driver.webviewWaitFor('.data-table tbody', '上海', 10_000);
    }
    await closeEditors();
  });

  test('an SQLite file\'s table: a bounded read-only query, the same view', async function () {
    this.timeout(90_000);
    await vscode.commands.executeCommand('radarm.previewData', { path: path.join(root, 'shop.sqlite'), table: '订单' });
    await previewTab(/shop\.sqlite · 订单/);
    if (hasDriver()) {
      await driver.webviewWaitFor('.preview-header', '40 rows × 3 columns', 30_000);
      await driver.webviewWaitFor('.column-card', '地区', 10_000);
      await driver.webviewWaitFor('.preview-notes', 'read-only query', 10_000);
    }
    await closeEditors();
  });

  test('a binary file named .csv: one error with its code, in the tab', async function () {
    this.timeout(90_000);
    await vscode.commands.executeCommand('radarm.previewData', workspaceFile('picture.csv'));
    await previewTab(/picture\.csv/);
    if (hasDriver()) {
      await driver.webviewWaitFor('[role="alert"]', 'it looks like a PNG image', 30_000);
      await driver.webviewWaitFor('[role="alert"] .error-code', 'binary', 5_000);
    }
    await closeEditors();
  });
});
