// Starting the kernel's Python process, once the interpreter and the sandbox are chosen: under the
// memory cap (or without it, when numpy cannot even load under it), with a start failure turned into
// a KernelStartError that says how to fix it; then the KernelInfo the hosts show.
import * as os from 'node:os';
import { startRunner } from './connection';
import type { RunnerConnection } from './runner-protocol';
import { DEFAULT_SETTING_NAME, KernelStartError, PANDAS_FIX, type ResolvedPython } from './resolve-python';
import type { SandboxPlan } from './sandbox';
import type { KernelInfo, KernelOptions } from './types';

/**
 * Memory cap (RLIMIT_AS, Linux only) when none is configured: 75% of physical memory, at least 2 GB. Address
 * space is not resident memory (numpy/BLAS threads reserve a lot of it), so the cap must stay generous: it is
 * there to turn a runaway allocation into a MemoryError instead of a frozen machine.
 */
export function defaultMemoryLimitMb(): number {
  if (process.platform !== 'linux') return 0;
  return Math.max(2048, Math.floor((os.totalmem() / 1024 / 1024) * 0.75));
}

export interface KernelProcessPlan {
  python: ResolvedPython;
  runnerPath: string;
  sandbox: SandboxPlan;
  cwd: string;
  maxOutputChars: number;
  /** RLIMIT_AS in MB; 0 = none. */
  memoryLimitMb: number;
}

export async function startKernelProcess(options: KernelOptions, plan: KernelProcessPlan, log: (line: string) => void): Promise<RunnerConnection> {
  const { python, sandbox, cwd } = plan;
  const run = (limitMb: number) =>
    startRunner({
      pythonPath: python.path,
      runnerPath: plan.runnerPath,
      config: {
        cwd,
        maxOutputChars: plan.maxOutputChars,
        memoryLimitMb: limitMb,
        warmup: options.warmup ?? true,
        // Linux without bwrap: a supervisor parent ends the code's escaped processes even if the runner crashes.
        supervise: process.platform === 'linux' && sandbox.info.kind === 'none',
        engine: options.engine ?? 'auto',
        ...(options.daskScheduler ? { daskScheduler: options.daskScheduler } : {}),
      },
      cwd,
      env: sandbox.env,
      wrapper: sandbox.wrapper,
      inBandInterrupt: sandbox.inBandInterrupt,
      onLog: options.onLog,
    });
  try {
    try {
      return await run(plan.memoryLimitMb);
    } catch (e) {
      if (!plan.memoryLimitMb) throw e;
      // Many cores reserve much address space for BLAS threads: a cap that is too low breaks importing numpy.
      // Running without the cap beats not running (info.memoryLimitMb then says null).
      log(`kernel: start-up failed under the ${plan.memoryLimitMb} MB memory cap (${lastLine((e as Error).message)}); retrying without it`);
      return await run(0);
    }
  } catch (e) {
    const why = (e as Error).message;
    const pandasBroken = /pandas|numpy/i.test(why);
    throw new KernelStartError(
      pandasBroken
        ? `Python at ${python.path} could not import pandas (${lastLine(why)}).\nFix: run \`${python.path} -m ` +
            `${PANDAS_FIX}\`, or choose another interpreter (${options.settingName ?? DEFAULT_SETTING_NAME}).`
        : `Python at ${python.path} could not start Radarm's kernel: ${why}`,
      pandasBroken ? 'pandas-missing' : 'start-failed',
      python.tried,
    );
  }
}

/** What the hosts show of a started process; the CJK font check of an earlier process is kept. */
export function kernelInfoOf(python: ResolvedPython, c: RunnerConnection, sandbox: SandboxPlan, previous: KernelInfo | undefined): KernelInfo {
  const hello = c.hello;
  return {
    pythonPath: python.path,
    source: python.source,
    pythonVersion: (hello.python ?? []).join('.') || python.version,
    pandasVersion: hello.pandas ?? '',
    pid: c.runnerPid,
    available: hello.available ?? {},
    memoryLimitMb: hello.memoryLimitMb ?? null,
    sandbox: sandbox.info,
    ...(previous && previous.cjkFont !== undefined ? { cjkFont: previous.cjkFont } : {}),
  };
}

/** The last line of a message: for a Python traceback, the exception itself. */
function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? s;
}
