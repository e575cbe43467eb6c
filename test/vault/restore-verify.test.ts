import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startServer } from '../../src/server.js';
import { ensureBootstrapToken } from '../../src/security/api-tokens.js';
import { ensureHospital } from '../../src/store/open-store.js';
import { compareWithVault } from '../../src/vault/vault-compare.js';
import { TEST_TOKEN } from '../support/server.js';

// The messages name exact heads (302 after two writes), so the server's own audit entries are off
// here; an audit entry is an ordinary ledger entry and verify --vault treats it like any other.
const EXACT_HEADS = { audit: false } as const;
import { closeNow, freshDatabase, NORTH_TOKEN, restoreInto, runCommand, serverClient, syntheticChain, writeVault } from './restore-fixtures.js';
import { tempDir } from './vault-fixtures.js';

/** `nirantar verify --vault`: the live database against the vault, entry by entry. */
describe('verify --vault compares the database with the vault', () => {
  const cleanups: Array<() => unknown> = [];
  const ctx = { after: (fn: () => unknown) => cleanups.push(fn) };
  let vaultDir: string;
  let target: { url: string };
  let su: pg.Client;
  const verify = async (...extra: string[]) => {
    const run = runCommand('verify', ['--vault', vaultDir, '--database-url', target.url, ...extra]);
    return { code: await run.exited, stdout: run.out.stdout, stderr: run.out.stderr };
  };
  const asOwner = async (sql: string) => {
    await su.query('ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only');
    await su.query(sql);
    await su.query('ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_append_only');
  };

  before(async () => {
    vaultDir = await tempDir(ctx as never);
    await writeVault(vaultDir, 'demo', syntheticChain('demo', 300));
    target = await freshDatabase(ctx);
    await restoreInto(target.url, vaultDir);
    su = new pg.Client({ connectionString: target.url });
    await su.connect();
  });
  after(async () => {
    await su?.end();
    for (const fn of cleanups.reverse()) await fn();
  });

  test('identical right after a restore', async () => {
    const r = await verify();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^IDENTICAL 300 entries, head 300 [0-9a-f]{64} \(hospital demo\)\n$/);
  });

  test('the vault behind after new writes (exit 0, the lag stated); a hospital the vault does not hold (exit 3)', async () => {
    const server = await startServer({ port: 0, dataDir: '', databaseUrl: target.url, bootstrapToken: TEST_TOKEN, ...EXACT_HEADS });
    try {
      const client = serverClient(server, TEST_TOKEN);
      for (let i = 0; i < 2; i++) assert.equal((await client.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: `After${i}` }] })).status, 201);
    } finally {
      await closeNow(server);
    }
    const behind = await verify();
    assert.equal(behind.code, 0, behind.stdout);
    assert.match(behind.stdout, /^VAULT BEHIND by 2 entries: the database's head is 302, the vault's 300; entries 1\.\.300 are identical \(hospital demo\)$/m);

    const server2 = await startServer({ port: 0, dataDir: '', databaseUrl: target.url, bootstrapToken: TEST_TOKEN, ...EXACT_HEADS });
    try {
      await ensureHospital(server2.store.app, 'north', 'North');
      await ensureBootstrapToken(server2.store.app, 'north', NORTH_TOKEN);
      assert.equal((await serverClient(server2, NORTH_TOKEN).request('POST', '/Patient', { resourceType: 'Patient' })).status, 201);
    } finally {
      await closeNow(server2);
    }
    const unvaulted = await verify();
    assert.equal(unvaulted.code, 3);
    assert.match(unvaulted.stdout, /^NOT VAULTED: the database holds 1 entries, the vault none \(hospital north\)$/m);
    const onlyDemo = await verify('--hospital', 'demo');
    assert.equal(onlyDemo.code, 0);
  });

  test('a tampered ledger row is named at its sequence number (exit 3)', async () => {
    await asOwner(`UPDATE ledger_entry SET body = replace(body, 'Synthetic123"', 'Forged123"') WHERE hospital_id = 'demo' AND seq = 123`);
    const r = await verify('--hospital', 'demo');
    assert.equal(r.code, 3);
    assert.equal(r.stdout.trim(), "DIFFERENT at sequence 123: the database's entry has another body than the vault's (the row was edited); " +
      'entries 1..122 are identical (database head 302, vault head 300) (hospital demo)');
    await asOwner(`UPDATE ledger_entry SET body = replace(body, 'Forged123"', 'Synthetic123"') WHERE hospital_id = 'demo' AND seq = 123`);
    assert.equal((await verify('--hospital', 'demo')).code, 0);
  });

  test('a database that lost entries the vault holds: a gap is named, a lost tail is "database behind" (exit 3)', async () => {
    await su.query(`CREATE TEMP TABLE saved AS SELECT * FROM ledger_entry WHERE hospital_id = 'demo' AND seq = 50`);
    await asOwner(`DELETE FROM ledger_entry WHERE hospital_id = 'demo' AND seq = 50`);
    const gap = await verify('--hospital', 'demo');
    assert.equal(gap.code, 3);
    assert.match(gap.stdout, /^DIFFERENT at sequence 50: entry 50 is missing from the database \(the next one there is 51\)/);
    await su.query('INSERT INTO ledger_entry SELECT * FROM saved');
    await asOwner(`DELETE FROM ledger_entry WHERE hospital_id = 'demo' AND seq > 297`);
    const lost = await verify('--hospital', 'demo');
    assert.equal(lost.code, 3);
    assert.equal(lost.stdout.trim(), 'DATABASE BEHIND THE VAULT by 3 entries: the vault holds entries 298..300, which the database no longer has ' +
      '(acknowledged data was lost from the database); entries 1..297 are identical (hospital demo)');
  });

  test('a damaged vault proves nothing: it is reported as broken, not compared', async () => {
    const segment = path.join(vaultDir, 'demo', 'segments', '000000000001.ndjson');
    const original = await readFile(segment, 'utf8');
    const damaged = original.replace('Synthetic7\\"', 'Synthetic8\\"');
    assert.notEqual(damaged, original);
    await writeFile(segment, damaged);
    try {
      const db = { query: async (sql: string, params?: unknown[]) => (await su.query(sql, params)).rows };
      const result = await compareWithVault(db, vaultDir, 'demo');
      assert.equal(result.state, 'vault-broken');
      assert.equal(result.state === 'vault-broken' && result.seq, 7);
      const r = await verify('--hospital', 'demo');
      assert.equal(r.code, 3);
      assert.match(r.stdout, /^VAULT BROKEN at sequence 7: /);
    } finally {
      await writeFile(segment, original);
    }
  });
});
