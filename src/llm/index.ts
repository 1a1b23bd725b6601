// The LLM service: one import for the rest of the extension, the CLI and the agents.
export {
  createLlmService,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_STALL_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  type LlmServiceOptions,
} from './service';
export {
  configureLlmNetwork,
  closeLlmNetwork,
  getLlmDispatcher,
  DEFAULT_CONNECTIONS_PER_ORIGIN,
  type LlmNetworkOptions,
} from './network';
export { CANCELLED_MESSAGE, providerName } from './errors';
export { redactSecret, redactEvent, redactEvents, isMaskableSecret } from './redact';
export { thinkingStageFor, contentStageFor } from './stages';
export { DEFAULT_RETRY, type RetryPolicy } from './send';
export * from './types';
