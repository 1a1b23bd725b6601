// Glue between VS Code's language-model API and Radarm's providers: the real API pieces for
// src/llm/vscode-lm.ts, the provider entries for the picker, and one LlmClient for every provider kind.
//
// Everything is guarded: on a VS Code without `vscode.lm`, or with no model (no Copilot), the lists
// are empty and nothing else changes.
import * as vscode from 'vscode';
import type { LlmClient, Provider } from '../llm/types';
import { toLocale, type Locale } from '../protocol/vocabulary';
import { createVscodeLmClient, type LmModel, type VscodeLmApi, type VscodeLmOptions } from '../llm/vscode-lm';
import { pickDefaultProvider, routeByProviderKind, vscodeLmLabel, vscodeLmProvider } from '../llm/vscode-lm-providers';

export { pickDefaultProvider, routeByProviderKind };

/** 'zh-cn' when VS Code's display language is Chinese. */
export const uiLocale = (): Locale => toLocale(vscode.env.language);

const hasLm = (): boolean => typeof vscode.lm?.selectChatModels === 'function';

/** The runtime pieces of the real `vscode` API that the vscode-lm client needs. */
export function vscodeLmApi(): VscodeLmApi {
  // Newer VS Code versions have thinking parts; 1.100 does not. Looked up, never required.
  const thinking = (vscode as unknown as { LanguageModelThinkingPart?: VscodeLmApi['LanguageModelThinkingPart'] })
    .LanguageModelThinkingPart;
  return {
    selectChatModels: hasLm() ? (selector) => vscode.lm.selectChatModels(selector) : undefined,
    LanguageModelChatMessage: vscode.LanguageModelChatMessage,
    CancellationTokenSource: vscode.CancellationTokenSource,
    LanguageModelTextPart: vscode.LanguageModelTextPart,
    LanguageModelThinkingPart: thinking,
  };
}

/** An LlmClient over VS Code's language models (optionally pinned to one model, e.g. a chat request's). */
export function createHostVscodeLmClient(opts: Partial<Pick<VscodeLmOptions, 'model' | 'locale'>> = {}): LlmClient {
  return createVscodeLmClient({ ...vscodeLmApi(), locale: opts.locale ?? uiLocale(), model: opts.model });
}

/**
 * The one LlmClient the extension uses: `vscode-lm` providers go to VS Code's language models,
 * every other kind to the HTTP service.
 */
export function withVscodeLm(http: LlmClient): LlmClient {
  return routeByProviderKind(http, createHostVscodeLmClient());
}

/** The available VS Code language models; [] without the API, without models, or on any failure. */
export async function listVscodeLmModels(): Promise<readonly LmModel[]> {
  if (!hasLm()) return [];
  try {
    return await vscode.lm.selectChatModels();
  } catch {
    return [];
  }
}

export interface VscodeLmProviderEntry {
  provider: Provider;
  /** "GPT-4o · copilot" */
  label: string;
  /** e.g. "VS Code language model (no API key needed)" */
  detail: string;
}

/** Provider-picker entries for the available VS Code language models (empty with no Copilot). */
export async function listVscodeLmProviders(): Promise<VscodeLmProviderEntry[]> {
  const zh = uiLocale() === 'zh-cn';
  const models = await listVscodeLmModels();
  const seen = new Set<string>();
  const entries: VscodeLmProviderEntry[] = [];
  for (const m of models) {
    const provider = vscodeLmProvider(m);
    if (seen.has(provider.id)) continue;
    seen.add(provider.id);
    entries.push({
      provider,
      label: vscodeLmLabel(m),
      detail: zh ? 'VS Code 语言模型（无需 API Key）' : 'VS Code language model (no API key needed)',
    });
  }
  return entries;
}

/** A VS Code model as an entry of the providers list: same shape as a configured provider, no key needed. */
export type VscodeLmProviderSetting = Provider & { label: string; requiresKey: false };

/**
 * The VS Code language models as provider entries, kept current (synchronously readable) for the
 * provider picker and the default-provider choice. Empty until the first lookup, and without Copilot.
 */
export interface VscodeLmProviderList extends vscode.Disposable {
  readonly providers: readonly VscodeLmProviderSetting[];
  /** Fires after the list changed (models appeared or went away). */
  readonly onDidChange: vscode.Event<void>;
  /** Settles after the first lookup. */
  readonly ready: Promise<void>;
}

export function createVscodeLmProviderList(): VscodeLmProviderList {
  let providers: VscodeLmProviderSetting[] = [];
  const changed = new vscode.EventEmitter<void>();
  let generation = 0;
  const refresh = async () => {
    const mine = ++generation;
    const entries = await listVscodeLmProviders();
    if (mine !== generation) return; // a newer refresh is under way
    const next = entries.map((e) => ({ ...e.provider, label: e.label, requiresKey: false as const }));
    const same = next.length === providers.length && next.every((p, i) => p.id === providers[i].id && p.label === providers[i].label);
    providers = next;
    if (!same) changed.fire();
  };
  const sub = onDidChangeVscodeLmProviders(() => void refresh());
  return {
    get providers() {
      return providers;
    },
    onDidChange: changed.event,
    ready: refresh(),
    dispose() {
      sub.dispose();
      changed.dispose();
    },
  };
}

/** Fires when the set of VS Code language models changes (Copilot installed, signed in or out). */
export function onDidChangeVscodeLmProviders(listener: () => void): vscode.Disposable {
  if (typeof vscode.lm?.onDidChangeChatModels !== 'function') return new vscode.Disposable(() => {});
  return vscode.lm.onDidChangeChatModels(listener);
}
