// The data profile of an agent run: the kernel's when it is ready soon, else a text preview of each file
// for the first model call, so that a big file's loading never holds up the first answer. Files that
// cannot load end the turn before any model call; files that failed in the kernel are announced once.
import type { DataProfile } from '../kernel/types';
import { isDatabaseFile } from '../kernel/database-sources';
import { previewFile } from './ask';
import { allFailed, checkDataFiles, noDataMessage } from './data-check';
import { delay } from '../util/abort';
import { abortable, hasData, TurnStop, type AgentRun, type StageEvent } from './agent-run';

/** Above this many ms of data loading, a "loading data" announcement is shown. */
const LOADING_NOTICE_MS = 300;
/** How long the first model call waits for the kernel's data profile before going on with a preview. */
export const PROFILE_WAIT_MS = 1500;

/**
 * The profile for the turn's first model call: the kernel's, when it is ready within
 * PROFILE_WAIT_MS (the usual case: a warm kernel, or a cold one with a small file); otherwise the
 * first lines of each file, read directly, so that writing the plan or the code does not wait for a
 * big file to load. Execution waits for the loading; later calls get the full profile.
 */
export async function* firstCallProfile(run: AgentRun): AsyncGenerator<StageEvent, DataProfile | undefined> {
  const files = run.ctx.dataFiles;
  if (!hasData(run.ctx)) return undefined; // nothing to describe; the kernel keeps starting meanwhile
  // A database has no text preview: its profile (the schema) is what the model needs.
  if (run.ctx.databases?.length || files.some(isDatabaseFile)) return yield* awaitProfile(run);
  // Files that cannot load (missing, empty, binary under a data extension) are known in milliseconds: when
  // no file is usable, the turn ends here, before any model call.
  const problems = await checkDataFiles(files);
  if (problems.length === files.length) throw new TurnStop(noDataMessage(problems, run.ui), 'data');
  // A cold kernel (Python still starting) never holds up the first call: its profile would take
  // seconds. A warm one usually has the data loaded (or cached) within the wait.
  const wait = run.kernelWasWarm ? PROFILE_WAIT_MS : 0;
  const ready = await Promise.race([
    run.profile.then((p) => ({ p }), () => ({ p: undefined })),
    delay(wait).then(() => null),
  ]);
  if (ready || run.signal.aborted) return yield* awaitProfile(run);
  yield { type: 'thinking', stage: 'system', content: run.t.loadingData(files.length) };
  run.loadingAnnounced = true;
  const previews = await Promise.all(files.slice(0, 8).map((f) => previewFile(f)));
  return {
    text: `${previews.join('\n\n')}\n\n(The full profile is still loading: these are the first lines of each file as text.)`,
    variables: [],
    files: problems, // the files known not to load, so that the model is told

  };
}

/** Waits for the warm-up's profile (announcing a slow load once, and files that failed to load). */
export async function* awaitProfile(run: AgentRun): AsyncGenerator<StageEvent, DataProfile | undefined> {
  if (!run.loadingAnnounced) {
    const slow = await Promise.race([
      run.profile.then(() => false, () => false),
      delay(LOADING_NOTICE_MS).then(() => true),
    ]);
    if (slow && hasData(run.ctx)) {
      yield { type: 'thinking', stage: 'system', content: run.t.loadingData(run.ctx.dataFiles.length) };
      run.loadingAnnounced = true;
    }
  }
  const profile = await abortable(run.profile, run.signal);
  // A chosen database that cannot be opened stops the turn: its message says what to fix.
  const dbFailed = profile?.files.find((f) => f.kind === 'database' && f.error);
  if (dbFailed) throw new TurnStop(dbFailed.error!, 'database');
  stopWhenNoData(run, profile);
  if (!run.fileErrorsAnnounced) {
    run.fileErrorsAnnounced = true;
    for (const f of profile?.files ?? []) {
      if (f.kind === 'database') continue;
      if (f.error) yield { type: 'thinking', stage: 'system', content: run.t.fileFailed(f.name, f.error) };
      else if (f.warning) yield { type: 'thinking', stage: 'system', content: run.t.fileWarning(f.name, f.warning) };
    }
  }
  return profile;
}

/** Every chosen source failed in the kernel: nothing can run, so the turn ends with each file's error. */
export function stopWhenNoData(run: AgentRun, profile: DataProfile | undefined): void {
  const failed = allFailed(profile);
  if (failed) throw new TurnStop(noDataMessage(failed, run.ui), 'data');
}

