// What goes wrong with a VS Code language model, in the user's words and as an error code: no consent,
// a model that is gone, a blocked request, a prompt over the model's limit, a cancel.
import type { ErrorCode } from '../protocol/events';
import { vscodeLmTexts as texts, type Locale } from './vscode-lm-texts';

/** The model's fields that messages use (a vscode.LanguageModelChat has them). */
type LmModel = { name: string; vendor: string; maxInputTokens: number };

/** How messages name a model: "'GPT-4o' (copilot)", or the id asked for when there is no model. */
export const modelRef = (m?: Pick<LmModel, 'name' | 'vendor'>, id?: string) =>
  m ? `'${m.name}' (${m.vendor})` : `'${id ?? '?'}'`;

/** The localized "cancelled" text: what a stream stopped by its AbortSignal ends with. */
export const cancelledText = (locale: Locale = 'en') => texts[locale].cancelled;

const errorText = (err: unknown): string => {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? err.cause.message : typeof err.cause === 'string' ? err.cause : '';
    const msg = err.message || err.name;
    return cause && !msg.includes(cause) ? `${msg} (${cause})` : msg;
  }
  return String(err);
};

/** `LanguageModelError.code` ('NoPermissions' | 'NotFound' | 'Blocked' | 'Unknown' | …), duck-typed. */
export function lmErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code ? code : undefined;
}

/** VS Code's CancellationError, or our own AbortError. */
const isCancellationError = (err: unknown) =>
  err instanceof Error && (err.name === 'Canceled' || err.name === 'AbortError' || err.message === 'Canceled');

/** A clear, actionable message for an error thrown by `sendRequest` or its stream. */
export function describeLmError(err: unknown, model?: LmModel, locale: Locale = 'en', modelId?: string): string {
  const t = texts[locale];
  const m = modelRef(model, modelId);
  const detail = errorText(err);
  switch (lmErrorCode(err)) {
    case 'NoPermissions':
      return t.noPermissions(m);
    case 'NotFound':
      return t.notFound(m);
    case 'Blocked': {
      const own = err instanceof Error && err.message && err.message !== 'Blocked' ? `: ${err.message}` : '';
      return t.blocked(m, own);
    }
  }
  if (isCancellationError(err)) return t.cancelled;
  // A model unregistered after it was picked can surface as a plain Error from the main thread.
  if (/\b(is not registered|is unknown)\b/i.test(detail)) return t.notFound(m);
  if (model && /token limit|too long|context length|maximum context|too many tokens/i.test(detail))
    return t.tooLong(m, model.maxInputTokens);
  return t.failed(m, detail || 'unknown error');
}

/** The code of an error thrown by `sendRequest` or its stream (the same cases as describeLmError). */
export function lmFailureCode(err: unknown, model?: LmModel): ErrorCode {
  switch (lmErrorCode(err)) {
    case 'NoPermissions':
      return 'auth';
    case 'NotFound':
      return 'not_found';
    case 'Blocked':
      return 'rate_limit';
  }
  if (isCancellationError(err)) return 'cancelled';
  const detail = errorText(err);
  if (/\b(is not registered|is unknown)\b/i.test(detail)) return 'not_found';
  if (model && /token limit|too long|context length|maximum context|too many tokens/i.test(detail)) return 'context_too_long';
  return 'internal';
}
