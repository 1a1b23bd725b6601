// Takes the Python code out of a model's answer: fenced blocks (```python, ```py, ~~~, bare ``` with
// code), prose around them in any language, several blocks, an unterminated last fence (the model hit
// its token limit), REPL prompts. Pure string work; returns null when there is no code to run.
import { splitThinking } from '../llm/think-tags';

export interface FencedBlock {
  /** The info string's first word, lower-cased ('' for a bare fence). */
  lang: string;
  code: string;
  /** true when the closing fence was missing (the text ended inside the block). */
  unterminated: boolean;
}

const PYTHON_LANGS = new Set(['python', 'py', 'python3', 'py3', 'ipython', 'ipython3', 'pycon', 'pandas']);
/** Languages whose blocks are never the code to run (outputs, shell commands, data). */
const NOT_PYTHON = new Set([
  'text', 'txt', 'output', 'console', 'bash', 'sh', 'shell', 'zsh', 'powershell', 'ps1', 'cmd', 'bat',
  'json', 'jsonc', 'csv', 'tsv', 'sql', 'markdown', 'md', 'yaml', 'yml', 'toml', 'ini', 'html', 'xml',
  'javascript', 'js', 'typescript', 'ts', 'r', 'plaintext', 'diff', 'log', 'mermaid',
]);

/** All fenced blocks in order. Fences may be indented (inside list items) and use ``` or ~~~ (3+). */
export function fencedBlocks(text: string): FencedBlock[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: FencedBlock[] = [];
  let open: { fence: string; indent: number; lang: string; body: string[] } | null = null;
  for (const line of lines) {
    if (!open) {
      const m = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/.exec(line);
      if (m) open = { fence: m[2], indent: m[1].length, lang: m[3].toLowerCase().replace(/^\{|\}$/g, ''), body: [] };
      continue;
    }
    const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      blocks.push({ lang: open.lang, code: dedent(open.body, open.indent), unterminated: false });
      open = null;
    } else {
      open.body.push(line);
    }
  }
  if (open) blocks.push({ lang: open.lang, code: dedent(open.body, open.indent), unterminated: true });
  return blocks;
}

/**
 * The code to run, or null. Prefers blocks tagged as Python; bare blocks count when they look like
 * code. Of several candidates the last one wins (models put the corrected version last), unless it
 * uses names that only earlier blocks define: then they are steps of one program and are joined.
 */
export function extractPythonCode(text: string): string | null {
  const blocks = fencedBlocks(withoutThinkBlocks(text)).filter((b) => b.code.trim() !== '');
  let candidates = blocks.filter((b) => PYTHON_LANGS.has(b.lang));
  if (!candidates.length) candidates = blocks.filter((b) => b.lang === '' && looksLikePython(b.code));
  if (!candidates.length) candidates = blocks.filter((b) => !NOT_PYTHON.has(b.lang) && b.lang !== '' && looksLikePython(b.code));
  // A cut-off last block is only used when nothing complete exists.
  const complete = candidates.filter((b) => !b.unterminated);
  if (complete.length) candidates = complete;
  if (!candidates.length) return null;

  const codes = candidates.map((b) => stripReplPrompts(b.code).trim());
  const last = codes[codes.length - 1];
  if (codes.length > 1) {
    const earlier = new Set(codes.slice(0, -1).flatMap(definedNames));
    const own = new Set(definedNames(last));
    const needsEarlier = usedNames(last).some((n) => earlier.has(n) && !own.has(n));
    if (needsEarlier) return codes.join('\n\n');
  }
  return last;
}

/**
 * Drops a leading `<think>…</think>` section: some endpoints (Ollama, vLLM with R1-style models) put
 * the reasoning, drafts included, into the content itself. The same splitter as the LLM service's.
 */
export function withoutThinkBlocks(text: string): string {
  return splitThinking(text).content;
}

/** A rough test that a bare block is code and not prose or a printed table. */
export function looksLikePython(code: string): boolean {
  const lines = code.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (!lines.length) return false;
  const codeish = lines.filter((l) =>
    /^(import |from \S+ import |def |class |for |while |if |elif |else:|try:|except|finally:|with |return\b|print\(|result\b|df\b|dfs\b|plt\.|px\.|go\.|fig\b|[A-Za-z_][\w.]*(\[[^\]]*\])*\s*(=|\+=|-=|\*=|\/=)|[A-Za-z_][\w.]*\(.*\)\s*$|[)\]}],?$|@)/.test(l),
  );
  return codeish.length / lines.length >= 0.6;
}

function dedent(lines: string[], fenceIndent: number): string {
  const body = lines.map((l) => {
    // Remove at most the fence's indentation (code inside list items is indented with its fence).
    let i = 0;
    while (i < fenceIndent && (l[i] === ' ' || l[i] === '\t')) i++;
    return l.slice(i);
  });
  return body.join('\n');
}

/** `>>> x = 1` / `... y` transcripts become plain code; lines without a prompt (outputs) are dropped. */
function stripReplPrompts(code: string): string {
  const lines = code.split('\n');
  if (!lines.some((l) => l.startsWith('>>> '))) return code;
  return lines
    .filter((l) => l.startsWith('>>> ') || l.startsWith('... ') || l === '>>>' || l === '...')
    .map((l) => l.slice(4))
    .join('\n');
}

const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del',
  'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal',
  'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'print', 'len', 'range', 'df', 'dfs',
  'pd', 'np', 'plt', 'px', 'go', 'result',
]);

/** Top-level names a block assigns, imports or defines (a cheap approximation, no parser). */
function definedNames(code: string): string[] {
  const names: string[] = [];
  for (const line of code.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=(?!=)/.exec(line))) names.push(...m[1].split(/\s*,\s*/));
    else if ((m = /^(?:def|class)\s+([A-Za-z_]\w*)/.exec(line))) names.push(m[1]);
    else if ((m = /^import\s+(.+)$/.exec(line)))
      names.push(...m[1].split(',').map((p) => p.trim().split(/\s+as\s+/).pop()!.split('.')[0]));
    else if ((m = /^from\s+\S+\s+import\s+\(?([^)]+)\)?$/.exec(line)))
      names.push(...m[1].split(',').map((p) => p.trim().split(/\s+as\s+/).pop()!));
    else if ((m = /^for\s+([A-Za-z_]\w*)/.exec(line))) names.push(m[1]);
  }
  return names.filter((n) => n && !KEYWORDS.has(n));
}

function usedNames(code: string): string[] {
  const noStrings = code.replace(/#.*$/gm, '').replace(/(['"])(?:\\.|(?!\1).)*\1/g, '""');
  return [...new Set(noStrings.match(/(?<![\w.])[A-Za-z_]\w*/g) ?? [])].filter((n) => !KEYWORDS.has(n));
}
