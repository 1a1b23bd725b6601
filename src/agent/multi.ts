// agent_multi: a planner, an executor and a verifier.
//   planner → executor → execution → verifier → (another round on an exception or a "fail" verdict,
//   with the traceback or the verifier's feedback) → explanation → complete
import type { ExecutionResult } from '../kernel/types';
import { executionProblem } from './execution-events';
import { executorMessages, plannerMessages, verifierMessages, type Attempt } from './prompts';
import { agentRunner } from './agent-run';
import { awaitProfile, firstCallProfile } from './run-data';
import { codeStage, completeEvent, declined, executeStage, explainStage, giveUp, llmStage, promptInput, toAttempt } from './run-stages';
import { parseVerdict } from './verdict';

export const runAgentMulti = agentRunner(async function* (run) {
  const { t, maxRounds } = run;
  yield { type: 'thinking', stage: 'planner', content: t.planner };
  // The planner does not wait for a big file to load (it gets a preview); the executor gets the full profile.
  const early = yield* firstCallProfile(run);
  const plan = yield* llmStage(run, 'planner', plannerMessages(promptInput(run, early)));
  const input = promptInput(run, yield* awaitProfile(run));

  const rejected: Attempt[] = [];
  let last: Attempt | undefined;
  let good: { attempt: Attempt; result: ExecutionResult } | undefined;
  let problem = '';

  for (let round = 1; round <= maxRounds && !good; round++) {
    yield { type: 'thinking', stage: 'executor', content: t.executor(round) };
    const code = yield* codeStage(run, 'executor', executorMessages(input, plan, rejected));
    const result = yield* executeStage(run, code);
    if (!result) return yield* declined(run, code);
    last = toAttempt(code, result);
    if (!result.ok) {
      rejected.push(last);
      problem = executionProblem(result);
      if (round < maxRounds) yield { type: 'thinking', stage: 'system', content: t.retryAfterError(round + 1, maxRounds, problem) };
      continue;
    }
    yield { type: 'thinking', stage: 'verifier', content: t.verifier };
    const verdict = parseVerdict(yield* llmStage(run, 'verifier', verifierMessages(input, plan, last)));
    if (verdict.verdict === 'pass') {
      good = { attempt: last, result };
    } else {
      last.feedback = verdict.feedback;
      rejected.push(last);
      problem = verdict.feedback || t.noFeedback;
      if (round < maxRounds)
        yield { type: 'thinking', stage: 'system', content: t.retryAfterVerdict(round + 1, maxRounds, shorten(problem)) };
    }
  }
  if (!good) return yield* giveUp(run, last, problem);

  const reply = yield* explainStage(run, input, good.attempt);
  yield completeEvent(run, reply, good.attempt.code, good.result);
});

function shorten(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? one.slice(0, 200) + '…' : one;
}
