// Conversation → Jupyter notebook for Export as Notebook: the shared builder (src/agent/notebook.ts)
// with the turns' data files named at the top. Pure: the command writes the returned JSON.
import type { TurnRecord } from '../protocol/messages';
import { completeOf, conversationToNotebook as build } from '../agent/notebook';

export { completeOf, toSource } from '../agent/notebook';

export function conversationToNotebook(turns: readonly TurnRecord[], opts: { title?: string; notebookDir?: string } = {}): object {
  const files = [...new Set(turns.flatMap((t) => t.dataFiles))];
  return build(turns, { ...opts, dataFiles: files });
}

/** Code of the latest turn that produced some. */
export function lastGeneratedCode(turns: readonly TurnRecord[]): string | undefined {
  for (let i = turns.length - 1; i >= 0; i--) {
    const code = completeOf(turns[i].events)?.generated_code;
    if (code) return code;
  }
  return undefined;
}
