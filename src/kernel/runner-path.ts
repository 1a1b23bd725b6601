// Where the shipped Python runner is: next to the bundle (dist/kernel/runner.py beside dist/extension.js or
// dist/cli.js) or, when running from source under tsx, src/kernel/python/runner.py.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export function findRunner(explicit?: string): string {
  if (explicit) {
    if (existsSync(explicit)) return explicit;
    throw new Error(`The Python runner ${explicit} does not exist.`);
  }
  const candidates = [
    path.join(__dirname, 'kernel', 'runner.py'), // bundled: dist/extension.js, dist/cli.js
    path.join(__dirname, 'python', 'runner.py'), // source: src/kernel/*.ts
    path.join(__dirname, '..', 'kernel', 'runner.py'),
    path.join(__dirname, '..', 'src', 'kernel', 'python', 'runner.py'),
  ];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(
    `Radarm's Python runner (runner.py) is missing; looked in: ${candidates.join(', ')}. Reinstall the extension ` +
      'or run `npm run build`.',
  );
}
