import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

suite('activation', () => {
  test('the extension is installed under its manifest id', () => {
    const ext = vscode.extensions.getExtension('radarm.radarm');
    assert.ok(ext, 'radarm.radarm not found');
  });
});
