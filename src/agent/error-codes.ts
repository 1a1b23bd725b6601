// The machine-readable codes the agent layer puts on its error events (see ERROR_CODES in the protocol).
import { isErrorCode, type ErrorCode } from '../protocol/events';

/** The code of a failed model call as the LLM layer reported it (a client that sets none: network). */
export function llmCode(code: unknown): ErrorCode {
  return isErrorCode(code) ? code : 'network';
}

/**
 * Why the kernel could not start: no usable Python (not found, too old, no pandas), a sandbox that
 * radarm.sandbox = required asks for but the machine lacks, or another failure.
 */
export function kernelCode(err: unknown): ErrorCode {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'sandbox') return 'sandbox';
  return code === 'python-not-found' || code === 'python-unusable' || code === 'pandas-missing' ? 'no_python' : 'kernel';
}
