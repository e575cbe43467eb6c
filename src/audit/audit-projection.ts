/**
 * The read side of the audit trail: audit_event and audit_event_patient rows (migration 008) of the
 * AuditEvents in ledger entries. The rows are derived from the events in SQL, in this one statement,
 * whatever the events come from: the writer's entries in its transaction (projectEntries), or ledger
 * rows already in the database (rebuild, restore). So a rebuilt or restored database has exactly the
 * rows the writer made.
 */
import type { Queryable } from '../store/database.js';
import type { LedgerEntryBody } from '../store/ledger-entry.js';
import { DICOM_LOGIN, DICOM_LOGOUT } from './audit-codes.js';

/** The tables this projection fills (PROJECTION_TABLES of rebuild names them too). */
export const AUDIT_TABLES = ['audit_event', 'audit_event_patient'] as const;

/**
 * One statement: the records are read out of the ledger rows' bodies (parsed once, each record's
 * columns taken from it as it goes by) straight into audit_event, and the patient rows are made from
 * what that INSERT returns, so no record is copied into an intermediate result on the way.
 * `interaction` is stored as the AuditEvent's subtype code (audit-event.ts restfulInteraction and the
 * DICOM login code), so that `subtype=search-type` or `subtype=110122` finds what it names.
 */
const FROM_LEDGER = `WITH ins_event AS (
    INSERT INTO audit_event (hospital_id, id, seq, recorded, principal, role, action, interaction, outcome, source_ip, purpose, resource_type, resource_id, patients, record)
    SELECT l.hospital_id, e.record->>'id', l.seq, (e.record->>'time')::timestamptz,
           e.record->>'principal',
           e.record->>'role',
           e.record->>'action',
           CASE e.record->>'interaction'
             WHEN 'search' THEN CASE WHEN e.record ? 'resourceType' THEN 'search-type' ELSE 'search-system' END
             WHEN 'history' THEN CASE WHEN e.record ? 'resourceId' THEN 'history-instance' WHEN e.record ? 'resourceType' THEN 'history-type' ELSE 'history-system' END
             WHEN 'login' THEN '${DICOM_LOGIN}' WHEN 'logout' THEN '${DICOM_LOGOUT}'
             ELSE e.record->>'interaction' END,
           e.record->>'outcome',
           nirantar_inet_or_null(e.record->>'sourceIp'),
           e.record->>'purpose',
           e.record->>'resourceType',
           e.record->>'resourceId',
           -- Sorted, without duplicates. Most accesses concern no patient or one: no subquery for those.
           CASE jsonb_array_length(e.record->'patients')
             WHEN 0 THEN '{}'::text[] WHEN 1 THEN ARRAY[e.record->'patients'->>0]
             ELSE ARRAY(SELECT DISTINCT p FROM jsonb_array_elements_text(coalesce(e.record->'patients', '[]')) p ORDER BY 1) END,
           e.record
      FROM ledger_entry l, jsonb_array_elements(l.body::jsonb->'audit') AS e(record)
     WHERE l.hospital_id = $1 AND l.seq = ANY($2::bigint[])
    RETURNING hospital_id, id, recorded, patients)
  INSERT INTO audit_event_patient (hospital_id, patient, recorded, event_id)
  SELECT hospital_id, unnest(patients), recorded, id FROM ins_event`;

/**
 * Projects the audit records of `entries` (those without any are skipped), reading them from their
 * ledger rows, which are in the database already (inserted just before in the same transaction by
 * the writer, or long ago for a rebuild): the records cross the wire once, as the ledger body.
 */
export async function projectAuditEvents(tx: Queryable, entries: readonly LedgerEntryBody[]): Promise<void> {
  const seqsByHospital = new Map<string, number[]>();
  for (const e of entries) {
    if (!e.audit || e.audit.length === 0) continue;
    seqsByHospital.set(e.hospital, [...(seqsByHospital.get(e.hospital) ?? []), e.seq]);
  }
  for (const [hospital, seqs] of seqsByHospital) await projectAuditEventsOfLedger(tx, hospital, seqs);
}

/** Projects the audit events of ledger rows already in the database (restore), by sequence number. */
export async function projectAuditEventsOfLedger(tx: Queryable, hospitalId: string, seqs: readonly number[]): Promise<void> {
  // An audit entry holds up to a few hundred events: 50 entries keep one statement's rows modest.
  const CHUNK = 50;
  for (let i = 0; i < seqs.length; i += CHUNK) {
    // Named: parsed and planned once per connection, not once per batch of a few hundred events.
    await tx.query(FROM_LEDGER, [hospitalId, seqs.slice(i, i + CHUNK)], 'project-audit-events');
  }
}
