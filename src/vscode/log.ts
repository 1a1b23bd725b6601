// The "Radarm" output channel (a LogOutputChannel: timestamps and levels, and the user picks the level):
// kernel start and interpreter choice, data loads, retries, timings, failures. Never keys: nothing that
// reaches it holds one (kernels never see keys; LLM errors are redacted before they become events).
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The channel, created on first use (also by tests that run a host piece without activation). */
export function radarmLog(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Radarm', { log: true });
  return channel;
}

/** A line logger for the session (failures go out as errors, the rest as info). */
export function sessionLogger(prefix: string): (line: string) => void {
  return (line) => {
    const log = radarmLog();
    if (/\b(failed|could not|crashed)\b/i.test(line)) log.error(`${prefix} ${line}`);
    else log.info(`${prefix} ${line}`);
  };
}

export function disposeRadarmLog(): void {
  channel?.dispose();
  channel = undefined;
}
