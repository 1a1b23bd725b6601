// Where the user changes each thing an LLM error message points to. Messages are written once in this layer;
// each host names its own controls: VS Code names settings and commands, the CLI its flags and variables
// (a VS Code user is never told about a CLI flag, nor a CLI user about a setting).
export interface Knobs {
  apiKey: string;
  model: string;
  requestTimeout: string;
  stallTimeout: string;
  maxResponse: string;
}

export const VSCODE_KNOBS: Knobs = {
  apiKey: 'the command "Radarm: Set API Key"',
  model: 'the setting radarm.providers',
  requestTimeout: 'the setting radarm.requestTimeout',
  stallTimeout: 'the setting radarm.stallTimeout',
  maxResponse: 'the setting radarm.maxResponseMB',
};

export const CLI_KNOBS: Knobs = {
  apiKey: 'RADARM_API_KEY (or --api-key)',
  model: '--model',
  requestTimeout: 'RADARM_REQUEST_TIMEOUT=SECONDS',
  stallTimeout: '--timeout SECONDS',
  maxResponse: '--max-response-mb',
};

/** The default when a host names none (the service used as a library, `radarm serve`): the CLI's words. */
export const DEFAULT_KNOBS = CLI_KNOBS;
