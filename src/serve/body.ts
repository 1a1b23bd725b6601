// Reading and checking the body of POST /chat/stream: the original front end's shape
// {session_id, message, mode, data_files?, apiKeys?}, plus databases? (names of the server's --db sources).
// Every problem becomes an HttpError with a clear message.
import type { IncomingMessage } from 'node:http';
import { MODES, type Mode } from '../agent/types';

/** An error answered as `status` with `{"error":{"code","message"}}`; the message is safe to show. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ChatRequestBody {
  sessionId: string;
  message: string;
  mode: Mode;
  /** As given (relative to --data-root); undefined = keep the session's files. */
  dataFiles?: string[];
  /** The original front end's per-provider keys; used for this request only. */
  apiKeys: Record<string, string>;
  /** Names of the server's --db sources this request uses; undefined = keep the session's. Never URLs. */
  databases?: string[];
}

export interface BodyLimits {
  maxBodyBytes: number;
  maxMessageChars: number;
}

/** Reads the whole body, refusing more than `maxBytes` (413) as soon as it is exceeded. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(tooLarge(maxBytes));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(tooLarge(maxBytes));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const tooLarge = (max: number) =>
  new HttpError(413, 'body_too_large', `The request body is larger than ${max} bytes (radarm serve --max-body).`);

const SESSION_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Parses and validates the JSON body; throws HttpError(400) naming the first problem. */
export function parseChatBody(raw: Buffer, limits: BodyLimits): ChatRequestBody {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw bad(`The body is not valid JSON (${(err as Error).message}). Send {"session_id", "message", "mode"} as JSON.`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad('The body must be a JSON object: {"session_id", "message", "mode", "data_files"?}.');
  const b = body as Record<string, unknown>;

  for (const field of ['session_id', 'message', 'mode'])
    if (b[field] === undefined || b[field] === null) throw bad(`Missing field "${field}".`, 'missing_field');

  if (typeof b.session_id !== 'string' || !SESSION_ID.test(b.session_id))
    throw bad('"session_id" must be a string of 1-128 letters, digits or . _ : @ -.');
  if (typeof b.message !== 'string' || !b.message.trim()) throw bad('"message" must be a non-empty string.');
  if ([...b.message].length > limits.maxMessageChars)
    throw new HttpError(413, 'message_too_long', `"message" is longer than ${limits.maxMessageChars} characters (radarm serve --max-message).`);
  if (typeof b.mode !== 'string' || !(MODES as readonly string[]).includes(b.mode))
    throw bad(`Unknown mode ${JSON.stringify(b.mode)}: use ${MODES.join(', ')}.`, 'unknown_mode');

  let dataFiles: string[] | undefined;
  if (b.data_files !== undefined && b.data_files !== null) {
    if (!Array.isArray(b.data_files) || !b.data_files.every((f) => typeof f === 'string' && f.length > 0))
      throw bad('"data_files" must be an array of file (or folder) paths relative to the data root.');
    if (b.data_files.length > 50) throw bad('"data_files" may name at most 50 files.');
    dataFiles = b.data_files as string[];
  }

  const apiKeys: Record<string, string> = {};
  if (b.apiKeys !== undefined && b.apiKeys !== null) {
    if (typeof b.apiKeys !== 'object' || Array.isArray(b.apiKeys))
      throw bad('"apiKeys" must be an object of provider name → key.');
    for (const [name, key] of Object.entries(b.apiKeys as Record<string, unknown>)) {
      // Never echo the value back: only the name is safe to mention.
      if (typeof key !== 'string') throw bad(`"apiKeys.${name.slice(0, 40)}" must be a string.`);
      if (key.trim()) apiKeys[name] = key.trim();
    }
  }
  let databases: string[] | undefined;
  if (b.databases !== undefined && b.databases !== null) {
    if (!Array.isArray(b.databases) || !b.databases.every((d) => typeof d === 'string' && d.length > 0 && d.length <= 200))
      throw bad('"databases" must be an array of names of the server\'s databases (radarm serve --db NAME=URL).');
    databases = b.databases as string[];
  }
  return { sessionId: b.session_id, message: b.message, mode: b.mode as Mode, dataFiles, apiKeys, ...(databases ? { databases } : {}) };
}

function bad(message: string, code = 'bad_request'): HttpError {
  return new HttpError(400, code, message);
}
