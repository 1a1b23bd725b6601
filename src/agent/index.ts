// The one entry point for running a turn in any mode. Every stream it returns ends with exactly one
// `done` right after one `complete` or `error` (terminated() enforces it whatever the mode does).
import { terminated, type RadarmEvent } from '../protocol/events';
import type { AgentContext, Mode, ModeRunner } from './types';
import { runAsk } from './ask';
import { runAgentSingle } from './single';
import { runAgentMulti } from './multi';

const RUNNERS: Record<Mode, ModeRunner> = {
  ask: runAsk,
  agent_single: runAgentSingle,
  agent_multi: runAgentMulti,
};

export function runMode(mode: Mode, ctx: AgentContext, question: string, signal?: AbortSignal): AsyncGenerator<RadarmEvent> {
  const runner = RUNNERS[mode];
  if (!runner) return terminated(unknownMode(mode));
  return terminated(runner(ctx, question, signal), `The ${mode} mode stopped without a result.`);
}

async function* unknownMode(mode: string): AsyncGenerator<RadarmEvent> {
  yield { type: 'error', content: `Unknown mode "${mode}": use ask, agent_single or agent_multi.` };
}

export { runAsk, runAgentSingle, runAgentMulti };
export * from './types';
