// `--format text`: protocol events rendered for people. Content streams as it arrives, thinking is
// dimmed (on a terminal), each stage gets a heading, errors and token usage go to stderr.
import type { RadarmEvent } from '../protocol/events';

export interface TextSink {
  out(text: string): void;
  err(text: string): void;
  /** Colours on stdout / stderr (a TTY and no NO_COLOR). */
  color: boolean;
  errColor: boolean;
}

const LABELS: Record<string, string> = {
  planner: 'Plan',
  executor: 'Executor',
  verifier: 'Verifier',
  code_generation: 'Code',
  execution: 'Execution',
  explanation: 'Explanation',
  response: 'Answer',
};

const style = (on: boolean, code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

export function createTextRenderer(sink: TextSink) {
  const dim = style(sink.color, '2');
  const bold = style(sink.color, '1');
  const red = style(sink.errColor, '31');
  const errDim = style(sink.errColor, '2');
  let section: string | undefined;
  let atLineStart = true;
  let printedAnything = false;

  const write = (text: string) => {
    if (!text) return;
    sink.out(text);
    atLineStart = text.endsWith('\n');
    printedAnything = true;
  };
  const newline = () => {
    if (!atLineStart) write('\n');
  };
  const heading = (title: string) => {
    newline();
    if (printedAnything) write('\n');
    write(`${bold(`── ${title} ──`)}\n`);
  };

  return (ev: RadarmEvent) => {
    switch (ev.type) {
      case 'thinking': {
        if (ev.stage === 'system') {
          newline();
          write(`${dim(ev.content.replace(/\n+$/, ''))}\n`);
          section = undefined;
          return;
        }
        const key = `thinking:${ev.stage}`;
        if (section !== key) {
          heading(ev.stage === 'explanation' ? 'Thinking' : `Thinking · ${LABELS[ev.stage] ?? ev.stage}`);
          section = key;
        }
        write(dim(ev.content));
        return;
      }
      case 'content': {
        const key = `content:${ev.stage}`;
        if (section !== key) {
          // A plain Ask answer needs no heading; everything else says which stage is talking.
          if (printedAnything || ev.stage !== 'response') heading(LABELS[ev.stage] ?? ev.stage);
          section = key;
        }
        write(ev.content);
        return;
      }
      case 'complete': {
        newline();
        const d = ev.data;
        if (d.image) sink.err(`${errDim(`[chart: a PNG of ${Math.round((d.image.length * 3) / 4 / 1024)} KB; --format ndjson carries it]`)}\n`);
        if (d.plotly_json) sink.err(`${errDim('[interactive Plotly chart; --format ndjson carries it]')}\n`);
        const u = d.usage;
        if (u && (u.promptTokens !== undefined || u.completionTokens !== undefined))
          sink.err(`${errDim(`tokens: ${u.promptTokens ?? '?'} in, ${u.completionTokens ?? '?'} out`)}\n`);
        return;
      }
      case 'error':
        newline();
        sink.err(`${red('Error:')} ${ev.content}\n`);
        return;
      case 'status':
        // Transient progress (a retry: "retrying in 2 s, attempt 2 of 4") goes to stderr, not into the answer.
        newline();
        sink.err(`${errDim(ev.content)}\n`);
        return;
      case 'done':
        return;
    }
  };
}
