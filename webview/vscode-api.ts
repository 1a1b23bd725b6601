// The VS Code webview API (acquireVsCodeApi may be called once per page), typed with our protocol.
import type { WebviewToHost } from '../src/protocol/messages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

// Outside VS Code (opening dist/webview in a browser by hand) the panel still renders.
const api: VsCodeApi =
  typeof acquireVsCodeApi === 'function'
    ? acquireVsCodeApi()
    : { postMessage: (m) => console.debug('[radarm] post', m), getState: () => undefined, setState: () => {} };

export function post(message: WebviewToHost): void {
  api.postMessage(message);
}

export const getState = (): unknown => api.getState();
export const setState = (state: unknown): void => api.setState(state);
