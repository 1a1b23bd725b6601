// When a 2xx response is not the answer we asked for, say what the server actually sent: a JSON error
// object, a web page (a proxy's login page, a captive portal), lines that are not events, or bytes that
// are not UTF-8 — with its content type and a short excerpt, never "the connection was cut".
import type { ErrorCode } from '../protocol/events';
import { providerName, serverMessage, type FailureContext } from './errors';
import { redactSecret } from './redact';

/** A short, single-line, printable excerpt of what the server sent. */
export function excerpt(text: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

const looksLikeHtml = (contentType: string, head: string) =>
  /text\/html|xhtml/i.test(contentType) || /^\s*<(!doctype|html|head|body|meta|title|script)\b/i.test(head);

/**
 * The code of an error object a server sent in a 200 body (some gateways do): from its structured
 * status/code/type fields, never from the free text.
 */
export function jsonErrorCode(json: unknown): ErrorCode {
  const root = (typeof json === 'object' && json !== null ? json : {}) as Record<string, any>;
  const err = (typeof root.error === 'object' && root.error !== null ? root.error : root) as Record<string, any>;
  const fields = [err.status, err.code, err.type, root.status, root.code, err.status_code]
    .filter((v) => v !== undefined && v !== null)
    .map((v) => String(v).toLowerCase());
  const has = (re: RegExp) => fields.some((f) => re.test(f));
  if (has(/^40[13]$|auth|api_key|permission|unauthori[sz]ed|forbidden/)) return 'auth';
  if (has(/^429$|rate_limit|quota|too_many/)) return 'rate_limit';
  if (has(/^404$|not_found|model_not_found|does_not_exist/)) return 'not_found';
  if (has(/context_length|context_window|too_long|tokens_exceeded/)) return 'context_too_long';
  if (has(/^4\d\d$|invalid_request|bad_request|validation/)) return 'bad_request';
  if (has(/^5\d\d$|overloaded|server_error|unavailable|timeout/)) return 'network';
  return 'bad_response';
}

export interface BodyDiagnosis {
  message: string;
  code: ErrorCode;
}

/** A 2xx body that held no answer at all: what was it? */
export function unexpectedBody(
  ctx: FailureContext,
  contentType: string,
  head: string,
  where: string,
  badLines = 0,
): BodyDiagnosis {
  const name = providerName(ctx.provider);
  const type = contentType || 'no content type';
  const trimmed = head.trim();
  const say = (message: string, code: ErrorCode): BodyDiagnosis => ({ message: redactSecret(message, ctx.apiKey), code });
  if (!trimmed)
    return say(
      `${name} answered HTTP 200 at ${where} with an empty body (${type}) instead of an answer. Check the base URL and that the server speaks the ${ctx.provider.kind} API.`,
      'bad_response',
    );
  // A JSON error object (possibly sent as one `data:` event or as a plain body).
  const jsonText = trimmed.replace(/^data:\s*/, '');
  if (jsonText.startsWith('{')) {
    try {
      const json = JSON.parse(jsonText.split(/\r?\n\r?\n/)[0]);
      if (json && typeof json === 'object' && ('error' in json || 'detail' in json || json.object === 'error')) {
        const said = serverMessage(JSON.stringify(json)) ?? excerpt(jsonText);
        return say(
          `${name} answered HTTP 200 at ${where} but sent an error instead of an answer (${type}): ${said}`,
          jsonErrorCode(json),
        );
      }
    } catch {
      // not one complete JSON object: described below
    }
  }
  if (looksLikeHtml(contentType, trimmed)) {
    const title = /<title[^>]*>([^<]*)/i.exec(trimmed)?.[1];
    const text = serverMessage(trimmed) ?? '';
    return say(
      `${name} sent a web page instead of an answer (HTTP 200, ${type}): "${excerpt(title?.trim() || text)}". ` +
        'A proxy or network login page (captive portal) may be in the way, or the base URL is wrong.',
      'bad_response',
    );
  }
  const lines = badLines > 0 ? `${badLines} line${badLines === 1 ? '' : 's'} that are not ${ctx.provider.kind} stream events` : 'no stream events';
  return say(
    `${name} sent ${lines} (HTTP 200, ${type}). It began: "${excerpt(trimmed)}". Check the base URL and that the server speaks the ${ctx.provider.kind} API.`,
    'bad_response',
  );
}

/** Index of the first byte that does not belong to a valid UTF-8 sequence (or -1). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 0) return i;
    if (i + n > bytes.length) return -1; // a sequence cut at the end: not an error yet
    for (let k = 1; k < n; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += n;
  }
  return -1;
}

/** Bytes that are not UTF-8 (an event stream always is): where, what they were, what was declared. */
export function notUtf8(ctx: FailureContext, contentType: string, offset: number, around: Uint8Array): BodyDiagnosis {
  const hex = Array.from(around.subarray(0, 12), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const declared = /charset=([^;\s]+)/i.exec(contentType)?.[1];
  return {
    code: 'bad_response',
    message: redactSecret(
      `${providerName(ctx.provider)} sent bytes that are not UTF-8 at byte ${offset} of the answer (${contentType || 'no content type'}` +
        `${declared ? `, declared charset ${declared}` : ''}; bytes there: ${hex}). ` +
        'Event streams are always UTF-8: the server or a proxy re-encoded the answer. The partial answer is kept.',
      ctx.apiKey,
    ),
  };
}
