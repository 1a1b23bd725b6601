// The execution stage tells a UI when code starts running (status{running} with startedAt), so the
// panel can count the elapsed seconds; the output follows as content{execution}. A real Python.
import assert from 'node:assert/strict';
import { executionEvents } from '../../src/agent/execution-events';
import { createKernel, type PythonKernel } from '../../src/kernel';
import { isRadarmEvent, type RadarmEvent } from '../../src/protocol/events';
import { TEST_PYTHON } from '../fixtures/kernel-data';

describe('execution stage: running status', () => {
  let kernel: PythonKernel;
  before(async () => {
    kernel = createKernel({ cwd: process.cwd(), pythonPath: TEST_PYTHON });
    await kernel.start();
  });
  after(async () => {
    await kernel?.dispose();
  });

  it('announces, then says when the code started running, then gives its output', async () => {
    const events: (RadarmEvent & { at: number })[] = [];
    const t0 = Date.now();
    const gen = executionEvents(kernel, 'import time\ntime.sleep(0.3)\nprint("done")', { lang: 'en' });
    for (let r = await gen.next(); !r.done; r = await gen.next()) events.push({ ...r.value, at: Date.now() });
    assert.deepEqual(
      events.map((e) => e.type),
      ['thinking', 'status', 'content'],
    );
    const status = events[1];
    assert.ok(status.type === 'status' && status.kind === 'running' && status.stage === 'execution');
    assert.ok(isRadarmEvent(status), 'a valid protocol event');
    assert.ok(status.startedAt! >= t0 && status.startedAt! <= events[2].at, 'startedAt is when it began');
    assert.ok(events[2].at - status.at >= 250, 'the status came before the code ran, not after');
    assert.doesNotMatch(status.content, /\p{Extended_Pictographic}/u, 'plain text, no emoji');
    assert.match(events[2].type === 'content' ? events[2].content : '', /done/);
  });
});
