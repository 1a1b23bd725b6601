// What a finished turn produced: its code (Copy, Insert), output, figure and chart.
import { useState } from 'preact/hooks';
import type { CompleteData } from '../../src/protocol/events';
import { format } from '../i18n';
import { store } from '../store';
import { TextStream } from '../streams';
import { post } from '../vscode-api';
import { ChartView } from './chart-view';
import { DataTable } from './data-table';
import { ImageFigure } from './figure-view';
import { TextView } from './stream-views';
import { CopyButton, Codicon, Disclosure, IconButton } from './widgets';

export function Artifacts({ data, turnId }: { data: CompleteData; turnId: string }) {
  const s = store.strings;
  const [codeOpen, setCodeOpen] = useState(false);
  const output = data.execution_result;
  const image = data.image && /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,/.test(data.image) ? data.image : null;
  const code = data.generated_code;
  return (
    <div class="artifacts">
      {code && (
        <section class="artifact code-artifact">
          <div class="artifact-header">
            <Disclosure
              open={codeOpen}
              controls={`code-${turnId}`}
              onToggle={() => setCodeOpen(!codeOpen)}
              label={
                <>
                  <Codicon name="code" />
                  <span>{s.code}</span>
                  <span class="muted small">{format(s.lines, code.split('\n').length)}</span>
                </>
              }
            />
            <span class="spacer" />
            <CopyButton text={code} />
            <IconButton icon="insert" label={s.insert} onClick={() => post({ type: 'insertCode', code })} />
          </div>
          {codeOpen && (
            <pre class="code" id={`code-${turnId}`}>
              <code>{code}</code>
            </pre>
          )}
        </section>
      )}
      {data.tables?.map((table, i) => <DataTable key={`${turnId}-table-${i}`} table={table} locale={store.locale} code={code} />)}
      {output && <OutputArtifact text={output} turnId={turnId} folded={!!data.tables?.length} />}
      {image && <ImageFigure src={image} turnId={turnId} />}
      {data.plotly_json && <ChartView json={data.plotly_json} turnId={turnId} />}
    </div>
  );
}

/**
 * The run's text output. When the turn has structured tables it starts folded: the tables above show the same
 * frames (the text form is what the model and the CLI read), so the panel does not show each result twice.
 */
function OutputArtifact({ text, turnId, folded }: { text: string; turnId: string; folded: boolean }) {
  const s = store.strings;
  const [open, setOpen] = useState(!folded);
  const [stream] = useState(() => {
    const t = new TextStream();
    t.append(text);
    return t;
  });
  const label = (
    <>
      <Codicon name="output" />
      <span>{s.output}</span>
    </>
  );
  return (
    <section class="artifact output-artifact">
      <div class={`artifact-header${folded ? '' : ' static'}`}>
        {folded ? <Disclosure open={open} controls={`output-${turnId}`} onToggle={() => setOpen(!open)} label={label} /> : label}
        <span class="spacer" />
        <CopyButton text={text} />
      </div>
      {open && (
        <div id={`output-${turnId}`}>
          <TextView stream={stream} class="output" fold />
        </div>
      )}
    </section>
  );
}
