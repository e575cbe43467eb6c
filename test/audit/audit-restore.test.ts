import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { loadDefinitions } from '../../src/fhir/definitions.js';
import { connectDatabase } from '../../src/store/database.js';
import { verifyLedger } from '../../src/store/ledger-verify.js';
import type { ReplicatedEntry } from '../../src/vault/vault-entry.js';
import { freshDatabase, restoreInto, writeVault } from '../vault/restore-fixtures.js';
import { tempDir } from '../vault/vault-fixtures.js';
import { findAuditEvents } from '../../src/audit/audit-query.js';
import { accessRecord, auditSnapshot, openAuditStore, searchRecord } from './audit-fixtures.js';

/**
 * The audit trail survives the loss of the database: its entries are in the vault like every other,
 * and a restore rebuilds the audit rows (the events, and who was concerned) exactly.
 */
test('a restore from the vault brings back every audit row', { timeout: 120_000 }, async (t) => {
  loadDefinitions();
  const store = await openAuditStore();
  t.after(() => store.close());
  const ctx = { hospitalId: 'demo', actor: 'user:asha', sourceIp: '10.0.0.5', requestId: null, requestHash: null, baseUrl: 'http://x/fhir/R4' };
  const trail = new AuditTrail({ writer: store.repo.writer, maxBatch: 40 });
  // Audit entries between ordinary writes, as a running server makes them.
  for (let round = 0; round < 3; round++) {
    const created = await store.repo.create(ctx, { resourceType: 'Patient', name: [{ family: `Restored${round}` }] });
    for (let i = 0; i < 70; i++) {
      trail.record(i % 2
        ? accessRecord({ resourceId: created.id, patients: [`Patient/${created.id}`], sourceIp: i % 4 === 1 ? '::ffff:10.9.8.7' : 'not-an-ip' })
        : searchRecord([`Patient/${created.id}`, `Patient/other-${i}`], { purpose: 'BTG', breakGlassReason: `reason ${i}, "quoted"\nnext line` }));
    }
    await trail.flush();
  }
  await trail.close();
  const original = await auditSnapshot(store.admin);
  assert.equal(original.reduce((n, row) => n + (row.events as number), 0), 210);
  // 'not-an-ip' stays in its event, but is no address to find it by.
  assert.deepEqual([...new Set(original.flatMap((row) => row.source_ips as string[]))].sort(), ['10.20.30.41/32', '::ffff:10.9.8.7/128']);

  const rows = await store.admin.query<ReplicatedEntry>("SELECT seq, prev_hash, hash, body FROM ledger_entry WHERE hospital_id = 'demo' ORDER BY seq");
  assert.ok(rows.length >= 3 + 6, `${rows.length} entries`);
  const vaultDir = await tempDir(t);
  await writeVault(vaultDir, 'demo', rows, { segmentMaxEntries: 4, checkpointEvery: 5 });

  const target = await freshDatabase(t);
  const [restored] = await restoreInto(target.url, vaultDir);
  assert.equal(restored.entries, rows.length);
  const db = connectDatabase(target.url, { max: 2 });
  try {
    assert.ok((await verifyLedger(db, 'demo')).ok);
    assert.deepEqual(await auditSnapshot(db), original);
    // And the restored trail answers as the original did.
    const question = { hospitalId: 'demo', where: [[{ on: 'address', value: '10.9.8.7' } as const]], count: 1000, order: 'asc' as const };
    const [before_, after_] = [await findAuditEvents(store.admin, question), await findAuditEvents(db, question)];
    assert.equal(before_.events.length, 3 * 18);
    assert.deepEqual(after_, before_);
  } finally {
    await db.close();
  }
});
