/**
 * Applies `migrations/NNN-name.sql` in version order. Each file runs in its own transaction together
 * with its `schema_migration` row, so a migration is either fully applied and recorded or not at all.
 * Every step takes the same advisory lock first: two processes starting at once (API server and a
 * CLI command, or two test pools) queue behind each other instead of racing.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADVISORY_XACT_LOCK_SQL, AdvisoryLock, advisoryLockParams } from './advisory-locks.js';
import type { Database, Queryable } from './database.js';

export const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface MigrationFile {
  version: number;
  /** File name without `.sql`, e.g. `001-ledger-and-projections`. */
  name: string;
  path: string;
}

const MIGRATION_FILE = /^(\d{3})-[a-z0-9][a-z0-9-]*\.sql$/;

export async function listMigrations(directory = MIGRATIONS_DIRECTORY): Promise<MigrationFile[]> {
  const files = (await readdir(directory)).filter((f) => f.endsWith('.sql'));
  const migrations = files.map((file) => {
    const match = MIGRATION_FILE.exec(file);
    // A misnamed file would otherwise be skipped silently and its schema never created.
    if (!match) throw new Error(`migration file name must look like 001-some-name.sql: ${file}`);
    return { version: Number(match[1]), name: file.slice(0, -'.sql'.length), path: path.join(directory, file) };
  });
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new Error(`two migrations share version ${migrations[i].version}: ${migrations[i - 1].name}, ${migrations[i].name}`);
    }
  }
  return migrations;
}

/**
 * Brings the database's schema up to date. Idempotent: a second run applies nothing.
 * `directory` exists for tests; the application always uses the bundled migrations.
 */
export async function migrate(adminDb: Database, options: { directory?: string } = {}): Promise<{ applied: string[] }> {
  const migrations = await listMigrations(options.directory);
  await adminDb.transaction(async (tx) => {
    await lockAndPinSchema(tx);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migration (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });

  const applied: string[] = [];
  for (const migration of migrations) {
    const sql = await readFile(migration.path, 'utf8');
    const didApply = await adminDb.transaction(async (tx) => {
      await lockAndPinSchema(tx);
      // Checked under the lock: another process may have applied it while we waited.
      const rows = await tx.query<{ name: string }>('SELECT name FROM schema_migration WHERE version = $1', [migration.version]);
      if (rows.length > 0) {
        if (rows[0].name !== migration.name) {
          throw new Error(`migration ${migration.version} was applied as "${rows[0].name}" but the file is now "${migration.name}"; never renumber or rename applied migrations`);
        }
        return false;
      }
      await tx.query(sql);
      await tx.query('INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, now())', [migration.version, migration.name]);
      return true;
    });
    if (didApply) applied.push(migration.name);
  }
  return { applied };
}

async function lockAndPinSchema(tx: Queryable): Promise<void> {
  await tx.query(ADVISORY_XACT_LOCK_SQL, advisoryLockParams(AdvisoryLock.migrate));
  // Unqualified names in migrations mean `public`, whatever the connecting role's search_path says.
  await tx.query('SET LOCAL search_path TO public');
}
