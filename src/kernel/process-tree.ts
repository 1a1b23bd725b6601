// Every descendant of a process, from /proc (Linux only): so that killing the kernel also ends what its code
// started, including processes that left the process group (setsid) or were orphaned by a double fork (the
// runner is a child subreaper, so those are re-parented to it, not to init, while it lives).
import { readdirSync, readFileSync } from 'node:fs';

function parentMap(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return children;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isFinite(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  return children;
}

/** The pids below `pid` (not `pid` itself), parents before children. Empty where /proc is absent. */
export function descendants(pid: number): number[] {
  if (process.platform !== 'linux') return [];
  const children = parentMap();
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

const send = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
};

/**
 * Freezes, then kills, every descendant of `pid`. Freezing first means that a process forking right now cannot
 * put a new child out of reach; the scan repeats until it finds nothing new.
 */
export function killDescendants(pid: number): void {
  if (process.platform !== 'linux') return;
  const seen = new Set<number>();
  for (let round = 0; round < 5; round++) {
    const fresh = descendants(pid).filter((p) => !seen.has(p));
    if (!fresh.length) break;
    for (const p of fresh) {
      seen.add(p);
      send(p, 'SIGSTOP');
    }
  }
  for (const p of seen) send(p, 'SIGKILL');
}

/**
 * The host pid of the process below `pid` whose command line contains `marker` (the deepest one: bwrap's init is
 * a copy of bwrap with the same command line). undefined where /proc is absent or nothing matches.
 */
export function findDescendant(pid: number, marker: string): number | undefined {
  let found: number | undefined;
  for (const p of descendants(pid)) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker)) found = p;
    } catch {
      /* ended meanwhile */
    }
  }
  return found;
}
