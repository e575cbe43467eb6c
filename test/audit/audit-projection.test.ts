/**
 * An audit_entry row is made in two places: by the trail as it writes (src/audit/audit-projection.ts,
 * from the records in hand) and by nirantar_project_audit_entries from ledger rows (rebuild, restore,
 * migration 011). A database rebuilt or restored must find exactly what the original found, so the
 * two must make the same rows: checked here over records of every shape and several principals.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { projectAuditEventsOfLedger } from '../../src/audit/audit-projection.js';
import { MIGRATIONS_DIRECTORY } from '../../src/store/migrate.js';
import type { AccessRecord } from '../../src/audit/access-record.js';
import { accessRecord, auditEntries, auditSnapshot, openAuditStore, searchRecord, type AuditStore } from './audit-fixtures.js';

function records(): AccessRecord[] {
  const out: AccessRecord[] = [];
  for (let i = 0; i < 300; i++) {
    const id = `p${i % 37}`;
    switch (i % 10) {
      case 0: out.push(searchRecord([`Patient/${id}`, 'Patient/a', `Patient/${id}`, 'Patient/0'])); break;
      case 1: out.push(searchRecord([])); break;
      case 2: out.push(accessRecord({ interaction: 'search', resourceType: undefined, resourceId: undefined, patients: ['Patient/z', 'Patient/y'], query: '_id=x' })); break;
      case 3: out.push(accessRecord({ interaction: 'history', resourceId: id, patients: [`Patient/${id}`] })); break;
      case 4: out.push(accessRecord({ interaction: 'history', resourceId: undefined, patients: [] })); break;
      case 5: out.push(accessRecord({ interaction: 'history', resourceType: undefined, resourceId: undefined, patients: [] })); break;
      case 6: out.push(accessRecord({ interaction: 'login', action: 'E', role: null, resourceType: undefined, resourceId: undefined, patients: [], sourceIp: 'desk-7.ward.local', purpose: 'HOPERAT' })); break;
      case 7: out.push(accessRecord({ interaction: 'logout', action: 'E', patients: [], sourceIp: null, principal: i % 20 === 7 ? 'anonymous' : 'user:meera', role: null })); break;
      case 8: out.push(accessRecord({ status: 403, outcome: '4', outcomeDescription: 'HTTP 403: outside scope', resourceId: id, patients: [`Patient/${id}`], sourceIp: `::ffff:10.0.0.${i % 250}` })); break;
      default: out.push(accessRecord({ interaction: 'create', action: 'C', resourceType: 'Observation', resourceId: `o${i}`, patients: [`Patient/${id}`], sourceIp: 'fe80::1%eth0', breakGlassReason: 'emergency', purpose: 'BTG' }));
    }
  }
  return out;
}

describe('the audit_entry row made as the trail writes is the row made from the ledger', () => {
  let store: AuditStore;
  before(async () => {
    store = await openAuditStore();
  });
  after(async () => store?.close());

  test('300 records of every shape and three principals, in several entries: identical audit_entry rows', async () => {
    const trail = new AuditTrail({ writer: store.repo.writer, maxBatch: 70, log: () => {} });
    for (const r of records()) trail.record(r);
    await trail.close();
    const entries = await auditEntries(store.admin);
    assert.equal(entries.reduce((n, e) => n + e.events, 0), 300);
    assert.ok(entries.length >= 10, `${entries.length} entries: one per principal and batch`);

    const written = await auditSnapshot(store.admin);
    assert.equal(written.length, entries.length);
    // One principal per entry; addresses PostgreSQL does not read as IP addresses are left out.
    for (const row of written) assert.equal((row.principals as string[]).length, 1);
    const addresses = new Set(written.flatMap((row) => row.source_ips as string[]));
    assert.ok(addresses.has('::ffff:10.0.0.8/128') || addresses.has('::ffff:10.0.0.8'), [...addresses].join(' '));
    assert.ok(![...addresses].some((a) => a.includes('desk-7') || a.includes('%')), [...addresses].join(' '));
    assert.ok(written.some((row) => (row.patients as string[]).length > 5));
    assert.ok(written.some((row) => (row.resources as string[]).includes('Observation/o9')));

    await store.admin.query('DELETE FROM audit_entry');
    await projectAuditEventsOfLedger(store.admin, 'demo', entries.map((e) => e.seq));
    assert.deepEqual(await auditSnapshot(store.admin), written);
  });

  test('migration 011 fills audit_entry for the audit entries already in a ledger, as the trail writes it', async () => {
    const written = await auditSnapshot(store.admin);
    assert.ok(written.length >= 10);
    // The migration's last statement: every hospital's audit entries through nirantar_project_audit_entries.
    const sql = await readFile(path.join(MIGRATIONS_DIRECTORY, '011-audit-entries.sql'), 'utf8');
    const backfill = sql.slice(sql.lastIndexOf('SELECT nirantar_project_audit_entries'));
    assert.match(backfill, /FROM hospital h;\s*$/);
    await store.admin.query('DELETE FROM audit_entry');
    await store.admin.query(backfill);
    assert.deepEqual(await auditSnapshot(store.admin), written);
  });
});

