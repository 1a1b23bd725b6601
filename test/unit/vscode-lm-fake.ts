// A fake of the parts of the `vscode` language-model API that src/llm/vscode-lm.ts uses: a LanguageModelChat
// that streams scripted parts, throws LanguageModelErrors, and honours (or ignores) its CancellationToken.
import type * as vscode from 'vscode';
import type { LmModel, VscodeLmApi } from '../../src/llm/vscode-lm';

export class FakeTextPart {
  constructor(public value: string) {}
}
export class FakeThinkingPart {
  constructor(public value: string | string[]) {}
}
/** Named like the proposed API's class, to exercise recognition by name when no class is injected. */
export class LanguageModelThinkingPart {
  constructor(public value: string | string[]) {}
}
export class FakeToolCallPart {
  constructor(public callId: string, public name: string, public input: object) {}
}

/** Same shape as vscode.LanguageModelError: `code` names the kind. */
export class FakeLanguageModelError extends Error {
  static NoPermissions = (m?: string) => new FakeLanguageModelError(m ?? 'NoPermissions', 'NoPermissions');
  static NotFound = (m?: string) => new FakeLanguageModelError(m ?? 'NotFound', 'NotFound');
  static Blocked = (m?: string) => new FakeLanguageModelError(m ?? 'Blocked', 'Blocked');
  constructor(message: string, readonly code: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'LanguageModelError';
  }
}

/** vscode.CancellationError's shape. */
export class FakeCancellationError extends Error {
  constructor() {
    super('Canceled');
    this.name = 'Canceled';
  }
}

export class FakeTokenSource {
  private listeners: Array<(e: unknown) => void> = [];
  cancelCount = 0;
  disposed = false;
  readonly token: vscode.CancellationToken = {
    isCancellationRequested: false,
    onCancellationRequested: (listener: (e: unknown) => unknown) => {
      this.listeners.push(listener);
      return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
    },
  };
  cancel(): void {
    this.cancelCount++;
    if (this.token.isCancellationRequested) return;
    this.token.isCancellationRequested = true;
    for (const l of [...this.listeners]) l(undefined);
  }
  dispose(): void {
    this.disposed = true;
  }
}

export interface FakeMessage {
  role: 'user' | 'assistant';
  text: string;
}
const Role = { User: 1, Assistant: 2 } as unknown as Record<'User' | 'Assistant', vscode.LanguageModelChatMessageRole>;
const message = (role: 'User' | 'Assistant', content: string | unknown[]) =>
  ({
    role: Role[role],
    content: typeof content === 'string' ? [new FakeTextPart(content)] : content,
    name: undefined,
  }) as unknown as vscode.LanguageModelChatMessage;

export const FakeLanguageModelChatMessage: VscodeLmApi['LanguageModelChatMessage'] = {
  User: (content) => message('User', content),
  Assistant: (content) => message('Assistant', content),
};

/** What a fake model does with a request. */
export type Script =
  | { kind: 'parts'; parts: unknown[]; delayMs?: number; throwAfter?: unknown }
  | { kind: 'reject'; error: unknown }
  /** sendRequest never settles (a consent dialog left open); honours nothing. */
  | { kind: 'pendingRequest' }
  /** Streams `parts`, then waits: ends quietly (or throws CancellationError) when the token fires. */
  | { kind: 'hang'; parts?: unknown[]; onCancel: 'end' | 'throw' }
  /** Streams `parts`, then waits forever, ignoring the token. */
  | { kind: 'hangIgnoringToken'; parts?: unknown[] }
  /** The response has only `text` (an older/other implementation). */
  | { kind: 'textOnly'; chunks: string[] };

export interface SentRequest {
  messages: FakeMessage[];
  options?: vscode.LanguageModelChatRequestOptions;
  token?: vscode.CancellationToken;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitForCancel(token: vscode.CancellationToken | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!token) return;
    if (token.isCancellationRequested) return resolve();
    token.onCancellationRequested(() => resolve());
  });
}

export class FakeModel implements LmModel {
  readonly sent: SentRequest[] = [];
  maxInputTokens = 64_000;
  version = '2025-01-01';
  constructor(
    public script: Script,
    readonly id = 'gpt-4o',
    public family = 'gpt-4o',
    readonly name = 'GPT-4o',
    readonly vendor = 'copilot',
  ) {}

  sendRequest(
    messages: vscode.LanguageModelChatMessage[],
    options?: vscode.LanguageModelChatRequestOptions,
    token?: vscode.CancellationToken,
  ): Thenable<vscode.LanguageModelChatResponse> {
    this.sent.push({
      messages: messages.map((m) => ({
        role: (m.role as unknown as number) === 1 ? 'user' : 'assistant',
        text: m.content.map((p) => (p as FakeTextPart).value).join(''),
      })),
      options,
      token,
    });
    const s = this.script;
    if (s.kind === 'reject') return Promise.reject(s.error);
    if (s.kind === 'pendingRequest') return new Promise(() => {});
    if (s.kind === 'textOnly') {
      return Promise.resolve({
        text: (async function* () {
          yield* s.chunks;
        })(),
      } as unknown as vscode.LanguageModelChatResponse);
    }
    async function* stream(): AsyncGenerator<unknown> {
      if (s.kind === 'parts') {
        for (const p of s.parts) {
          if (s.delayMs) await sleep(s.delayMs);
          if (token?.isCancellationRequested) return;
          yield p;
        }
        if (s.throwAfter !== undefined) throw s.throwAfter;
        return;
      }
      if (s.kind === 'hang' || s.kind === 'hangIgnoringToken') {
        for (const p of s.parts ?? []) yield p;
        if (s.kind === 'hangIgnoringToken') await new Promise(() => {});
        else {
          await waitForCancel(token);
          if (s.onCancel === 'throw') throw new FakeCancellationError();
        }
      }
    }
    const text = (async function* () {
      for await (const p of stream()) if (p instanceof FakeTextPart) yield p.value;
    })();
    return Promise.resolve({ stream: stream(), text });
  }
}

export interface FakeApi extends VscodeLmApi {
  sources: FakeTokenSource[];
  selectors: Array<vscode.LanguageModelChatSelector | undefined>;
}

/** The injected API over a list of models; selectChatModels filters like VS Code does. */
export function fakeApi(models: FakeModel[], extra: Partial<VscodeLmApi> = {}): FakeApi {
  const sources: FakeTokenSource[] = [];
  const selectors: FakeApi['selectors'] = [];
  return {
    sources,
    selectors,
    selectChatModels: async (sel) => {
      selectors.push(sel);
      return models.filter(
        (m) =>
          (!sel?.id || m.id === sel.id) &&
          (!sel?.family || m.family === sel.family) &&
          (!sel?.vendor || m.vendor === sel.vendor),
      );
    },
    LanguageModelChatMessage: FakeLanguageModelChatMessage,
    CancellationTokenSource: class {
      constructor() {
        const s = new FakeTokenSource();
        sources.push(s);
        return s;
      }
    } as unknown as new () => vscode.CancellationTokenSource,
    LanguageModelTextPart: FakeTextPart,
    ...extra,
  };
}
