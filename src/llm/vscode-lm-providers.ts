// VS Code's language models as providers: a model as a provider entry, the provider used when the user has
// not picked one, and the client that sends each request to the HTTP or the VS Code side by its kind.
import type { ChatRequest, LlmClient, Provider } from './types';
import type { LmModel } from './vscode-lm';

const PROVIDER_PREFIX = 'vscode-lm:';

/** A model as a provider entry (plain data, like every other provider). */
export function vscodeLmProvider(model: Pick<LmModel, 'id' | 'vendor'>): Provider {
  return { id: PROVIDER_PREFIX + model.id, kind: 'vscode-lm', baseUrl: `vscode-lm://${model.vendor}`, model: model.id };
}

/** "GPT-4o · copilot": what the provider picker shows. */
export function vscodeLmLabel(model: Pick<LmModel, 'name' | 'vendor'>): string {
  return `${model.name} · ${model.vendor}`;
}

export const isVscodeLmProvider = (p: Pick<Provider, 'kind'>): boolean => p.kind === 'vscode-lm';

export interface DefaultProviderInput<P extends Provider> {
  /** The configured (HTTP) providers, in settings order. */
  configured: readonly P[];
  /** Providers made from the available VS Code language models (see vscodeLmProvider). */
  vscodeLm: readonly P[];
  /** The id from the default-provider setting, if any. */
  defaultId?: string;
  /** Whether an API key is actually stored for a configured provider. */
  hasKey: (provider: P) => boolean;
  /** Whether a provider needs a key at all (local endpoints such as Ollama do not). Default: yes. */
  needsKey?: (provider: P) => boolean;
}

/**
 * The provider to use when the user has not picked one: the default setting when it is usable as it is
 * (a VS Code model, a key stored, or no key needed); else a configured provider with a stored key; else a
 * VS Code language model (zero set-up for Copilot users); else the default, so the user is led to Set API Key.
 */
export function pickDefaultProvider<P extends Provider>(input: DefaultProviderInput<P>): P | undefined {
  const { configured, vscodeLm, defaultId, hasKey } = input;
  const needsKey = input.needsKey ?? (() => true);
  const all = [...configured, ...vscodeLm];
  const preferred = defaultId ? all.find((p) => p.id === defaultId) : undefined;
  if (preferred && (isVscodeLmProvider(preferred) || !needsKey(preferred) || hasKey(preferred))) return preferred;
  const keyed = configured.find((p) => !isVscodeLmProvider(p) && hasKey(p));
  if (keyed) return keyed;
  if (vscodeLm.length) return vscodeLm[0];
  return preferred ?? configured.find((p) => !isVscodeLmProvider(p));
}

/** One LlmClient for every provider kind: `vscode-lm` requests go to `vscodeLm`, the rest to `http`. */
export function routeByProviderKind(http: LlmClient, vscodeLm: LlmClient): LlmClient {
  const pick = (r: ChatRequest) => (isVscodeLmProvider(r.provider) ? vscodeLm : http);
  return {
    streamChat: (request, signal) => pick(request).streamChat(request, signal),
    chat: (request, signal) => pick(request).chat(request, signal),
  };
}
