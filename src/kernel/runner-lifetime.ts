// Every live runner process, so that they can be killed when this (host) process exits: no orphans; and
// how one is killed with everything its code started.
import type { ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { killDescendants } from './process-tree';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killTree(child);
  });
}

/** Ends the runner and everything its code started (its process group, and on Linux its descendants). */
export function killTree(child: ChildProcess) {
  if (child.pid === undefined) return;
  // Linux: also what left the group (setsid, double fork). Needs the runner alive: it is their subreaper.
  if (child.exitCode === null && child.signalCode === null) killDescendants(child.pid);
  // POSIX: the runner leads its own process group (detached), so this also ends what the user's code started,
  // even after the runner itself has died (a group id is not reused while any member lives).
  if (process.platform !== 'win32') {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* no such group: everything already ended */
    }
  }
  if (child.exitCode === null && child.signalCode === null) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** The name of a signal number (bwrap reports a signalled child as exit code 128 + n). */
export function signalName(n: number): NodeJS.Signals | null {
  const entry = Object.entries(osConstants.signals).find(([, v]) => v === n);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}

/** Registers a started runner, to be killed if the host exits before it does. */
export function trackRunner(child: ChildProcess): void {
  installExitHook();
  live.add(child);
}

export function forgetRunner(child: ChildProcess): void {
  live.delete(child);
}
