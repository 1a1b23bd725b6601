// Views of growing texts. They own their DOM below the root element and patch it from the
// stream on every flush: finished markdown blocks are appended once (grouped in chunks that the
// browser may skip laying out when off-screen), the open block is replaced, plain text gets new
// text nodes. Preact never re-renders them (memo on the stream's identity).
import { memo } from 'preact/compat';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { format } from '../i18n';
import { store } from '../store';
import { MarkdownStream, TextStream } from '../streams';

/** Finished blocks per chunk element, and chunks per group: two levels keep the children the browser
 * walks when it lays out the growing message few (skipped off-screen chunks and groups still count). */
const CHUNK_BLOCKS = 24;
const GROUP_CHUNKS = 24;

export const MarkdownView = memo(function MarkdownView({ stream, class: cls }: { stream: MarkdownStream; class?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const root = ref.current!;
    const open = document.createElement('div');
    open.className = 'md-open';
    let shown = 0;
    let chunk: HTMLElement | null = null;
    let inChunk = 0;
    let group: HTMLElement | null = null;
    let inGroup = 0;
    let resets = -1;
    let openHtml = '';
    const sync = () => {
      if (resets !== stream.resetCount) {
        resets = stream.resetCount;
        root.textContent = '';
        root.appendChild(open);
        shown = 0;
        chunk = null;
        group = null;
        openHtml = '';
        open.textContent = '';
      }
      const all = stream.closedHtml;
      while (shown < all.length) {
        if (!chunk || inChunk >= CHUNK_BLOCKS) {
          if (!group || inGroup >= GROUP_CHUNKS) {
            group = document.createElement('div');
            group.className = 'md-group';
            root.insertBefore(group, open);
            inGroup = 0;
          }
          chunk = document.createElement('div');
          chunk.className = 'md-chunk';
          group.appendChild(chunk);
          inGroup++;
          inChunk = 0;
        }
        const take = Math.min(all.length - shown, CHUNK_BLOCKS - inChunk);
        let html = '';
        for (let i = 0; i < take; i++) html += all[shown + i];
        chunk.insertAdjacentHTML('beforeend', html);
        shown += take;
        inChunk += take;
      }
      if (openHtml !== stream.openHtml) open.innerHTML = openHtml = stream.openHtml;
    };
    sync();
    const unsubscribe = stream.subscribe(sync);
    return () => {
      unsubscribe();
      root.textContent = '';
    };
  }, [stream]);
  return <div ref={ref} class={`markdown ${cls ?? ''}`} />;
});

/** Fold limits for plain text (execution output): beyond them "Show all" reveals the rest. */
const FOLD_LINES = 40;
const FOLD_CHARS = 8000;

export const TextView = memo(function TextView({
  stream,
  class: cls,
  fold = false,
}: {
  stream: TextStream;
  class?: string;
  fold?: boolean;
}) {
  const ref = useRef<HTMLPreElement>(null);
  const [expanded, setExpanded] = useState(false);
  const [hiddenLines, setHiddenLines] = useState(0);
  useLayoutEffect(() => {
    const pre = ref.current!;
    pre.textContent = '';
    let shownChunks = 0;
    let chars = 0;
    let lines = 0;
    let hidden = 0;
    let folded = false;
    const sync = () => {
      const chunks = stream.chunks;
      let text = '';
      for (; shownChunks < chunks.length; shownChunks++) {
        const c = chunks[shownChunks];
        if (!fold || expanded) {
          text += c;
          continue;
        }
        if (folded) {
          hidden += countLines(c);
          continue;
        }
        // Take this chunk up to the fold limits.
        let cut = c.length;
        let i = -1;
        while ((i = c.indexOf('\n', i + 1)) >= 0 && i < cut) {
          if (++lines >= FOLD_LINES) {
            cut = i;
            break;
          }
        }
        cut = Math.min(cut, FOLD_CHARS - chars);
        text += c.slice(0, cut);
        chars += cut;
        if (cut < c.length) {
          folded = true;
          hidden += countLines(c.slice(cut)) || 1;
        }
      }
      if (text) pre.appendChild(document.createTextNode(text));
      if (folded) setHiddenLines(hidden);
    };
    sync();
    const unsubscribe = stream.subscribe(sync);
    return unsubscribe;
  }, [stream, expanded, fold]);
  const s = store.strings;
  return (
    <div class={`text-view ${cls ?? ''}`}>
      <pre ref={ref} tabIndex={0} />
      {fold && (hiddenLines > 0 || expanded) && (
        <button type="button" class="link-button" onClick={() => setExpanded(!expanded)} aria-expanded={expanded}>
          {expanded ? s.showLess : format(s.showMore, hiddenLines)}
        </button>
      )}
    </div>
  );
});

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
