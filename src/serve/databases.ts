// A request's "databases": NAMES of the server's --db sources, resolved here. A request can never bring a URL of
// its own: that would let any client make the server connect wherever it likes (other hosts, internal services),
// with the server's network position. Unknown names are refused with the names that exist.
import type { DatabaseSource } from '../kernel/types';
import { HttpError } from './body';

/** Looks like a connection string (or NAME=URL) rather than a name: scheme://, or user@host. */
const looksLikeUrl = (s: string) => /:\/\/|@/.test(s);

export function resolveDatabases(names: readonly string[], configured: readonly DatabaseSource[]): DatabaseSource[] {
  const known = configured.map((d) => d.name);
  const offer = known.length
    ? `this server's databases are: ${known.join(', ')}`
    : 'this server has no databases (its operator adds them with radarm serve --db NAME=URL)';
  const out: DatabaseSource[] = [];
  for (const name of names) {
    const source = configured.find((d) => d.name === name);
    if (!source && looksLikeUrl(name))
      throw new HttpError(
        403,
        'database_url_refused',
        `A request cannot give a database URL; it names one of the server's databases instead (${offer}).`,
      );
    if (!source) throw new HttpError(400, 'unknown_database', `No database named ${JSON.stringify(name.slice(0, 60))}: ${offer}.`);
    if (!out.includes(source)) out.push(source);
  }
  return out;
}
