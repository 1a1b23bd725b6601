// Which provider a chat uses and what the panel shows about each: the settings' providers plus VS Code's
// language models, the one picked in this workspace, and which have a key stored (never the key itself).
import * as vscode from 'vscode';
import type { ProviderInfo } from '../protocol/messages';
import { pickDefaultProvider } from '../llm/vscode-lm-providers';
import type { ApiKeys } from './api-keys';
import { readSettings, type ProviderSetting, type RadarmSettings } from './settings';

export interface VscodeLmProviders {
  readonly providers: readonly ProviderSetting[];
  readonly onDidChange: vscode.Event<void>;
}

export class ProviderChoice {
  /** Ids of the configured providers that have a key stored (kept for the synchronous default choice). */
  private keyed = new Set<string>();

  constructor(
    private readonly keys: ApiKeys,
    private readonly memento: vscode.Memento,
    private readonly vscodeLm: VscodeLmProviders | undefined,
  ) {}

  settings(): RadarmSettings {
    const cfg = vscode.workspace.getConfiguration('radarm');
    const s = readSettings((k) => cfg.get(k));
    const lm = this.vscodeLm?.providers ?? [];
    return lm.length ? { ...s, providers: [...s.providers, ...lm] } : s;
  }

  async refreshKeyed(): Promise<void> {
    const ids = this.settings().providers.filter((p) => p.kind !== 'vscode-lm').map((p) => p.id);
    const has = await Promise.all(ids.map(async (id) => !!(await this.keys.get(id))));
    this.keyed = new Set(ids.filter((_, i) => has[i]));
  }

  /**
   * The provider in use: the one picked in this workspace, else the default setting, else (no key stored
   * for any provider) a VS Code language model such as Copilot's, else the first.
   */
  current(settings = this.settings()): ProviderSetting | undefined {
    const picked = this.memento.get<string>('radarm.providerId');
    const byId = (id?: string) => (id ? settings.providers.find((p) => p.id === id) : undefined);
    return (
      byId(picked) ??
      pickDefaultProvider({
        configured: settings.providers.filter((p) => p.kind !== 'vscode-lm'),
        vscodeLm: settings.providers.filter((p) => p.kind === 'vscode-lm'),
        defaultId: settings.defaultProvider,
        hasKey: (p) => this.keyed.has(p.id),
        needsKey: (p) => p.requiresKey,
      }) ??
      settings.providers[0]
    );
  }

  async pick(id: string): Promise<boolean> {
    if (!this.settings().providers.some((p) => p.id === id)) return false;
    await this.memento.update('radarm.providerId', id);
    return true;
  }

  async infos(settings = this.settings()): Promise<ProviderInfo[]> {
    return Promise.all(
      settings.providers.map(async (p) => ({
        id: p.id,
        label: p.label,
        model: p.model,
        hasKey: !p.requiresKey || !!(await this.keys.get(p.id)),
      })),
    );
  }

  /** The key of a provider that takes one (VS Code's language models take none). */
  apiKey(provider: ProviderSetting | undefined): Promise<string | undefined> {
    return provider && provider.kind !== 'vscode-lm' ? this.keys.get(provider.id) : Promise.resolve(undefined);
  }
}
