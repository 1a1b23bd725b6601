import type { ProviderKind } from '../types';
import { anthropicAdapter } from './anthropic';
import { azureAdapter, openAiAdapter } from './openai';
import type { ProviderAdapter } from './types';

/** The HTTP adapters of the undici service ('vscode-lm' is served by its own LlmClient, not over HTTP). */
export function adapterFor(kind: ProviderKind): ProviderAdapter | undefined {
  switch (kind) {
    case 'openai':
      return openAiAdapter;
    case 'azure':
      return azureAdapter;
    case 'anthropic':
      return anthropicAdapter;
    default:
      return undefined;
  }
}

export type { ProviderAdapter, StreamUpdate, Reply, HttpCall } from './types';
