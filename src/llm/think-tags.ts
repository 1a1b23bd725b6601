// Some servers put a reasoning model's thoughts inline at the start of the content, wrapped in
// <think>…</think> (DeepSeek-R1 distills and QwQ on vLLM without a reasoning parser, LM Studio, older
// Ollama). This splitter turns that into reasoning, whatever way the tags are cut across deltas, so the
// thinking shows as thinking and never pollutes the answer (or the code extracted from it).
// The one <think> splitter of Radarm: the stream service, whole replies and the agent's code and
// verdict readers all use it.

const OPEN = '<think>';
const CLOSE = '</think>';

export interface Split {
  content: string;
  reasoning: string;
}

export function createThinkSplitter() {
  let state: 'start' | 'inside' | 'after' = 'start';
  let buf = '';
  let trimLeading = false;

  const afterThink = (text: string): string => {
    if (!trimLeading) return text;
    const trimmed = text.replace(/^\s+/, '');
    if (trimmed) trimLeading = false;
    return trimmed;
  };

  function push(delta: string): Split {
    if (state === 'after') return { content: afterThink(delta), reasoning: '' };
    buf += delta;
    if (state === 'start') {
      const lead = buf.trimStart();
      if (!lead || (lead.length < OPEN.length && OPEN.startsWith(lead))) return { content: '', reasoning: '' };
      if (!lead.startsWith(OPEN)) {
        state = 'after';
        const content = buf;
        buf = '';
        return { content, reasoning: '' };
      }
      state = 'inside';
      buf = lead.slice(OPEN.length);
    }
    // inside
    const end = buf.indexOf(CLOSE);
    if (end >= 0) {
      const reasoning = buf.slice(0, end);
      const rest = buf.slice(end + CLOSE.length);
      buf = '';
      state = 'after';
      trimLeading = true;
      return { content: afterThink(rest), reasoning };
    }
    // Hold back a tail that may be the beginning of </think>.
    let keep = 0;
    for (let n = Math.min(CLOSE.length - 1, buf.length); n > 0; n--)
      if (CLOSE.startsWith(buf.slice(buf.length - n))) {
        keep = n;
        break;
      }
    const reasoning = buf.slice(0, buf.length - keep);
    buf = buf.slice(buf.length - keep);
    return { content: '', reasoning };
  }

  /** At the end of the stream: whatever is still held back. */
  function flush(): Split {
    const rest = buf;
    buf = '';
    if (state === 'inside') return { content: '', reasoning: rest };
    return { content: rest, reasoning: '' };
  }

  return {
    push,
    flush,
    /** True once past the start: every later delta is content as is (callers may skip push()). */
    get passthrough() {
      return state === 'after' && !trimLeading;
    },
  };
}

/** A whole text: its leading <think>…</think> as reasoning, the rest as content. */
export function splitThinking(text: string): Split {
  const splitter = createThinkSplitter();
  const a = splitter.push(text);
  const b = splitter.flush();
  return { content: a.content + b.content, reasoning: a.reasoning + b.reasoning };
}
