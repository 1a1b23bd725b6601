// The engine session of one sidebar conversation, wired to VS Code: the workspace's kernel (interpreter,
// sandbox, data files), the host's wording for preflight problems, and the Radarm log.
import type { HistoryEntry } from '../agent/types';
import { createSession, type Session } from '../engine/session';
import type { ChatServices } from './chat-ports';
import { vscodePreflightTexts } from './host-texts';
import { sessionLogger } from './log';
import type { RadarmSettings } from './settings';
import { workspaceKernel } from './workspace-kernel';

/**
 * @param history the model's history of the conversation so far
 * @param kernelStarting told, each time the kernel is created, whether it got network access
 *   (only when a database server is configured: a sandboxed kernel cannot reach one added later)
 */
export function createChatSession(
  services: ChatServices,
  settings: () => RadarmSettings,
  history: HistoryEntry[],
  kernelStarting: (needsNetwork: boolean) => void,
): Session {
  const session: Session = createSession({
    llm: services.llm,
    history,
    keepTurns: Math.max(50, settings().historyLimit),
    createKernel: () =>
      workspaceKernel(services.createKernel, settings, () => session.dataFiles, () => {
        const needsNetwork = services.databases?.needsNetwork ?? false;
        kernelStarting(needsNetwork);
        return { needsNetwork };
      }),
    texts: vscodePreflightTexts(),
    log: sessionLogger('[chat]'),
  });
  return session;
}
