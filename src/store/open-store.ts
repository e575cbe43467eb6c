/**
 * Opens the database the way the deployment asks: an external PostgreSQL (DATABASE_URL) or the
 * embedded one under the data directory. Either way the schema is migrated with the owner's
 * connection, and the application then works through its own restricted role (INSERT-only on the
 * ledger), so nothing above this file knows or cares which PostgreSQL runs.
 */
import { connectDatabase, type Database } from './database.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { migrate } from './migrate.js';
import { ensureAppRole } from './app-role.js';

export interface Store {
  /** The owner's connection: migrations, rebuild, restore. Not for request handling. */
  admin: Database;
  /** The application's restricted connection: every request goes through this (the owner's when appRole is false). */
  app: Database;
  adminUrl: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl?: string;
  dataDir: string;
  port?: number;
  poolSize?: number;
  /**
   * Whether to (re)create the application's role and connect as it. Only the server does: the role's
   * password is rotated at each call, so a CLI command doing it would cut off a running server.
   * Commands (verify, rebuild, seed, restore) work through the owner's connection instead.
   */
  appRole?: boolean;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const embedded = options.databaseUrl ? undefined : await startEmbeddedPostgres(options.dataDir, { port: options.port });
  const adminUrl = options.databaseUrl ?? (embedded as { adminUrl: string }).adminUrl;
  const admin = connectDatabase(adminUrl, { max: 4 });
  try {
    await migrate(admin);
    const app = options.appRole === false ? admin : connectDatabase(await ensureAppRole(admin, adminUrl), { max: options.poolSize ?? 16 });
    return {
      admin, app, adminUrl, embedded: Boolean(embedded),
      async close() {
        if (app !== admin) await app.close();
        await admin.close();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await admin.close().catch(() => {});
    await embedded?.stop().catch(() => {});
    throw err;
  }
}

/** Makes sure the hospital (tenant) row exists; each hospital has its own chain. */
export async function ensureHospital(db: Database, id: string, name: string): Promise<void> {
  await db.query('INSERT INTO hospital (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, name]);
}
