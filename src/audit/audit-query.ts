/**
 * A question to the audit trail, and its answer from the audit_event projection: the FHIR search
 * (audit-search-params.ts) and `nirantar audit` both build one of these. Conditions are ANDed, the
 * alternatives inside one (comma-separated values) ORed. Pages are keyset pages on (recorded, id),
 * so a page deep into a long timeline costs what the first one costs, and an event written while
 * someone pages does not shift the pages they have not read yet.
 */
import type { Queryable } from '../store/database.js';
import { SqlParams } from '../fhir/search/sql-params.js';
import type { AuditRecord } from './access-record.js';
import { toAuditEvent, type AuditEvent } from './audit-event.js';

export type AuditTerm =
  | { on: 'recorded'; op: '>=' | '>' | '<=' | '<'; time: string }
  | { on: 'recorded-between'; low: string; high: string; negate?: boolean }
  | { on: 'principal' | 'role' | 'action' | 'outcome' | 'interaction' | 'purpose'; value: string }
  /** 'Patient/x' */
  | { on: 'patient'; value: string }
  /** An IP address, or a CIDR block with `/`. */
  | { on: 'address'; value: string }
  /** The resource addressed (or, for a Patient, a patient concerned). */
  | { on: 'entity'; type: string; id: string }
  | { on: 'nothing' };

export interface AuditQuery {
  hospitalId: string;
  /** Each inner array is one condition: any of its terms. */
  where: AuditTerm[][];
  count: number;
  order: 'asc' | 'desc';
  /** Continue after this event (exclusive), in `order`. */
  after?: AuditCursor;
}

export interface AuditCursor {
  recorded: string;
  id: string;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Where the next page starts, when there is one. */
  next?: AuditCursor;
}

export async function findAuditEvents(db: Queryable, query: AuditQuery): Promise<AuditPage> {
  const params = new SqlParams([query.hospitalId]);
  const clauses = ['a.hospital_id = $1', ...query.where.map((terms) => `(${terms.map((t) => termSql(t, params)).join(' OR ') || 'false'})`)];
  const dir = query.order === 'asc' ? 'ASC' : 'DESC';
  if (query.after) {
    clauses.push(`(a.recorded, a.id) ${query.order === 'asc' ? '>' : '<'} (${params.add(query.after.recorded)}::timestamptz, ${params.add(query.after.id)})`);
  }
  // recorded as text for the cursor: exact to the microsecond, and read back by ::timestamptz.
  const rows = await db.query<{ recorded: string; id: string; record: AuditRecord }>(
    `SELECT a.recorded::text AS recorded, a.id, a.record FROM audit_event a WHERE ${clauses.join(' AND ')}
      ORDER BY a.recorded ${dir}, a.id ${dir} LIMIT ${Math.max(0, Math.floor(query.count)) + 1}`,
    params.values,
  );
  const more = rows.length > query.count;
  const page = rows.slice(0, query.count);
  const last = page.at(-1);
  return {
    events: page.map((r) => toAuditEvent(r.record, r.id)),
    ...(more && last ? { next: { recorded: last.recorded, id: last.id } } : {}),
  };
}

/** One event by id, or undefined. */
export async function readAuditEvent(db: Queryable, hospitalId: string, id: string): Promise<AuditEvent | undefined> {
  const [row] = await db.query<{ record: AuditRecord }>('SELECT record FROM audit_event WHERE hospital_id = $1 AND id = $2', [hospitalId, id]);
  return row ? toAuditEvent(row.record, id) : undefined;
}

function termSql(term: AuditTerm, params: SqlParams): string {
  switch (term.on) {
    case 'recorded':
      return `a.recorded ${term.op} ${params.add(term.time)}::timestamptz`;
    case 'recorded-between':
      return `${term.negate ? 'NOT ' : ''}(a.recorded BETWEEN ${params.add(term.low)}::timestamptz AND ${params.add(term.high)}::timestamptz)`;
    case 'principal':
    case 'role':
    case 'action':
    case 'outcome':
    case 'interaction':
    case 'purpose':
      return `a.${term.on} = ${params.add(term.value)}`;
    case 'patient':
      return patientSql(term.value, params);
    case 'address':
      return term.value.includes('/')
        ? `a.source_ip <<= ${params.add(term.value)}::inet`
        : `a.source_ip = ANY(${params.add(addressForms(term.value))}::inet[])`;
    case 'entity': {
      const resource = `(a.resource_type = ${params.add(term.type)} AND a.resource_id = ${params.add(term.id)})`;
      return term.type === 'Patient' ? `(${resource} OR ${patientSql(`Patient/${term.id}`, params)})` : resource;
    }
    case 'nothing':
      return 'false';
  }
}

function patientSql(patient: string, params: SqlParams): string {
  // Through audit_event_patient's index (patient, recorded), not a scan of the patients arrays.
  return `(a.recorded, a.id) IN (SELECT p.recorded, p.event_id FROM audit_event_patient p WHERE p.hospital_id = $1 AND p.patient = ${params.add(patient)})`;
}

/**
 * An IPv4 address also as the IPv4-mapped IPv6 address a dual-stack server reports
 * ('::ffff:10.1.2.3'), so a search by the address people know finds both.
 */
function addressForms(address: string): string[] {
  if (address.startsWith('::ffff:') && address.includes('.')) return [address, address.slice(7)];
  return address.includes('.') ? [address, `::ffff:${address}`] : [address];
}
