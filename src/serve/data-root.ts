// data_files of a request → absolute paths inside --data-root. Symlinks are resolved before the check,
// so neither `..` nor a link pointing outside the root can reach other files.
import { realpathSync, statSync } from 'node:fs';
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
    if (!statSync(real).isFile()) throw new HttpError(400, 'data_not_file', `"${clip(file)}" is not a file.`);
    return real;
  });
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

const refuse = (message: string) =>
  new HttpError(403, 'outside_data_root', `${message} Only files under radarm serve's --data-root can be used.`);

const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);
