import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { startTestServer, type TestServer } from '../support/server.js';
import { verifyLedger } from '../../src/store/ledger-verify.js';
import { rebuildProjections } from '../../src/store/rebuild.js';

const run = promisify(execFile);

/** A snapshot of every projection, to compare before and after a rebuild. */
async function projectionState(db: pg.Client) {
  const q = async (sql: string) => (await db.query(sql)).rows;
  return {
    versions: await q('SELECT hospital_id, resource_type, id, version_id, seq, last_updated, deleted, method, resource FROM resource_version ORDER BY 1,2,3,4'),
    current: await q('SELECT * FROM resource_current ORDER BY 1,2,3'),
    index: await q('SELECT * FROM search_index ORDER BY hospital_id, resource_type, resource_id, code, system, value, raw, low_time, high_time, low_num, high_num'),
    keys: await q('SELECT * FROM request_key ORDER BY 1,2'),
  };
}

// These tests name entries by sequence number (the 8th entry is edited, the 4th deleted), so the
// server's own audit entries are off here; test/audit shows an edited audit entry is found the same way.
const NO_AUDIT = { audit: false } as const;

describe('the ledger: append-only, hash-chained, the source of every projection', () => {
  let t: TestServer;
  let su: pg.Client;
  before(async () => {
    t = await startTestServer(NO_AUDIT);
    su = new pg.Client({ connectionString: t.databaseUrl });
    await su.connect();
    for (let i = 0; i < 5; i++) {
      const { body } = await t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: `Chain${i}` }], birthDate: `199${i}-01-01` }, { 'x-request-id': `chain-${i}` });
      await t.request('PUT', `/Patient/${body.id}`, { ...body, gender: 'female' });
      if (i === 2) await t.request('DELETE', `/Patient/${body.id}`);
    }
  });
  after(async () => {
    await su?.end();
    await t?.close();
  });

  test('entries are gapless and each hash chains to the one before', async () => {
    const result = await verifyLedger(t.server.store.app, 'demo');
    assert.ok(result.ok);
    assert.equal(result.count, 11);
    // PostgreSQL's sha256 of the stored text is the hash the writer computed: the same walk, the same head.
    assert.deepEqual(await verifyLedger(t.server.store.app, 'demo', { hashInDatabase: true }), result);
    const seqs = (await su.query('SELECT seq FROM ledger_entry ORDER BY seq')).rows.map((r) => Number(r.seq));
    assert.deepEqual(seqs, Array.from({ length: 11 }, (_, i) => i + 1));
  });

  test("the application's role cannot UPDATE, DELETE or TRUNCATE the ledger", async () => {
    const app = t.server.store.app;
    await assert.rejects(app.query("UPDATE ledger_entry SET body = '{}' WHERE seq = 1"), /permission denied/);
    await assert.rejects(app.query('DELETE FROM ledger_entry WHERE seq = 1'), /permission denied/);
    await assert.rejects(app.query('TRUNCATE ledger_entry'), /permission denied/);
    // Even the owner is stopped by the trigger.
    await assert.rejects(su.query('DELETE FROM ledger_entry WHERE seq = 1'), /append-only/);
  });

  test('rebuild reproduces every projection exactly', async () => {
    const beforeState = await projectionState(su);
    await su.query('DELETE FROM search_index; UPDATE resource_current SET version_id = 99');
    const result = await rebuildProjections(t.server.store.admin, { chunk: 3 });
    assert.equal(result.entries, 11);
    assert.deepEqual(await projectionState(su), beforeState);
  });

  test('a row edited by a superuser is found by verify at its sequence number', async () => {
    await su.query('BEGIN');
    await su.query('ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only');
    await su.query(`UPDATE ledger_entry SET body = replace(body, 'Chain3', 'Forged') WHERE seq = 8`);
    await su.query('ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_append_only');
    await su.query('COMMIT');
    const result = await verifyLedger(t.server.store.app, 'demo');
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.brokenAt, 8);
    assert.deepEqual(await verifyLedger(t.server.store.app, 'demo', { hashInDatabase: true }), result);
    // The command line says the same and exits non-zero.
    const cli = await run(process.execPath, ['bin/nirantar.js', 'verify', '--database-url', t.databaseUrl]).catch((e) => e);
    assert.equal(cli.code, 3);
    assert.match(cli.stdout, /BROKEN at sequence 8/);
    // A deleted entry (a gap) is found too.
    await su.query('ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only');
    await su.query(`UPDATE ledger_entry SET body = replace(body, 'Forged', 'Chain3') WHERE seq = 8`);
    await su.query('DELETE FROM ledger_entry WHERE seq = 4');
    await su.query('ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_append_only');
    const gap = await verifyLedger(t.server.store.app, 'demo');
    assert.equal(!gap.ok && gap.brokenAt, 4);
    assert.deepEqual(await verifyLedger(t.server.store.app, 'demo', { hashInDatabase: true }), gap);
  });
});

describe('concurrency', () => {
  let t: TestServer;
  before(async () => (t = await startTestServer(NO_AUDIT)));
  after(async () => t?.close());

  test('parallel If-Match updates of one resource: exactly one wins, the rest get 412, the chain stays gapless', async () => {
    const { body: p } = await t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Race' }] });
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.request('PUT', `/Patient/${p.id}`, { ...p, name: [{ family: `Race${i}` }] }, { 'if-match': 'W/"1"' })),
    );
    const statuses = attempts.map((a) => a.status).sort();
    assert.equal(statuses.filter((s) => s === 200).length, 1);
    assert.equal(statuses.filter((s) => s === 412).length, 19);
    const result = await verifyLedger(t.server.store.app, 'demo');
    assert.ok(result.ok);
    assert.equal(result.count, 2);
  });

  test('many parallel creates all land, each with its own gapless sequence number', async () => {
    const before = await verifyLedger(t.server.store.app, 'demo');
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: `Many${i}` }] })));
    assert.ok(results.every((r) => r.status === 201));
    const after = await verifyLedger(t.server.store.app, 'demo');
    assert.ok(after.ok && before.ok);
    assert.equal(after.count, before.count + 100);
  });
});
