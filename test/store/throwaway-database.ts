/**
 * A uniquely named database on the machine's PostgreSQL for one test file, dropped afterwards
 * together with its application role (roles are cluster-wide and would otherwise pile up).
 * NIRANTAR_TEST_PG_URL points the tests at another cluster (superuser connection to any database).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { appRoleName } from '../../src/store/app-role.js';
import { connectDatabase } from '../../src/store/database.js';

export const CLUSTER_URL = process.env.NIRANTAR_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface ThrowawayDatabase {
  name: string;
  /** Superuser URL of the throwaway database. */
  url: string;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase(): Promise<ThrowawayDatabase> {
  const name = `nirantar_t_${randomBytes(6).toString('hex')}`;
  await onCluster((db) => db.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const url = new URL(CLUSTER_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => onCluster(async (db) => {
      await db.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await db.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(appRoleName(name))}`);
    }),
  };
}

async function onCluster(fn: (db: ReturnType<typeof connectDatabase>) => Promise<unknown>): Promise<void> {
  const db = connectDatabase(CLUSTER_URL, { max: 1 });
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}
