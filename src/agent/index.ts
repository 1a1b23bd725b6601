// The one entry point for running a turn in any mode. Every stream it returns ends with exactly one
// `done` right after one `complete` or `error` (terminated() enforces it whatever the mode does), and
// no event carries the API key.
import { terminated, type RadarmEvent } from '../protocol/events';
import { redactEvents } from '../llm/redact';
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
  // The key never leaves in an event, whoever shows the events (panel, @radarm, CLI).
  return redactEvents(terminated(runner(ctx, question, signal), `The ${mode} mode stopped without a result.`), ctx.apiKey);
}

async function* unknownMode(mode: string): AsyncGenerator<RadarmEvent> {
  yield { type: 'error', content: `Unknown mode "${mode}": use ask, agent_single or agent_multi.` };
}

export { runAsk, runAgentSingle, runAgentMulti };
export * from './types';
