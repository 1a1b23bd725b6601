// What the chat controller is given: the services a turn needs (wired in extension.ts) and the sidebar view.
import type { KernelOptions, PythonKernel } from '../kernel/types';
import type { LlmClient } from '../llm/types';
import type { HostToWebview } from '../protocol/messages';
import type { DatabaseRegistry } from './databases';
import type { VscodeLmProviders } from './provider-choice';

/** The services a turn needs; injected so that the wiring lives in extension.ts. */
export interface ChatServices {
  llm: LlmClient;
  createKernel: (opts: KernelOptions) => PythonKernel;
  /** Database connections of this workspace (Radarm: Add Database); absent in tests that need none. */
  databases?: DatabaseRegistry;
  /** VS Code's language models (Copilot) as extra providers; absent or empty without them. */
  vscodeLm?: VscodeLmProviders;
}

/** What the controller needs from the sidebar view. */
export interface ChatViewPort {
  /** Posts to the webview when it is live; false when it is hidden or not loaded (the message is dropped). */
  post(message: HostToWebview): boolean;
  /** Shows the panel (opens the sidebar container). */
  reveal(): Promise<void>;
}
