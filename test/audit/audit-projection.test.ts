/**
 * The audit projection was rewritten for speed (one INSERT … RETURNING instead of two materialised
 * CTEs, no sorting subquery for zero or one patient, a prepared statement). Old databases are rebuilt
 * and restored with the new statement, so it must make exactly the rows the old one made: checked
 * here against the old statement itself, kept verbatim, over records of every shape.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { DICOM_LOGIN, DICOM_LOGOUT } from '../../src/audit/audit-codes.js';
import type { AccessRecord } from '../../src/audit/access-record.js';
import { accessRecord, auditEntries, auditSnapshot, openAuditStore, searchRecord, type AuditStore } from './audit-fixtures.js';

/** src/audit/audit-projection.ts before the rewrite, writing into the old_ copies of the tables. */
const OLD_STATEMENT = `WITH events AS MATERIALIZED (SELECT l.hospital_id AS hospital, l.seq, e.record FROM ledger_entry l,
          jsonb_array_elements(l.body::jsonb->'audit') AS e(record)
    WHERE l.hospital_id = $1 AND l.seq = ANY($2::bigint[])),
  rows AS MATERIALIZED (
    SELECT ev.hospital AS hospital_id, ev.record->>'id' AS id, ev.seq, (ev.record->>'time')::timestamptz AS recorded,
           ev.record->>'principal' AS principal,
           ev.record->>'role' AS role,
           ev.record->>'action' AS action,
           CASE ev.record->>'interaction'
             WHEN 'search' THEN CASE WHEN ev.record ? 'resourceType' THEN 'search-type' ELSE 'search-system' END
             WHEN 'history' THEN CASE WHEN ev.record ? 'resourceId' THEN 'history-instance' WHEN ev.record ? 'resourceType' THEN 'history-type' ELSE 'history-system' END
             WHEN 'login' THEN '${DICOM_LOGIN}' WHEN 'logout' THEN '${DICOM_LOGOUT}'
             ELSE ev.record->>'interaction' END AS interaction,
           ev.record->>'outcome' AS outcome,
           nirantar_inet_or_null(ev.record->>'sourceIp') AS source_ip,
           ev.record->>'purpose' AS purpose,
           ev.record->>'resourceType' AS resource_type,
           ev.record->>'resourceId' AS resource_id,
           ARRAY(SELECT DISTINCT p FROM jsonb_array_elements_text(coalesce(ev.record->'patients', '[]')) p ORDER BY 1) AS patients,
           ev.record
      FROM events ev),
  ins_event AS (
    INSERT INTO old_audit_event (hospital_id, id, seq, recorded, principal, role, action, interaction, outcome, source_ip, purpose, resource_type, resource_id, patients, record)
    SELECT hospital_id, id, seq, recorded, principal, role, action, interaction, outcome, source_ip, purpose, resource_type, resource_id, patients, record FROM rows)
  INSERT INTO old_audit_event_patient (hospital_id, patient, recorded, event_id)
  SELECT hospital_id, unnest(patients), recorded, id FROM rows`;

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
      case 7: out.push(accessRecord({ interaction: 'logout', action: 'E', patients: [], sourceIp: null, principal: 'anonymous', role: null })); break;
      case 8: out.push(accessRecord({ status: 403, outcome: '4', outcomeDescription: 'HTTP 403: outside scope', resourceId: id, patients: [`Patient/${id}`], sourceIp: `::ffff:10.0.0.${i % 250}` })); break;
      default: out.push(accessRecord({ interaction: 'create', action: 'C', resourceType: 'Observation', resourceId: `o${i}`, patients: [`Patient/${id}`], sourceIp: 'fe80::1%eth0', breakGlassReason: 'emergency', purpose: 'BTG' }));
    }
  }
  return out;
}

describe('the audit projection makes the rows the previous statement made', () => {
  let store: AuditStore;
  before(async () => {
    store = await openAuditStore();
  });
  after(async () => store?.close());

  test('300 records of every shape, written through the trail in several entries: identical audit_event and audit_event_patient rows', async () => {
    const trail = new AuditTrail({ writer: store.repo.writer, maxBatch: 70, log: () => {} });
    for (const r of records()) trail.record(r);
    await trail.close();
    const entries = await auditEntries(store.admin);
    assert.equal(entries.reduce((n, e) => n + e.events, 0), 300);
    assert.ok(entries.length >= 5);

    const now = await auditSnapshot(store.admin);
    await store.admin.query('CREATE TABLE old_audit_event (LIKE audit_event INCLUDING ALL)');
    await store.admin.query('CREATE TABLE old_audit_event_patient (LIKE audit_event_patient INCLUDING ALL)');
    await store.admin.query(OLD_STATEMENT, ['demo', entries.map((e) => e.seq)]);
    await store.admin.transaction(async (tx) => {
      await tx.query('DELETE FROM audit_event_patient');
      await tx.query('DELETE FROM audit_event');
      await tx.query('INSERT INTO audit_event SELECT * FROM old_audit_event');
      await tx.query('INSERT INTO audit_event_patient SELECT * FROM old_audit_event_patient');
    });
    const old = await auditSnapshot(store.admin);
    assert.equal(old.events.length, 300);
    assert.ok(old.patients.length > 200);
    assert.deepEqual(now, old);
  });
});
