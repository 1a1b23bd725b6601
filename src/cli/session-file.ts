// `radarm chat --session FILE`: a conversation continued across invocations. The file keeps the
// history (questions, replies, code, outputs, failures) and the data files. Python's variables cannot
// outlive the process, so the next invocation rebuilds the namespace by loading the same data and
// re-running, in order, the code of every earlier turn that succeeded (before its own first run).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { HistoryEntry } from '../agent/types';
import { isErrorCode } from '../protocol/events';

export interface SessionFile {
  radarm: 'session';
  version: 1;
  history: HistoryEntry[];
  dataFiles: string[];
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown) => v === null || v === undefined || typeof v === 'string';

function parseHistoryEntry(v: unknown): HistoryEntry | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const t = v as Record<string, unknown>;
  if (!isStr(t.question) || !isStr(t.reply) || !isStrOrNull(t.code) || !isStrOrNull(t.output)) return undefined;
  const entry: HistoryEntry = { question: t.question, reply: t.reply, code: (t.code as string | null) ?? null, output: (t.output as string | null) ?? null };
  if (isStr(t.error)) entry.error = t.error;
  if (isErrorCode(t.errorCode)) entry.errorCode = t.errorCode;
  return entry;
}

/** Reads a session file; a missing file is a new conversation. Throws with a message for a file that is not one. */
export function readSessionFile(path: string): SessionFile {
  if (!existsSync(path)) return { radarm: 'session', version: 1, history: [], dataFiles: [] };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`--session: ${path} is not a Radarm session file (${(err as Error).message})`);
  }
  const d = data as Partial<SessionFile> | null;
  if (d?.radarm !== 'session' || !Array.isArray(d.history) || !Array.isArray(d.dataFiles))
    throw new Error(`--session: ${path} is not a Radarm session file`);
  const history = d.history.map(parseHistoryEntry);
  if (!history.every((t): t is HistoryEntry => !!t) || !d.dataFiles.every(isStr))
    throw new Error(`--session: ${path} is damaged (a turn or a data file entry is malformed)`);
  return { radarm: 'session', version: 1, history, dataFiles: d.dataFiles };
}

/** Writes atomically (temp file + rename): an interrupted write never loses the conversation. */
export function writeSessionFile(path: string, session: Omit<SessionFile, 'radarm' | 'version'>): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const data: SessionFile = { radarm: 'session', version: 1, history: session.history, dataFiles: session.dataFiles };
  writeFileSync(tmp, `${JSON.stringify(data, null, 1)}\n`);
  renameSync(tmp, path);
}
