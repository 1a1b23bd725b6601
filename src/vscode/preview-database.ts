// Preview Data of a database server's (or any configured connection's) table: the connection's password comes
// from SecretStorage through the registry, the preview kernel opens it read-only (radarm_sql: read-only session,
// statement timeout) and runs one bounded query (SELECT * … LIMIT 20000) for the same view as a file's.
import type { PythonKernel } from '../kernel/types';
import { PreviewFailure } from '../kernel/preview-quick';
import type { DataPreview } from '../protocol/preview';
import { DB_ENTRY_PREFIX, type DatabaseRegistry } from './databases';

async function opened(kernel: PythonKernel, registry: DatabaseRegistry, name: string): Promise<void> {
  const [source] = await registry.resolve([DB_ENTRY_PREFIX + name]);
  if (!source) throw new PreviewFailure(`there is no database connection named ${name}: add it with Radarm: Add Database`, 'database');
  await kernel.loadData([], { databases: [source] }); // kept by the kernel while unchanged: one profile per connection
}

/** The connection's tables and views ("schema.table" where there are schemas). */
export async function databaseTables(kernel: PythonKernel, registry: DatabaseRegistry, name: string): Promise<string[]> {
  await opened(kernel, registry, name);
  return kernel.previewTables!(name);
}

export async function databasePreview(kernel: PythonKernel, registry: DatabaseRegistry, name: string, table: string): Promise<DataPreview> {
  await opened(kernel, registry, name);
  return kernel.preview!(`${DB_ENTRY_PREFIX}${name}`, { database: name, table });
}
