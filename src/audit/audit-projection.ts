/**
 * The read side of the audit trail: one audit_entry row (migration 011) per ledger entry of access
 * records, saying what the entry holds (time span, event ids, principals, addresses, patients,
 * resources) so that a forensic question reads only the entries that can answer it. The events
 * themselves stay where they are written once: in the ledger body.
 *
 * The row is made in two places that must agree: here, from the records the writer is sealing (no
 * second parse of the body in PostgreSQL, which would double what auditing a read costs there), and
 * by the SQL function nirantar_project_audit_entries from ledger rows already in the database
 * (rebuild, restore, the migration). test/audit/audit-projection.test.ts compares the two.
 */
import type { Queryable } from '../store/database.js';
import type { LedgerEntryBody } from '../store/ledger-entry.js';
import type { AuditRecord } from './access-record.js';

/** The tables this projection fills (PROJECTION_TABLES of rebuild names them too). */
export const AUDIT_TABLES = ['audit_entry'] as const;

/**
 * Addresses go in as text and become inet in PostgreSQL (nirantar_inet_or_null), so that what counts
 * as an IP address is PostgreSQL's answer on both paths. Arrays are sorted in C collation order,
 * which is JavaScript's default sort for the ASCII ids, principals and references they hold.
 */
const INSERT_ENTRY = `INSERT INTO audit_entry (hospital_id, seq, first_recorded, last_recorded, events, ids, principals, source_ips, patients, resources)
  VALUES ($1, $2, $3, $4, $5, ARRAY(SELECT json_array_elements_text($6::json)), ARRAY(SELECT json_array_elements_text($7::json)),
          ARRAY(SELECT DISTINCT a FROM json_array_elements_text($8::json) AS s, nirantar_inet_or_null(s) AS a WHERE a IS NOT NULL ORDER BY 1),
          ARRAY(SELECT json_array_elements_text($9::json)), ARRAY(SELECT json_array_elements_text($10::json)))`;

/**
 * The arrays travel as JSON texts (one native JSON.stringify each), not as text[] parameters, which
 * the driver would quote and escape element by element, for a few hundred elements per entry.
 */
function sortedJson(values: Set<string>): string {
  return JSON.stringify([...values].sort());
}

/** Projects the audit records of `entries` (those without any are skipped) as they are written. */
export async function projectAuditEvents(tx: Queryable, entries: readonly LedgerEntryBody[]): Promise<void> {
  for (const entry of entries) {
    const records = entry.audit as AuditRecord[] | undefined;
    if (!records || records.length === 0) continue;
    // Named: parsed and planned once per connection.
    await tx.query(INSERT_ENTRY, auditEntryParams(entry.hospital, entry.seq, records), 'project-audit-entry');
  }
}

function auditEntryParams(hospital: string, seq: number, records: readonly AuditRecord[]): unknown[] {
  // The earliest and latest as written (ISO 8601), so PostgreSQL reads the same text on both paths.
  let first = records[0].time;
  let last = first;
  let firstMs = Date.parse(first);
  let lastMs = firstMs;
  const ids = new Set<string>();
  const principals = new Set<string>();
  const addresses = new Set<string>();
  const patients = new Set<string>();
  const resources = new Set<string>();
  for (const r of records) {
    // Records of one batch are mostly in order: parse only a time that is not the last one's.
    if (r.time !== last) {
      const ms = Date.parse(r.time);
      if (ms < firstMs) [first, firstMs] = [r.time, ms];
      if (ms > lastMs) [last, lastMs] = [r.time, ms];
    }
    if (typeof r.id === 'string') ids.add(r.id);
    if (typeof r.principal === 'string') principals.add(r.principal);
    if (r.sourceIp) addresses.add(r.sourceIp);
    if (Array.isArray(r.patients)) for (const p of r.patients) patients.add(p);
    if (r.resourceType !== undefined && r.resourceId !== undefined) resources.add(`${r.resourceType}/${r.resourceId}`);
  }
  return [
    hospital, seq, first, last, records.length,
    sortedJson(ids), sortedJson(principals), sortedJson(addresses), sortedJson(patients), sortedJson(resources),
  ];
}

/** Projects the audit records of ledger rows already in the database (rebuild, restore), by sequence number. */
export async function projectAuditEventsOfLedger(tx: Queryable, hospitalId: string, seqs: readonly number[]): Promise<void> {
  // An audit entry holds up to a few hundred events: 50 entries keep one statement's rows modest.
  const CHUNK = 50;
  for (let i = 0; i < seqs.length; i += CHUNK) {
    await tx.query('SELECT nirantar_project_audit_entries($1, $2::bigint[])', [hospitalId, seqs.slice(i, i + CHUNK)], 'project-audit-entries');
  }
}
