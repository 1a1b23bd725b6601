// What a finished turn produced: its code (Copy, Insert), output, figure and chart.
import { useState } from 'preact/hooks';
import type { CompleteData } from '../../src/protocol/events';
import { format } from '../i18n';
import { store } from '../store';
import { TextStream } from '../streams';
import { post } from '../vscode-api';
import { ChartView } from './chart-view';
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
      {output && <OutputArtifact text={output} />}
      {image && <ImageFigure src={image} turnId={turnId} />}
      {data.plotly_json && <ChartView json={data.plotly_json} turnId={turnId} />}
    </div>
  );
}

function OutputArtifact({ text }: { text: string }) {
  const s = store.strings;
  const [stream] = useState(() => {
    const t = new TextStream();
    t.append(text);
    return t;
  });
  return (
    <section class="artifact">
      <div class="artifact-header static">
        <Codicon name="output" />
        <span>{s.output}</span>
        <span class="spacer" />
        <CopyButton text={text} />
      </div>
      <TextView stream={stream} class="output" fold />
    </section>
  );
}
