// data_files of a request → absolute paths inside --data-root. Symlinks are resolved before the check,
// so neither `..` nor a link pointing outside the root can reach other files. A folder is one dataset of its part
// files (as `radarm chat --data folder`): every link inside it must stay inside the root too.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { HttpError } from './body';

export function resolveDataFiles(root: string, files: readonly string[]): string[] {
  const realRoot = realpathSync(root);
  return files.map((file) => {
    if (path.isAbsolute(file) || /^[A-Za-z]:[\\/]/.test(file))
      throw refuse(`"${clip(file)}" is an absolute path; data_files are relative to the data root.`);
    const joined = path.resolve(realRoot, file);
    if (!inside(realRoot, joined)) throw refuse(`"${clip(file)}" is outside the data root.`);
    let real: string;
    try {
      real = realpathSync(joined);
    } catch {
      throw new HttpError(400, 'data_not_found', `No such data file under the data root: "${clip(file)}".`);
    }
    if (!inside(realRoot, real)) throw refuse(`"${clip(file)}" links to a file outside the data root.`);
    const st = statSync(real);
    if (st.isDirectory()) checkFolder(realRoot, real, file);
    else if (!st.isFile()) throw new HttpError(400, 'data_not_file', `"${clip(file)}" is neither a file nor a folder.`);
    return real;
  });
}

/** Refuses a folder that links (at any depth) to something outside the root: the kernel reads its parts. */
function checkFolder(realRoot: string, dir: string, asGiven: string): void {
  const pending = [dir];
  let seen = 0;
  while (pending.length) {
    const d = pending.pop()!;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (++seen > 100_000) throw new HttpError(400, 'data_too_many_files', `"${clip(asGiven)}" holds more than 100000 entries; name a narrower folder.`);
      const p = path.join(d, e.name);
      if (e.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(p);
        } catch {
          continue; // a dangling link reaches nothing
        }
        if (!inside(realRoot, target)) throw refuse(`"${clip(asGiven)}" holds a link to something outside the data root.`);
      } else if (e.isDirectory()) pending.push(p);
    }
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

const refuse = (message: string) =>
  new HttpError(403, 'outside_data_root', `${message} Only files under radarm serve's --data-root can be used.`);

const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);
