// The `radarm.*` settings as plain, validated data. `readSettings` takes a getter so it is pure and
// testable; `currentSettings()` binds it to the workspace configuration.
import type { Mode } from '../agent/types';
import { MODES } from '../agent/types';
import type { Provider, ProviderKind } from '../llm/types';
import { SANDBOX_MODES, type SandboxMode } from '../kernel/sandbox';

/** A configured provider plus what only the UI needs. */
export interface ProviderSetting extends Provider {
  label: string;
  /** false: no API key needed (local endpoints such as Ollama). */
  requiresKey: boolean;
}

export interface RadarmSettings {
  providers: ProviderSetting[];
  /** Problems found in the providers setting (shown once, not thrown). */
  providerProblems: string[];
  defaultProvider: string;
  defaultMode: Mode;
  enableStream: boolean;
  requestTimeoutMs: number;
  stallTimeoutMs: number;
  poolSize: number;
  maxRounds: number;
  pythonPath: string;
  executionTimeoutMs: number;
  /** radarm.sandbox and radarm.sandbox.network, passed to the kernel as they are. */
  sandbox: { mode: SandboxMode; network: boolean };
  confirmBeforeRunningCode: boolean;
  /** radarm.allowDatabaseWrites: generated code may change databases (default false: read-only). */
  allowDatabaseWrites: boolean;
  historyLimit: number;
  /** Cap of one model answer in bytes (radarm.maxResponseMB). */
  maxResponseBytes: number;
  /** Limits set outside their range: refused (the default is used), never rounded to 0 or clamped silently. */
  settingProblems: SettingProblem[];
}

export interface SettingProblem {
  /** e.g. radarm.stallTimeout */
  setting: string;
  value: unknown;
  min: number;
  max: number;
  /** The value used instead (the default). */
  used: number;
}

export const DEFAULT_PROVIDERS: ProviderSetting[] = [
  { id: 'deepseek', label: 'DeepSeek', kind: 'openai', baseUrl: 'https://api.deepseek.com/v1', model: 'deepseek-chat', requiresKey: true },
  { id: 'qwen', label: 'Qwen (DashScope)', kind: 'openai', baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1', model: 'qwen-plus', requiresKey: true },
  { id: 'openai', label: 'OpenAI', kind: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', requiresKey: true },
  { id: 'ollama', label: 'Ollama (local)', kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:7b', requiresKey: false },
];

const KINDS: readonly ProviderKind[] = ['openai', 'azure', 'anthropic'];

/** Local endpoints (Ollama, LM Studio, vLLM on this machine) usually need no key. */
export function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host) || host.endsWith('.localhost');
  } catch {
    return false;
  }
}

export function parseProviders(raw: unknown): { providers: ProviderSetting[]; problems: string[] } {
  if (!Array.isArray(raw)) return { providers: DEFAULT_PROVIDERS, problems: raw === undefined ? [] : ['radarm.providers is not a list'] };
  const providers: ProviderSetting[] = [];
  const problems: string[] = [];
  raw.forEach((item, i) => {
    const p = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const where = `radarm.providers[${i}]`;
    const id = typeof p.id === 'string' ? p.id.trim() : '';
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(id)) return void problems.push(`${where}: "id" must be a short name (letters, digits, _ . -)`);
    if (providers.some((q) => q.id === id)) return void problems.push(`${where}: the id "${id}" is used twice`);
    const kind = (p.kind ?? 'openai') as ProviderKind;
    if (!KINDS.includes(kind)) return void problems.push(`${where}: "kind" must be one of ${KINDS.join(', ')}`);
    const baseUrl = typeof p.baseUrl === 'string' ? p.baseUrl.trim() : '';
    if (!/^https?:\/\/[^\s]+$/i.test(baseUrl)) return void problems.push(`${where}: "baseUrl" must be an http(s) URL`);
    const model = typeof p.model === 'string' ? p.model.trim() : '';
    if (!model) return void problems.push(`${where}: "model" is missing`);
    const provider: ProviderSetting = {
      id,
      kind,
      baseUrl,
      model,
      label: typeof p.label === 'string' && p.label.trim() ? p.label.trim() : id,
      requiresKey: typeof p.requiresKey === 'boolean' ? p.requiresKey : !isLocalUrl(baseUrl),
    };
    if (typeof p.apiVersion === 'string' && p.apiVersion) provider.apiVersion = p.apiVersion;
    providers.push(provider);
  });
  return { providers, problems };
}

export function readSettings(get: (key: string) => unknown): RadarmSettings {
  const { providers, problems } = parseProviders(get('providers'));
  const mode = get('defaultMode');
  const settingProblems: SettingProblem[] = [];
  // A value outside its range is refused and reported; a timeout of 0.0001 s must not become 0 (= off).
  const num = (key: string, dflt: number, min: number, max: number) => {
    const v = get(key);
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) return v;
    settingProblems.push({ setting: `radarm.${key}`, value: v, min, max, used: dflt });
    return dflt;
  };
  return {
    providers,
    providerProblems: problems,
    defaultProvider: typeof get('defaultProvider') === 'string' ? (get('defaultProvider') as string) : 'deepseek',
    defaultMode: MODES.includes(mode as Mode) ? (mode as Mode) : 'agent_single',
    enableStream: get('enableStream') !== false,
    requestTimeoutMs: num('requestTimeout', 180, 5, 3600) * 1000,
    stallTimeoutMs: num('stallTimeout', 60, 5, 3600) * 1000,
    poolSize: Math.round(num('poolSize', 20, 1, 256)),
    maxRounds: Math.round(num('maxRounds', 3, 1, 10)),
    pythonPath: typeof get('pythonPath') === 'string' ? (get('pythonPath') as string).trim() : '',
    executionTimeoutMs: num('executionTimeout', 60, 1, 86400) * 1000,
    sandbox: {
      mode: SANDBOX_MODES.includes(get('sandbox') as SandboxMode) ? (get('sandbox') as SandboxMode) : 'auto',
      network: get('sandbox.network') === true,
    },
    confirmBeforeRunningCode: get('confirmBeforeRunningCode') === true,
    allowDatabaseWrites: get('allowDatabaseWrites') === true,
    historyLimit: Math.round(num('historyLimit', 100, 1, 1000)),
    maxResponseBytes: Math.round(num('maxResponseMB', 8, 1, 1024) * 1024 * 1024),
    settingProblems,
  };
}
