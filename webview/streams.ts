// Growing texts of a streaming message, kept outside Preact's state: deltas are appended as they
// arrive, flush() (once per animation frame) renders what changed, and the views that show the
// text (stream-views.tsx) patch only their own DOM. Per-token cost stays flat however long the
// message gets: finished markdown blocks are rendered once and appended, only the open block is
// re-rendered.
import { BlockSplitter, type Markdown } from './markdown';

type Listener = () => void;

abstract class Stream {
  private listeners = new Set<Listener>();
  protected dirty = false;
  /** Total characters appended. */
  length = 0;

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Renders pending changes and tells the views. Cheap when nothing changed. */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.render();
    for (const fn of this.listeners) fn();
  }

  protected abstract render(): void;
}

/** Plain text (thinking, execution output): chunks appended as text nodes. */
export class TextStream extends Stream {
  readonly chunks: string[] = [];
  private cached: string | null = '';

  append(delta: string): void {
    if (!delta) return;
    this.chunks.push(delta);
    this.length += delta.length;
    this.cached = null;
    this.dirty = true;
  }

  text(): string {
    if (this.cached === null) this.cached = this.chunks.join('');
    return this.cached;
  }

  protected render(): void {}
}

/** Markdown text rendered block by block. */
export class MarkdownStream extends Stream {
  private splitter = new BlockSplitter();
  /** HTML of every finished block, in order (views append the new ones). */
  readonly closedHtml: string[] = [];
  /** HTML of the open block (replaced on each flush). */
  openHtml = '';
  /** The raw deltas (text() joins them, only when the whole text is needed). */
  private chunks: string[] = [];
  private ended = false;

  constructor(private readonly md: () => Markdown) {
    super();
  }

  append(delta: string): void {
    if (!delta || this.ended) return;
    this.splitter.push(delta);
    this.chunks.push(delta);
    this.length += delta.length;
    this.dirty = true;
  }

  /** The stream is complete: its last block is final. */
  end(): void {
    if (this.ended) return;
    this.splitter.end();
    this.ended = true;
    this.dirty = true;
  }

  /** Replaces the whole text (e.g. the final reply differs from what streamed). O(n), once. */
  reset(text: string): void {
    this.splitter = new BlockSplitter();
    this.closedHtml.length = 0;
    this.chunks = [];
    this.openHtml = '';
    this.length = 0;
    this.ended = false;
    this.append(text);
    this.resetCount++;
  }

  /** Bumped by reset(): views rebuild from scratch when it changes. */
  resetCount = 0;

  text(): string {
    if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
    return this.chunks[0] ?? '';
  }

  protected render(): void {
    const md = this.md();
    for (const block of this.splitter.takeClosed()) this.closedHtml.push(md.render(block));
    const open = this.splitter.openText();
    this.openHtml = open ? md.render(open) : '';
  }
}
