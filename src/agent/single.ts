// agent_single: one model writes the code, the kernel runs it, failures go back to the model with their
// traceback (up to maxRounds), and the model explains the actual output.
//   code_generation → execution → (retry on exception) → explanation → complete
import type { ExecutionResult } from '../kernel/types';
import { executionProblem } from './execution-events';
import { codeGenerationMessages, type Attempt } from './prompts';
import { agentRunner } from './agent-run';
import { awaitProfile, firstCallProfile } from './run-data';
import { codeStage, completeEvent, declined, executeStage, explainStage, giveUp, promptInput, toAttempt } from './run-stages';

export const runAgentSingle = agentRunner(async function* (run) {
  const { t, maxRounds } = run;
  yield { type: 'thinking', stage: 'code_generation', content: t.codeGeneration(1) };
  // The kernel warms up meanwhile; a big file's loading does not hold up the first call.
  let input = promptInput(run, yield* firstCallProfile(run));
  const failed: Attempt[] = [];
  let last: Attempt | undefined;
  let good: { attempt: Attempt; result: ExecutionResult } | undefined;
  let problem = '';

  for (let round = 1; round <= maxRounds && !good; round++) {
    if (round > 1) yield { type: 'thinking', stage: 'code_generation', content: t.codeGeneration(round) };
    const code = yield* codeStage(run, 'code_generation', codeGenerationMessages(input, failed));
    const result = yield* executeStage(run, code);
    if (!result) return yield* declined(run, code);
    // Execution waited for the data: from now on prompts get the kernel's full profile.
    input = promptInput(run, yield* awaitProfile(run));
    last = toAttempt(code, result);
    if (result.ok) {
      good = { attempt: last, result };
    } else {
      failed.push(last);
      problem = executionProblem(result);
      if (round < maxRounds) yield { type: 'thinking', stage: 'system', content: t.retryAfterError(round + 1, maxRounds, problem) };
    }
  }
  if (!good) return yield* giveUp(run, last, problem);

  const reply = yield* explainStage(run, input, good.attempt);
  yield completeEvent(run, reply, good.attempt.code, good.result);
});
