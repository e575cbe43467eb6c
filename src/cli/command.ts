import { resolve } from 'node:path';
import { loadDefinitions } from '../fhir/definitions.js';
import { openStore, type Store } from '../store/open-store.js';

/** A CLI command: its options (node:util parseArgs form), help text and what it does. */
export interface Command {
  name: string;
  summary: string;
  help: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  /** Takes positional arguments, passed to run: an action, as in `nirantar client add --name ...`. */
  positionals?: boolean;
  /** Returns the exit code, or -1 to keep running (a server). */
  run(values: Record<string, string | boolean | undefined>, positionals?: string[]): Promise<number>;
}

/** Options every command that opens the store understands, with their environment fallbacks. */
export const STORE_OPTIONS = {
  data: { type: 'string' as const },
  'database-url': { type: 'string' as const },
  hospital: { type: 'string' as const },
};

export const STORE_HELP = `  --data DIR           data directory of the embedded PostgreSQL (env NIRANTAR_DATA; default ./data)
  --database-url URL   use this external PostgreSQL instead (env DATABASE_URL)
  --hospital ID        the hospital (tenant) to work on (env NIRANTAR_HOSPITAL; default demo)`;

export function storeSettings(values: Record<string, string | boolean | undefined>) {
  return {
    dataDir: (values.data as string | undefined) ?? process.env.NIRANTAR_DATA ?? './data',
    databaseUrl: (values['database-url'] as string | undefined) ?? (process.env.DATABASE_URL || undefined),
    hospitalId: (values.hospital as string | undefined) ?? process.env.NIRANTAR_HOSPITAL ?? 'demo',
  };
}

/**
 * Opens the store for a maintenance command, runs `fn`, closes it. Commands work through the owner's
 * connection (appRole false), so they never rotate the password of a server that is running.
 */
export async function withCommandStore<T>(
  values: Record<string, string | boolean | undefined>,
  fn: (store: Store, settings: ReturnType<typeof storeSettings>) => Promise<T>,
): Promise<T> {
  const settings = storeSettings(values);
  loadDefinitions();
  const store = await openStore({ dataDir: resolve(settings.dataDir), databaseUrl: settings.databaseUrl, poolSize: 2, appRole: false });
  try {
    return await fn(store, settings);
  } finally {
    await store.close();
  }
}
