import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectDatabase, type Database } from '../../src/store/database.js';
import { listMigrations, migrate } from '../../src/store/migrate.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from './throwaway-database.js';

describe('migrate', () => {
  let scratch: ThrowawayDatabase;
  const pools: Database[] = [];
  const open = (url: string) => {
    const db = connectDatabase(url, { max: 2 });
    pools.push(db);
    return db;
  };
  before(async () => { scratch = await createThrowawayDatabase(); });
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await scratch?.drop();
  });

  test('applies the bundled migrations once; a second run applies nothing', async () => {
    const db = open(scratch.url);
    const bundled = (await listMigrations()).map((m) => m.name);
    assert.ok(bundled.includes('001-ledger-and-projections'));
    assert.deepEqual(await migrate(db), { applied: bundled });
    assert.deepEqual(await migrate(db), { applied: [] });
    const rows = await db.query('SELECT version, name FROM schema_migration ORDER BY version');
    assert.deepEqual(rows.map((r) => r.name), bundled);
    const tables = await db.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'ledger_entry'");
    assert.equal(tables.length, 1);
  });

  test('two pools migrating at once apply each file exactly once', async () => {
    const other = await createThrowawayDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), 'nirantar-migrations-'));
    try {
      // Several files, each slow enough that the two runs overlap.
      for (let v = 1; v <= 5; v++) {
        await writeFile(path.join(dir, `00${v}-step-${v}.sql`),
          `SELECT pg_sleep(0.05); CREATE TABLE step_${v} (id int); INSERT INTO step_${v} VALUES (${v});`);
      }
      const [a, b] = [open(other.url), open(other.url)];
      const [ra, rb] = await Promise.all([migrate(a, { directory: dir }), migrate(b, { directory: dir })]);
      const all = [...ra.applied, ...rb.applied].sort();
      assert.deepEqual(all, ['001-step-1', '002-step-2', '003-step-3', '004-step-4', '005-step-5']);
      const recorded = await a.query('SELECT version FROM schema_migration ORDER BY version');
      assert.deepEqual(recorded.map((r) => r.version), [1, 2, 3, 4, 5]);
      for (let v = 1; v <= 5; v++) assert.equal((await a.query(`SELECT * FROM step_${v}`)).length, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await other.drop();
    }
  });

  test('a failing migration leaves nothing behind and is not recorded', async () => {
    const other = await createThrowawayDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), 'nirantar-migrations-'));
    try {
      await writeFile(path.join(dir, '001-good.sql'), 'CREATE TABLE good (id int);');
      await writeFile(path.join(dir, '002-bad.sql'), 'CREATE TABLE half (id int); SELECT no_such_function();');
      const db = open(other.url);
      await assert.rejects(migrate(db, { directory: dir }), /no_such_function/);
      assert.deepEqual((await db.query('SELECT name FROM schema_migration')).map((r) => r.name), ['001-good']);
      assert.equal((await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'half'")).length, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await other.drop();
    }
  });

  test('refuses misnamed and duplicate-version files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nirantar-migrations-'));
    try {
      await writeFile(path.join(dir, '001-a.sql'), '');
      await writeFile(path.join(dir, '001-b.sql'), '');
      await assert.rejects(listMigrations(dir), /share version 1/);
      await writeFile(path.join(dir, '2-c.sql'), '');
      await assert.rejects(listMigrations(dir), /must look like/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
