// The database connections @radarm uses: the ones chosen in the panel's picker when the choice has any, else every
// connection added to the workspace (the chat view has no picker of its own). URLs come from workspace state and
// passwords from SecretStorage, through the same registry as the panel's (databases.ts).
import type { DatabaseSource } from '../kernel/types';
import { isDatabaseEntry, type DatabaseRegistry } from './databases';

export function participantDatabases(registry: DatabaseRegistry, chosen: () => readonly string[]): () => Promise<DatabaseSource[]> {
  return async () => {
    const picked = chosen().filter(isDatabaseEntry);
    return registry.resolve(picked.length ? picked : registry.entries);
  };
}
