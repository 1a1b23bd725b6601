// API keys live only in VS Code's SecretStorage (the OS keychain on desktop), one per provider id.
// Never in settings, logs, events or error texts.
import * as vscode from 'vscode';
import type { ProviderSetting } from './settings';

const secretName = (providerId: string) => `radarm.apiKey.${providerId}`;

export interface ApiKeys {
  get(providerId: string): Promise<string | undefined>;
  set(providerId: string, key: string): Promise<void>;
  delete(providerId: string): Promise<void>;
  /** Fires with the provider id whose key changed. */
  onDidChange: vscode.Event<string>;
}

export function createApiKeys(secrets: vscode.SecretStorage): ApiKeys {
  const emitter = new vscode.EventEmitter<string>();
  secrets.onDidChange((e) => {
    if (e.key.startsWith('radarm.apiKey.')) emitter.fire(e.key.slice('radarm.apiKey.'.length));
  });
  return {
    get: async (id) => (await secrets.get(secretName(id))) || undefined,
    set: (id, key) => Promise.resolve(secrets.store(secretName(id), key)),
    delete: (id) => Promise.resolve(secrets.delete(secretName(id))),
    onDidChange: emitter.event,
  };
}

/** Trims a pasted key and rejects what cannot be one (so a stray newline never ends up in a header). */
export function cleanApiKey(input: string): string | undefined {
  const key = input.trim().replace(/^Bearer\s+/i, '');
  return key && !/\s/.test(key) ? key : undefined;
}

/**
 * The Set API Key flow: pick a provider (unless given), type the key in a password box.
 * Returns the provider id whose key was stored, or undefined when the user cancelled.
 */
export async function promptForApiKey(
  keys: ApiKeys,
  providers: readonly ProviderSetting[],
  providerId?: string,
): Promise<string | undefined> {
  let provider = providerId ? providers.find((p) => p.id === providerId) : undefined;
  if (!provider) {
    if (!providers.length) {
      void vscode.window.showErrorMessage(vscode.l10n.t('No providers are configured. Add one in the setting radarm.providers.'));
      return undefined;
    }
    const items = await Promise.all(
      providers.map(async (p) => ({
        label: p.label,
        description: `${p.model} · ${p.baseUrl}`,
        detail: (await keys.get(p.id))
          ? vscode.l10n.t('A key is stored; entering a new one replaces it.')
          : p.requiresKey
            ? vscode.l10n.t('No key stored yet.')
            : vscode.l10n.t('Local endpoint: a key is optional.'),
        id: p.id,
      })),
    );
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Radarm: Set API Key'),
      placeHolder: vscode.l10n.t('Which provider is the key for?'),
    });
    if (!picked) return undefined;
    provider = providers.find((p) => p.id === picked.id)!;
  }
  const input = await vscode.window.showInputBox({
    title: vscode.l10n.t('API key for {0}', provider.label),
    prompt: vscode.l10n.t('Stored in VS Code\'s secret storage, never in settings. Sent only to {0}.', provider.baseUrl),
    password: true,
    ignoreFocusOut: true,
    placeHolder: 'sk-…',
    validateInput: (v) => (v.trim() === '' || cleanApiKey(v) ? undefined : vscode.l10n.t('A key has no spaces in it.')),
  });
  if (input === undefined) return undefined;
  const key = cleanApiKey(input);
  if (!key) {
    if (input.trim() === '' && (await keys.get(provider.id))) {
      await keys.delete(provider.id);
      void vscode.window.showInformationMessage(vscode.l10n.t('Removed the API key for {0}.', provider.label));
      return provider.id;
    }
    return undefined;
  }
  await keys.set(provider.id, key);
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved the API key for {0}.', provider.label));
  return provider.id;
}
