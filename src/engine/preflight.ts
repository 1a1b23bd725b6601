// What a turn needs before it runs, checked in one place for every host: a provider, its key, the
// permission to run code (Workspace Trust), the data files. Returns either a ready context or a typed
// problem; the host only chooses the words (VS Code names settings and commands, the CLI its flags).
// The kernel is deliberately not checked here: it starts alongside the first model call (never awaited
// before it), and a kernel that cannot start ends the turn with its own typed error (no_python, kernel).
import type { Provider } from '../llm/types';
import type { ErrorCode } from '../protocol/events';
import type { Mode } from '../protocol/vocabulary';

/** A provider as hosts know it: the LLM layer's plus its display name and whether it needs a key. */
export type ProviderChoice = Provider & { label?: string; requiresKey?: boolean };

/** A data file as the user chose it: its display name and where it is now (undefined: not found). */
export interface DataFileChoice {
  name: string;
  path: string | undefined;
}

export interface PreflightInput {
  mode: Mode;
  provider: ProviderChoice | undefined;
  apiKey: string | undefined;
  /** false in an untrusted workspace: the agent modes may not run code (Ask still works). */
  trusted: boolean;
  dataFiles: readonly DataFileChoice[];
  /** Database connections chosen as data sources: their names, and how many could be resolved. */
  databases?: { chosen: readonly string[]; found: number };
}

export type PreflightProblem =
  | { code: 'no_provider' }
  | { code: 'no_key'; provider: ProviderChoice }
  | { code: 'untrusted' }
  | { code: 'data'; file: string }
  | { code: 'database'; chosen: readonly string[] };

export interface ReadyTurn {
  provider: Provider;
  apiKey: string | undefined;
  /** Absolute paths of the turn's data files. */
  dataFiles: string[];
}

export type Preflight = { ok: true; ready: ReadyTurn } | { ok: false; problem: PreflightProblem };

export function preflight(input: PreflightInput): Preflight {
  const { provider } = input;
  if (!provider) return { ok: false, problem: { code: 'no_provider' } };
  if (provider.requiresKey && !input.apiKey) return { ok: false, problem: { code: 'no_key', provider } };
  if (input.mode !== 'ask' && !input.trusted) return { ok: false, problem: { code: 'untrusted' } };
  const dataFiles: string[] = [];
  for (const f of input.dataFiles) {
    // Only a choice that no longer resolves (gone from the workspace). Files that exist but cannot load,
    // or vanished from disk, are the agent's data check: it names every file with what is wrong.
    if (!f.path) return { ok: false, problem: { code: 'data', file: f.name } };
    dataFiles.push(f.path);
  }
  const dbs = input.databases;
  if (dbs && dbs.found < dbs.chosen.length) return { ok: false, problem: { code: 'database', chosen: dbs.chosen } };
  return { ok: true, ready: { provider, apiKey: input.apiKey, dataFiles } };
}

/** The words of each problem; every host supplies its own (VS Code localises them, the CLI names its flags). */
export type PreflightTexts = { [C in PreflightProblem['code']]: (p: Extract<PreflightProblem, { code: C }>) => string };

/** The command line's wording. */
export const CLI_PREFLIGHT_TEXTS: PreflightTexts = {
  no_provider: () => 'No LLM provider is configured: pass --base-url and --model (or --provider).',
  no_key: (p) => `No API key for ${p.provider.label ?? p.provider.id}: pass --api-key or set RADARM_API_KEY.`,
  untrusted: () => 'Running code is not allowed here; use --mode ask.',
  data: (p) => `The data file ${p.file} does not exist.`,
  database: (p) => `A chosen database (${p.chosen.join(', ')}) cannot be found; check --db.`,
};

export function preflightMessage(problem: PreflightProblem, texts: PreflightTexts): { content: string; code: ErrorCode } {
  const describe = texts[problem.code] as (p: PreflightProblem) => string;
  return { content: describe(problem), code: problem.code };
}
