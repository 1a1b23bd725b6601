// Reads the verifier's verdict out of whatever the model wrote: a fenced or bare JSON object, prose
// before and after it, Chinese text, and the usual near-JSON slips (single quotes, trailing commas,
// full-width quotes and colons, Python's True/False/None). What cannot be read counts as a fail.

import { withoutThinkBlocks } from './code-extract';

export interface Verdict {
  verdict: 'pass' | 'fail';
  feedback: string;
  /** false when no verdict could be read and the fail is the default. */
  parsed: boolean;
}

const PASS_WORDS = /^(pass|passed|ok|okay|yes|true|correct|success|succeeded|approve|approved|accept|accepted|通过|正确|合格|是|成功)$/i;
const FAIL_WORDS = /^(fail|failed|failure|no|false|incorrect|wrong|reject|rejected|error|不通过|未通过|失败|错误|不正确|不合格|否)$/i;

export function parseVerdict(raw: string): Verdict {
  const text = withoutThinkBlocks(raw);
  for (const candidate of jsonCandidates(text).reverse()) {
    const obj = parseLenient(candidate);
    const v = obj && fromObject(obj);
    if (v) return v;
  }
  // No readable object: a `verdict: pass` line still counts.
  const m = /["']?(?:verdict|结论|判定)["']?\s*[:：=]\s*["'“]?\s*([A-Za-z\u4e00-\u9fff]+)/i.exec(text);
  const word = m && normalize(m[1]);
  if (word) return { verdict: word, feedback: feedbackFromProse(text), parsed: true };
  return {
    verdict: 'fail',
    feedback: 'The verifier did not answer with a readable verdict; check the result against the question again.',
    parsed: false,
  };
}

function fromObject(obj: Record<string, unknown>): Verdict | null {
  const lower: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) lower[k.toLowerCase()] = v;
  const raw = lower.verdict ?? lower.result ?? lower.status ?? lower.decision ?? lower.pass ?? lower.passed;
  let verdict: 'pass' | 'fail' | null = null;
  if (typeof raw === 'boolean') verdict = raw ? 'pass' : 'fail';
  else if (typeof raw === 'string') verdict = normalize(raw);
  if (!verdict) return null;
  const fb = lower.feedback ?? lower.reason ?? lower.comment ?? lower.comments ?? lower.suggestion ?? '';
  return { verdict, feedback: typeof fb === 'string' ? fb.trim() : JSON.stringify(fb), parsed: true };
}

function normalize(word: string): 'pass' | 'fail' | null {
  const w = word.trim().replace(/[.!。！]+$/, '');
  if (PASS_WORDS.test(w)) return 'pass';
  if (FAIL_WORDS.test(w)) return 'fail';
  return null;
}

/** Brace-balanced `{…}` substrings (strings respected), plus the bodies of ```json fences. */
function jsonCandidates(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/```\s*(?:json|JSON)?\s*\n([\s\S]*?)```/g)) out.push(m[1].trim());
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '{') continue;
    const end = matchingBrace(text, i);
    if (end > 0) {
      out.push(text.slice(i, end + 1));
      i = end;
    }
  }
  return out;
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function parseLenient(src: string): Record<string, unknown> | null {
  const attempts = [src, repair(src, false), repair(src, true)];
  for (const a of attempts) {
    try {
      const v: unknown = JSON.parse(a);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* try the next form */
    }
  }
  return null;
}

function repair(src: string, singleQuotes: boolean): string {
  let s = src
    .replace(/[“”]/g, '"')
    .replace(/[‘’]/g, "'")
    .replace(/：/g, ':')
    .replace(/，(?=\s*["'}\w])/g, ',')
    .replace(/\bTrue\b/g, 'true')
    .replace(/\bFalse\b/g, 'false')
    .replace(/\bNone\b/g, 'null');
  // Single-quoted strings → double-quoted (escaping the double quotes inside them).
  if (singleQuotes) s = s.replace(/'((?:\\.|[^'\\])*)'/g, (_m, body: string) => `"${body.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`);
  // Unquoted keys, trailing commas, raw newlines inside strings.
  s = s.replace(/([{,]\s*)([A-Za-z_]\w*)\s*:/g, '$1"$2":');
  s = s.replace(/,\s*([}\]])/g, '$1');
  s = s.replace(/"(?:\\.|[^"\\])*"/g, (str) => str.replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t'));
  return s;
}

function feedbackFromProse(text: string): string {
  const m = /["']?(?:feedback|reason|反馈|原因|建议)["']?\s*[:：=]\s*["'“]?([^\n"”]+)/i.exec(text);
  return (m ? m[1] : text).trim().slice(0, 2000);
}
