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
  /** The application's restricted connection: every request goes through this. */
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
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const embedded = options.databaseUrl ? undefined : await startEmbeddedPostgres(options.dataDir, { port: options.port });
  const adminUrl = options.databaseUrl ?? (embedded as { adminUrl: string }).adminUrl;
  const admin = connectDatabase(adminUrl, { max: 4 });
  try {
    await migrate(admin);
    const appUrl = await ensureAppRole(admin, adminUrl);
    const app = connectDatabase(appUrl, { max: options.poolSize ?? 16 });
    return {
      admin, app, adminUrl, embedded: Boolean(embedded),
      async close() {
        await app.close();
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
