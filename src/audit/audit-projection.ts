/**
 * The read side of the audit trail: audit_event and audit_event_patient rows (migration 008) of the
 * AuditEvents in ledger entries. The rows are derived from the events in SQL, in this one statement,
 * whatever the events come from: the writer's entries in its transaction (projectEntries), or ledger
 * rows already in the database (rebuild, restore). So a rebuilt or restored database has exactly the
 * rows the writer made.
 */
import type { Queryable } from '../store/database.js';
import type { LedgerEntryBody } from '../store/ledger-entry.js';
import { ENTITY_ROLE } from './audit-codes.js';

/** The tables this projection fills (PROJECTION_TABLES of rebuild names them too). */
export const AUDIT_TABLES = ['audit_event', 'audit_event_patient'] as const;

/**
 * `source` is a FROM item yielding (hospital text, seq bigint, event jsonb), one row per AuditEvent.
 * The entity roles are matched by code: 1 Patient, 4 Domain Resource.
 */
function insertSql(source: string): string {
  return `WITH events AS MATERIALIZED (${source}),
  rows AS MATERIALIZED (
    SELECT ev.hospital AS hospital_id, ev.event->>'id' AS id, ev.seq, (ev.event->>'recorded')::timestamptz AS recorded,
           ev.event #>> '{agent,0,who,identifier,value}' AS principal,
           ev.event #>> '{agent,0,role,0,text}' AS role,
           ev.event->>'action' AS action,
           ev.event #>> '{subtype,0,code}' AS interaction,
           ev.event->>'outcome' AS outcome,
           nirantar_inet_or_null(ev.event #>> '{agent,0,network,address}') AS source_ip,
           ev.event #>> '{purposeOfEvent,0,coding,0,code}' AS purpose,
           coalesce(split_part(res.what->>'reference', '/', 1), res.what->>'type') AS resource_type,
           nullif(split_part(res.what->>'reference', '/', 2), '') AS resource_id,
           ARRAY(SELECT DISTINCT e->'what'->>'reference' FROM jsonb_array_elements(coalesce(ev.event->'entity', '[]')) e
                  WHERE e #>> '{role,code}' = '${ENTITY_ROLE.patient}' AND e #>> '{what,reference}' IS NOT NULL ORDER BY 1) AS patients,
           ev.event
      FROM events ev
      LEFT JOIN LATERAL (SELECT e->'what' AS what FROM jsonb_array_elements(coalesce(ev.event->'entity', '[]')) e
                          WHERE e #>> '{role,code}' = '${ENTITY_ROLE.domainResource}' LIMIT 1) res ON true),
  ins_event AS (
    INSERT INTO audit_event (hospital_id, id, seq, recorded, principal, role, action, interaction, outcome, source_ip, purpose, resource_type, resource_id, patients, event)
    SELECT hospital_id, id, seq, recorded, principal, role, action, interaction, outcome, source_ip, purpose, resource_type, resource_id, patients, event FROM rows)
  INSERT INTO audit_event_patient (hospital_id, patient, recorded, event_id)
  SELECT hospital_id, unnest(patients), recorded, id FROM rows`;
}

const FROM_BODIES = insertSql(
  `SELECT x.hospital, x.seq, e.event FROM jsonb_to_recordset($1::jsonb) AS x(hospital text, seq bigint, audit jsonb),
          jsonb_array_elements(x.audit) AS e(event)`,
);

const FROM_LEDGER = insertSql(
  `SELECT l.hospital_id AS hospital, l.seq, e.event FROM ledger_entry l,
          jsonb_array_elements(l.body::jsonb->'audit') AS e(event)
    WHERE l.hospital_id = $1 AND l.seq = ANY($2::bigint[])`,
);

/** Projects the audit events of `entries` (those without any are skipped). */
export async function projectAuditEvents(tx: Queryable, entries: readonly LedgerEntryBody[]): Promise<void> {
  const withAudit = entries.filter((e) => e.audit && e.audit.length > 0).map((e) => ({ hospital: e.hospital, seq: e.seq, audit: e.audit }));
  if (withAudit.length === 0) return;
  await tx.query(FROM_BODIES, [JSON.stringify(withAudit)], 'project-audit-events');
}

/** Projects the audit events of ledger rows already in the database (restore), by sequence number. */
export async function projectAuditEventsOfLedger(tx: Queryable, hospitalId: string, seqs: readonly number[]): Promise<void> {
  // An audit entry holds up to a few hundred events: 50 entries keep one statement's rows modest.
  const CHUNK = 50;
  for (let i = 0; i < seqs.length; i += CHUNK) {
    await tx.query(FROM_LEDGER, [hospitalId, seqs.slice(i, i + CHUNK)]);
  }
}
