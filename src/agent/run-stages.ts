// The steps an agent mode is made of: a model call (streamed or not), a call that must produce code
// (with one reminder), running the code, the explanation of the actual output, and the final events.
import type { CompleteEvent, RadarmEvent } from '../protocol/events';
import type { ChatMessage, ChatRequest } from '../llm/types';
import type { DataProfile, ExecutionResult } from '../kernel/types';
import { llmCode } from './error-codes';
import { extractPythonCode } from './code-extract';
import { executionEvents, executionText, userExecutionText } from './execution-events';
import { dataFilesOf } from './prelude';
import { explanationMessages, noCodeReminder, type Attempt, type PromptInput } from './prompts';
import { abortable, addUsage, TurnStop, type AgentRun, type LlmStage, type StageEvent } from './agent-run';
import { stopWhenNoData } from './run-data';

export function promptInput(run: AgentRun, profile: DataProfile | undefined): PromptInput {
  return {
    question: run.question,
    lang: run.lang,
    profile,
    dataFiles: run.ctx.dataFiles,
    databases: run.ctx.databases,
    history: run.ctx.history,
  };
}

/** One LLM call: its thinking/content events stream through; returns the full text. */
export async function* llmStage(
  run: AgentRun,
  stage: LlmStage,
  messages: ChatMessage[],
): AsyncGenerator<StageEvent, string> {
  const { ctx } = run;
  const request: ChatRequest = {
    provider: ctx.provider,
    apiKey: ctx.apiKey,
    messages,
    stage,
    timeoutMs: ctx.timeoutMs,
    stallTimeoutMs: ctx.stallTimeoutMs,
    locale: ctx.locale,
  };
  if (ctx.stream === false) {
    const r = await ctx.llm.chat(request, run.signal);
    addUsage(run, r.usage);
    if (run.signal.aborted) throw new TurnStop(run.t.cancelled, 'cancelled');
    if (!r.ok) throw new TurnStop(run.t.llmFailed(stage, r.error ?? 'unknown error'), llmCode((r as { code?: unknown }).code));
    if (r.reasoning) yield { type: 'thinking', stage, content: r.reasoning };
    yield { type: 'content', stage, content: r.text };
    return r.text;
  }
  let streamed = '';
  for await (const ev of ctx.llm.streamChat(request, run.signal)) {
    if (ev.type === 'end') {
      addUsage(run, ev.usage);
      return ev.text || streamed;
    }
    if (ev.type === 'error') throw new TurnStop(run.t.llmFailed(stage, ev.content), llmCode(ev.code));
    if (ev.type === 'content') streamed += ev.content;
    yield { ...ev, stage };
  }
  throw new TurnStop(run.t.llmFailed(stage, 'the stream ended without a result'), 'bad_response');
}

/** An LLM call that must produce code: one reminder when the answer has no python block, then an error. */
export async function* codeStage(
  run: AgentRun,
  stage: 'code_generation' | 'executor',
  messages: ChatMessage[],
): AsyncGenerator<StageEvent, string> {
  const text = yield* llmStage(run, stage, messages);
  const code = extractPythonCode(text);
  if (code) return code;
  yield { type: 'thinking', stage: 'system', content: run.t.noCodeReminder };
  const retry = yield* llmStage(run, stage, noCodeReminder(messages, text));
  const second = extractPythonCode(retry);
  if (second) return second;
  throw new TurnStop(run.t.noCode(stage), 'no_code');
}

/** Runs code (after confirmRun, when set). Returns null when the user declined. */
export async function* executeStage(run: AgentRun, code: string): AsyncGenerator<StageEvent, ExecutionResult | null> {
  if (run.ctx.confirmRun) {
    const ok = await abortable(run.ctx.confirmRun(code), run.signal);
    if (!ok) return null;
  }
  stopWhenNoData(run, await abortable(run.profile, run.signal));
  const result = yield* executionEvents(run.kernel, code, {
    lang: run.ui,
    signal: run.signal,
    timeoutMs: run.ctx.execTimeoutMs,
  });
  if (run.signal.aborted) throw new TurnStop(run.t.cancelled, 'cancelled');
  return result;
}

export function toAttempt(code: string, r: ExecutionResult): Attempt {
  return { code, output: executionText(r), ok: r.ok, hasImage: r.images.length > 0, hasPlotly: r.plotly.length > 0 };
}

/** The final reply about the actual output. If the model call fails, the turn still completes with the results. */
export async function* explainStage(run: AgentRun, input: PromptInput, attempt: Attempt): AsyncGenerator<StageEvent, string> {
  yield { type: 'thinking', stage: 'explanation', content: run.t.explanation };
  try {
    return yield* llmStage(run, 'explanation', explanationMessages(input, attempt));
  } catch (err) {
    if (run.signal.aborted || !(err instanceof TurnStop)) throw err;
    const note = run.t.explanationFailed(err.message);
    yield { type: 'content', stage: 'explanation', content: note };
    return note;
  }
}

export function completeEvent(run: AgentRun, reply: string, code: string, r: ExecutionResult | null): CompleteEvent {
  return {
    type: 'complete',
    data: {
      reply,
      generated_code: code,
      execution_result: r ? userExecutionText(r) : null,
      image: r?.images.length ? r.images[r.images.length - 1] : null,
      plotly_json: r?.plotly.length ? r.plotly[r.plotly.length - 1] : null,
      ...(r?.tables?.length ? { tables: r.tables } : {}),
      ...(run.usage ? { usage: run.usage } : {}),
      ...dataFilesOf(run.loaded),
    },
  };
}

/** The user declined to run the code: the turn completes with the code and a reply saying it did not run. */
export function* declined(run: AgentRun, code: string): Generator<RadarmEvent> {
  yield { type: 'content', stage: 'explanation', content: run.t.declinedReply };
  yield completeEvent(run, run.t.declinedReply, code, null);
}

/** Out of rounds: a last summary of the final attempt, then the error naming the last problem. */
export function* giveUp(run: AgentRun, last: Attempt | undefined, problem: string): Generator<RadarmEvent> {
  if (last) {
    const { t } = run;
    yield {
      type: 'content',
      stage: 'explanation',
      content: `**${t.lastAttempt}**\n\n\`\`\`python\n${last.code}\n\`\`\`\n\n**${t.lastOutput}**\n\n\`\`\`text\n${last.output}\n\`\`\`\n`,
    };
  }
  yield { type: 'error', content: run.t.maxRounds(run.maxRounds, problem), code: 'max_rounds' };
}

