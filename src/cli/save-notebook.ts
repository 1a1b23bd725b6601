// --save-notebook FILE: the turn's question, code, outputs and charts as a Jupyter notebook whose code
// cells, run in order by a fresh Python from the notebook's folder, reproduce the answer (the first
// code cell reads the data exactly as the kernel did). Written atomically: temp file + rename.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { conversationToNotebook, completeOf } from '../agent/notebook';
import type { RadarmEvent } from '../protocol/events';

/** Writes the notebook; returns a one-line message for stderr. */
export function saveNotebook(file: string, question: string, events: readonly RadarmEvent[], dataFiles: readonly string[]): string {
  if (!completeOf(events)) return `radarm: no notebook written to ${file}: the turn did not complete`;
  const dir = path.dirname(file);
  const nb = conversationToNotebook([{ question, events }], {
    title: question.split('\n')[0].slice(0, 80),
    notebookDir: dir,
    dataFiles: dataFiles.map((f) => path.relative(dir, f).split(path.sep).join('/')),
  });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, `${JSON.stringify(nb, null, 1)}\n`);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    return `radarm: could not write the notebook ${file}: ${(err as Error).message}`;
  }
  return `radarm: notebook saved to ${file}`;
}
