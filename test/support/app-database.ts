/**
 * A throwaway database with the schema migrated and the application's restricted role, for tests
 * of code that runs as the app (not through a whole server). `close()` drops both again.
 */
import pg from 'pg';
import { appRoleName, ensureAppRole } from '../../src/store/app-role.js';
import { connectDatabase, type Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { ensureHospital } from '../../src/store/open-store.js';
import { createTestDatabase, testAdminUrl } from './database.js';

export interface AppDatabase {
  admin: Database;
  app: Database;
  close(): Promise<void>;
}

export async function openAppDatabase(options: { hospitalId: string; appPoolSize?: number }): Promise<AppDatabase> {
  const scratch = await createTestDatabase();
  const admin = connectDatabase(scratch.url, { max: 2 });
  await migrate(admin);
  const app = connectDatabase(await ensureAppRole(admin, scratch.url), { max: options.appPoolSize ?? 4 });
  await ensureHospital(admin, options.hospitalId, 'Test Hospital');
  return {
    admin, app,
    async close() {
      await app.close();
      await admin.close();
      await scratch.drop();
      const c = new pg.Client({ connectionString: testAdminUrl() });
      await c.connect();
      await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(appRoleName(scratch.name))}`);
      await c.end();
    },
  };
}
