// Contracts of the agent modes: each mode is an async generator of protocol events.
import type { ErrorCode, RadarmEvent } from '../protocol/events';
import type { ChatMessage, LlmClient, Provider } from '../llm/types';
import type { DatabaseSource, PythonKernel } from '../kernel/types';

import type { Locale } from '../protocol/vocabulary';
export { MODES, type Mode, type Locale } from '../protocol/vocabulary';

/** What the model's history keeps of one finished turn: the question, the reply, the code and its output. */
export interface HistoryEntry {
  question: string;
  reply: string;
  code?: string | null;
  output?: string | null;
  /** Set when the turn failed: what failed, as the user saw it, and its code. */
  error?: string;
  errorCode?: ErrorCode;
}

/** What a mode needs to run a turn. Plain data plus the two services. */
export interface AgentContext {
  llm: LlmClient;
  provider: Provider;
  apiKey?: string;
  /** Absent in Ask mode, or when code execution is not allowed (untrusted workspace). */
  kernel?: PythonKernel;
  dataFiles: string[];
  /** Database servers chosen as data sources (SQLite files are among dataFiles). */
  databases?: DatabaseSource[];
  history: HistoryEntry[];
  /** Maximum rounds for agent modes (default 3). */
  maxRounds?: number;
  stallTimeoutMs?: number;
  timeoutMs?: number;
  execTimeoutMs?: number;
  /** false: use the non-streaming call and emit the reply at the end (the enableStream setting). */
  stream?: boolean;
  /** UI language for thinking announcements; answers follow the question's language. */
  locale?: Locale;
  /** Asked before each generated code runs (the "confirm before running code" setting); false = do not run. */
  confirmRun?: (code: string) => Promise<boolean>;
}

export type ModeRunner = (
  ctx: AgentContext,
  question: string,
  signal?: AbortSignal,
) => AsyncGenerator<RadarmEvent>;

export type { ChatMessage };
