// The bytes the fake LLM server writes: each script step encoded in the request's wire format (OpenAI
// chat-completion chunks, Anthropic Messages events), and a writer that re-chunks them into fixed-size
// writes when a test asks, honouring backpressure.
import type * as http from 'node:http';
import type { FakeRequest, Script, Step } from './fake-llm-script';

export interface Encoder {
  start(): string[];
  step(step: Step): (string | Uint8Array)[];
  finish(): string[];
}

export function encoderFor(fr: FakeRequest, script: Script): Encoder {
  const eol = script.eol ?? '\n';
  const data = (obj: unknown) => `data: ${JSON.stringify(obj)}${eol}${eol}`;
  const event = (name: string, obj: unknown) => `event: ${name}${eol}data: ${JSON.stringify(obj)}${eol}${eol}`;
  let completion = 0;
  const common = (step: Step): (string | Uint8Array)[] | undefined => {
    if ('raw' in step) return [step.raw];
    if ('comment' in step) return [`:${step.comment.startsWith(' ') ? '' : ' '}${step.comment}${eol}${eol}`];
    return undefined;
  };

  if (fr.format === 'anthropic') {
    let block = -1;
    let blockType: 'text' | 'thinking' | undefined;
    const open = (type: 'text' | 'thinking'): string[] => {
      if (blockType === type) return [];
      const out: string[] = [];
      if (blockType) out.push(event('content_block_stop', { type: 'content_block_stop', index: block }));
      block++;
      blockType = type;
      const content_block = type === 'text' ? { type, text: '' } : { type, thinking: '' };
      out.push(event('content_block_start', { type: 'content_block_start', index: block, content_block }));
      return out;
    };
    return {
      start: () => [
        event('message_start', {
          type: 'message_start',
          message: {
            id: 'msg_fake',
            type: 'message',
            role: 'assistant',
            model: fr.body?.model,
            content: [],
            stop_reason: null,
            usage: { input_tokens: script.usage?.prompt ?? 10, output_tokens: 1 },
          },
        }),
        event('ping', { type: 'ping' }),
      ],
      step(step) {
        const c = common(step);
        if (c) return c;
        if ('text' in step) {
          completion += [...step.text].length;
          return [
            ...open('text'),
            event('content_block_delta', {
              type: 'content_block_delta',
              index: block,
              delta: { type: 'text_delta', text: step.text },
            }),
          ];
        }
        if ('reasoning' in step)
          return [
            ...open('thinking'),
            event('content_block_delta', {
              type: 'content_block_delta',
              index: block,
              delta: { type: 'thinking_delta', thinking: step.reasoning },
            }),
          ];
        if ('error' in step)
          return [event('error', { type: 'error', error: { type: 'overloaded_error', message: step.error } })];
        return [];
      },
      finish: () => [
        ...(blockType ? [event('content_block_stop', { type: 'content_block_stop', index: block })] : []),
        event('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: script.finishReason ?? 'end_turn', stop_sequence: null },
          usage: { output_tokens: script.usage?.completion ?? completion },
        }),
        event('message_stop', { type: 'message_stop' }),
      ],
    };
  }

  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    data({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      model: fr.body?.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
  return {
    start: () => [chunk({ role: 'assistant', content: '' })],
    step(step) {
      const c = common(step);
      if (c) return c;
      if ('text' in step) {
        completion += [...step.text].length;
        return [chunk({ content: step.text })];
      }
      if ('reasoning' in step) return [chunk({ [script.reasoningField ?? 'reasoning_content']: step.reasoning })];
      if ('error' in step) return [data({ error: { message: step.error, type: 'server_error' } })];
      return [];
    },
    finish() {
      const out = [chunk({}, script.finishReason ?? 'stop')];
      if (fr.body?.stream_options?.include_usage) {
        const u = script.usage ?? { prompt: 10, completion };
        out.push(
          data({
            id: 'chatcmpl-fake',
            object: 'chat.completion.chunk',
            choices: [],
            usage: { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion },
          }),
        );
      }
      out.push(`data: [DONE]${eol}${eol}`);
      return out;
    },
  };
}

/** Writes pieces to the response, optionally re-chunked into fixed-size writes, honouring backpressure. */
export class Writer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  constructor(
    private res: http.ServerResponse,
    private writeBytes?: number,
  ) {}

  async write(piece: string | Uint8Array) {
    const buf = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece);
    if (!this.writeBytes) return this.send(buf);
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    if (this.pendingBytes >= this.writeBytes) await this.drainWhole();
  }

  async flush() {
    await this.drainWhole();
    if (this.pendingBytes) {
      const rest = Buffer.concat(this.pending);
      this.pending = [];
      this.pendingBytes = 0;
      await this.send(rest);
    }
  }

  private async drainWhole() {
    const n = this.writeBytes;
    if (!n || this.pendingBytes < n) return;
    let all = Buffer.concat(this.pending);
    while (all.length >= n) {
      await this.send(all.subarray(0, n));
      all = all.subarray(n);
    }
    this.pending = all.length ? [all] : [];
    this.pendingBytes = all.length;
  }

  private send(buf: Buffer): Promise<void> | void {
    if (this.res.destroyed || this.res.writableEnded) throw new Error('client went away');
    if (this.res.write(buf)) return;
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        this.res.off('drain', onDrain);
        this.res.off('close', onClose);
        err ? reject(err) : resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(new Error('client went away'));
      this.res.once('drain', onDrain);
      this.res.once('close', onClose);
    });
  }
}
