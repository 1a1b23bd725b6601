// Extension entry point. (Placeholder until the VS Code UI lands: see issue 5.)
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {}

export function deactivate(): void {}
