/** A throwaway database per test file, on the PostgreSQL that `npm test` provides. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function testAdminUrl(): string {
  const url = process.env.NIRANTAR_TEST_ADMIN_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('run the tests with `npm test` (it provides a PostgreSQL), or set DATABASE_URL');
  return url;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createTestDatabase(prefix = 'nirantar_t'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testAdminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(testAdminUrl(), name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: testAdminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
