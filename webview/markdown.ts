// Markdown for the chat panel: a safe markdown-it (no raw HTML, safe links only) whose code
// blocks carry Copy / Insert buttons, and an incremental block splitter that makes streaming
// render cost independent of the message's length.
//
// Why a splitter: re-rendering the whole message on every token costs O(length) per token.
// Instead the text is cut into top-level blocks at blank lines outside code fences; a block is
// rendered once when it is finished and only the last, open block is re-rendered as tokens
// arrive. Blocks that markdown joins across blank lines (items of one loose list, indented
// continuations) are kept together, so the concatenated HTML equals markdown-it's render of the
// whole text. Exception, for boundedness: an open block that grows past MAX_OPEN_BLOCK chars is
// cut at its next blank line even inside a loose list (the list then restarts, numbered on).
import MarkdownIt from 'markdown-it';

/** A markdown-it instance. */
export type Markdown = InstanceType<typeof MarkdownIt>;

export interface CodeLabels {
  copy: string;
  insert: string;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The panel's markdown-it: html off, linkify on, typographer off (keeps code-ish text exact). */
export function createMarkdown(labels?: CodeLabels): Markdown {
  const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });
  if (!labels) return md;
  const button = (action: string, label: string, icon: string) =>
    `<button type="button" class="icon-button" data-action="${action}" title="${escapeHtml(label)}" aria-label="${escapeHtml(label)}"><i class="codicon codicon-${icon}" aria-hidden="true"></i></button>`;
  const wrap = (lang: string, inner: string) =>
    `<div class="code-block"><div class="code-head"><span class="code-lang">${escapeHtml(lang)}</span>` +
    button('copy-code', labels.copy, 'copy') +
    button('insert-code', labels.insert, 'insert') +
    `</div>${inner}</div>`;
  const fence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, idx, options, env, self) =>
    wrap(tokens[idx].info.trim().split(/\s+/)[0] ?? '', fence(tokens, idx, options, env, self));
  const indented = md.renderer.rules.code_block!;
  md.renderer.rules.code_block = (tokens, idx, options, env, self) => wrap('', indented(tokens, idx, options, env, self));
  return md;
}

/** Past this size, an open block is closed at its next blank line whatever follows. */
export const MAX_OPEN_BLOCK = 16 * 1024;

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const LIST_ITEM = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const isBlank = (line: string) => /^[ \t]*$/.test(line);

/**
 * Splits streamed text into top-level markdown blocks. Feed deltas with push(); finished blocks
 * come out of takeClosed(); openText() is the current unfinished block. Each delta costs time
 * proportional to its own length plus, for the open block only, its lines.
 */
export class BlockSplitter {
  private lines: string[] = [];
  /** Length of the open block so far (chars, incl. newlines). */
  private openLength = 0;
  private partial = '';
  private fence: { char: string; len: number } | null = null;
  /** Blank lines seen after the open block's last non-blank line (outside fences). */
  private pendingBlank: string[] = [];
  private hasList = false;
  private closed: string[] = [];

  push(delta: string): void {
    if (!delta) return;
    const nl = delta.indexOf('\n');
    if (nl < 0) {
      this.partial += delta;
      return;
    }
    let start = 0;
    let at = nl;
    let first = true;
    while (at >= 0) {
      const piece = delta.slice(start, at);
      this.line(first ? this.partial + piece : piece);
      first = false;
      start = at + 1;
      at = delta.indexOf('\n', start);
    }
    this.partial = delta.slice(start);
  }

  /** Finished blocks since the last call, in order. */
  takeClosed(): string[] {
    const out = this.closed;
    this.closed = [];
    return out;
  }

  /** The unfinished block (including the current partial line). */
  openText(): string {
    const body = this.lines.join('\n');
    const tail = this.pendingBlank.length ? '\n' + this.pendingBlank.join('\n') : '';
    if (!this.partial) return body + tail;
    return body ? body + tail + '\n' + this.partial : this.partial;
  }

  /** Ends the stream: the open block (if any) becomes closed. */
  end(): void {
    // Text that does not end with a newline must not gain one (it matters in an unclosed fence).
    const finalNewline = this.partial === '';
    if (this.partial) {
      this.line(this.partial);
      this.partial = '';
    }
    this.closeOpen(finalNewline);
  }

  private line(raw: string): void {
    // Analyse without a CRLF's \r (markdown-it normalises line endings the same way); keep the text as is.
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.fence) {
      this.add(raw);
      const m = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (m && m[1][0] === this.fence.char && m[1].length >= this.fence.len) this.fence = null;
      return;
    }
    if (isBlank(line)) {
      if (this.lines.length) this.pendingBlank.push(raw);
      return;
    }
    if (this.pendingBlank.length) {
      // A block boundary candidate: keep together what markdown would join.
      const continues =
        /^[ \t]/.test(line) || (this.hasList && LIST_ITEM.test(line) && this.openLength < MAX_OPEN_BLOCK);
      if (continues) {
        for (const b of this.pendingBlank) this.add(b);
        this.pendingBlank = [];
      } else {
        this.closeOpen();
      }
    }
    this.add(raw);
    if (LIST_ITEM.test(line)) this.hasList = true;
    const f = FENCE_OPEN.exec(line);
    if (f && !(f[1][0] === '`' && f[2].includes('`'))) this.fence = { char: f[1][0], len: f[1].length };
  }

  private add(line: string): void {
    this.lines.push(line);
    this.openLength += line.length + 1;
  }

  private closeOpen(newline = true): void {
    // Trailing blank lines stay with their block: inside a list item's unclosed fence they are code.
    for (const b of this.pendingBlank) this.lines.push(b);
    if (this.lines.length) this.closed.push(this.lines.join('\n') + (newline ? '\n' : ''));
    this.lines = [];
    this.pendingBlank = [];
    this.openLength = 0;
    this.hasList = false;
    // A fence left open at the end of the stream stays unterminated: markdown-it closes it.
    this.fence = null;
  }
}
