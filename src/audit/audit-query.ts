/**
 * A question to the audit trail, and its answer: the FHIR search (audit-search-params.ts) and
 * `nirantar audit` both build one of these. Conditions are ANDed, the alternatives inside one
 * (comma-separated values) ORed. Pages are keyset pages on (recorded, id), so an event written while
 * someone pages does not shift the pages they have not read yet.
 *
 * The events live in the bodies of ledger entries; audit_entry (migration 011) says what each entry
 * holds. A question is answered in two steps: the entries that can hold a match, through
 * audit_entry's indexes (a patient, a principal, an address, a resource, a time span), walked in the
 * page's time order a few at a time; then the events of those entries, read out of their bodies and
 * matched exactly. The walk stops as soon as no entry not yet read can change the page.
 */
import type { Queryable } from '../store/database.js';
import { SqlParams } from '../fhir/search/sql-params.js';
import type { AuditRecord } from './access-record.js';
import { DICOM_LOGIN, DICOM_LOGOUT } from './audit-codes.js';
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
  const count = Math.max(0, Math.floor(query.count));
  const desc = query.order === 'desc';
  const entries = entryWalk(query);
  const found: FoundEvent[] = [];
  let chunk = FIRST_CHUNK;
  let position: EntryPosition | undefined;
  for (;;) {
    const batch = await nextEntries(db, entries, position, chunk);
    if (batch.length > 0) {
      position = batch.at(-1)!;
      found.push(...(await eventsOf(db, query, batch.map((e) => e.seq))));
    }
    const exhausted = batch.length < chunk;
    // No entry after `position` in the walk holds an event beyond its bound (later than it when
    // newest first): the events beyond it are the page's, in their final order.
    const settled = exhausted ? found.length : found.filter((e) => (desc ? e.us > position!.bound : e.us < position!.bound)).length;
    if (exhausted || settled > count) break;
    chunk = Math.min(chunk * 2, MAX_CHUNK);
  }
  found.sort((a, b) => compareEvents(a, b) * (desc ? -1 : 1));
  const page = found.slice(0, count);
  const more = found.length > count;
  const last = page.at(-1);
  return {
    events: page.map((e) => toAuditEvent(e.record, e.id)),
    ...(more && last ? { next: { recorded: last.recorded, id: last.id } } : {}),
  };
}

/** One event by id, or undefined. */
export async function readAuditEvent(db: Queryable, hospitalId: string, id: string): Promise<AuditEvent | undefined> {
  const [row] = await db.query<{ record: AuditRecord }>(
    `SELECT r.record FROM audit_entry e JOIN ledger_entry l ON l.hospital_id = e.hospital_id AND l.seq = e.seq,
            jsonb_array_elements(l.body::jsonb->'audit') AS r(record)
      WHERE e.hospital_id = $1 AND e.ids @> ARRAY[$2::text] AND r.record->>'id' = $2`,
    [hospitalId, id],
  );
  return row ? toAuditEvent(row.record, id) : undefined;
}

/** Entries read per step at first; doubled each step up to MAX_CHUNK (a long, sparse timeline). */
const FIRST_CHUNK = 8;
const MAX_CHUNK = 256;

interface FoundEvent {
  /** recorded as PostgreSQL writes it (the cursor's form), and in microseconds since 1970 to compare. */
  recorded: string;
  us: number;
  id: string;
  record: AuditRecord;
}

/** Where the walk is: the last entry read, and the time no later entry's events go beyond. */
interface EntryPosition {
  seq: number;
  bound: number;
  key: string;
}

/** The walk's query; its last two parameters are the position to continue after (null: from the start). */
interface EntryWalk {
  sql: string;
  params: unknown[];
}

function compareEvents(a: FoundEvent, b: FoundEvent): number {
  if (a.us !== b.us) return a.us - b.us;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The entries that can hold a match, in the page's order: newest first by their last event, oldest
 * first by their first, so each step's bound (that time, of the last entry read) only moves away.
 */
function entryWalk(query: AuditQuery): EntryWalk {
  const params = new SqlParams([query.hospitalId]);
  const desc = query.order === 'desc';
  const clauses = ['e.hospital_id = $1'];
  for (const terms of query.where) {
    const alternatives = terms.map((t) => entryTermSql(t, params));
    // A condition with an alternative audit_entry cannot narrow (a role, an outcome …) narrows nothing.
    if (alternatives.length > 0 && alternatives.every((a) => a !== undefined)) clauses.push(`(${alternatives.join(' OR ')})`);
    if (alternatives.length === 0) clauses.push('false');
  }
  if (query.after) {
    const time = `${params.add(query.after.recorded)}::timestamptz`;
    clauses.push(desc ? `e.first_recorded <= ${time}` : `e.last_recorded >= ${time}`);
  }
  const column = desc ? 'last_recorded' : 'first_recorded';
  const afterKey = `$${params.values.length + 1}`;
  const afterSeq = `$${params.values.length + 2}`;
  return {
    sql: `SELECT e.seq, (extract(epoch FROM e.${column}) * 1000000)::bigint::text AS bound, e.${column}::text AS key FROM audit_entry e
           WHERE ${clauses.join(' AND ')} AND (${afterKey}::timestamptz IS NULL OR (e.${column}, e.seq) ${desc ? '<' : '>'} (${afterKey}::timestamptz, ${afterSeq}::bigint))
           ORDER BY e.${column} ${desc ? 'DESC' : 'ASC'}, e.seq ${desc ? 'DESC' : 'ASC'}`,
    params: params.values,
  };
}

async function nextEntries(db: Queryable, walk: EntryWalk, after: EntryPosition | undefined, limit: number): Promise<EntryPosition[]> {
  const rows = await db.query<{ seq: string; bound: string; key: string }>(
    `${walk.sql} LIMIT ${limit}`,
    [...walk.params, after?.key ?? null, after?.seq ?? null],
  );
  return rows.map((r) => ({ seq: Number(r.seq), bound: Number(r.bound), key: r.key }));
}

/**
 * The events of these ledger entries that match the query (and come after its cursor). Each event's
 * columns are read from its record as the filters need them (the interaction as the AuditEvent's
 * subtype code, see audit-event.ts, so that `subtype=search-type` or `subtype=110122` finds what it
 * names).
 */
async function eventsOf(db: Queryable, query: AuditQuery, seqs: number[]): Promise<FoundEvent[]> {
  const params = new SqlParams([query.hospitalId, seqs]);
  const clauses = query.where.map((terms) => `(${terms.map((t) => termSql(t, params)).join(' OR ') || 'false'})`);
  if (query.after) {
    clauses.push(`(a.recorded, a.id COLLATE "C") ${query.order === 'asc' ? '>' : '<'} (${params.add(query.after.recorded)}::timestamptz, ${params.add(query.after.id)})`);
  }
  const rows = await db.query<{ recorded: string; us: string; id: string; record: AuditRecord }>(
    `SELECT a.recorded::text AS recorded, (extract(epoch FROM a.recorded) * 1000000)::bigint::text AS us, a.id, a.record
       FROM (SELECT r.record, (r.record->>'time')::timestamptz AS recorded, r.record->>'id' AS id,
                    r.record->>'principal' AS principal, r.record->>'role' AS role, r.record->>'action' AS action,
                    CASE r.record->>'interaction'
                      WHEN 'search' THEN CASE WHEN r.record ? 'resourceType' THEN 'search-type' ELSE 'search-system' END
                      WHEN 'history' THEN CASE WHEN r.record ? 'resourceId' THEN 'history-instance' WHEN r.record ? 'resourceType' THEN 'history-type' ELSE 'history-system' END
                      WHEN 'login' THEN '${DICOM_LOGIN}' WHEN 'logout' THEN '${DICOM_LOGOUT}'
                      ELSE r.record->>'interaction' END AS interaction,
                    r.record->>'outcome' AS outcome, nirantar_inet_or_null(r.record->>'sourceIp') AS source_ip,
                    r.record->>'purpose' AS purpose, r.record->>'resourceType' AS resource_type, r.record->>'resourceId' AS resource_id,
                    r.record->'patients' AS patients
               FROM ledger_entry l, jsonb_array_elements(l.body::jsonb->'audit') AS r(record)
              WHERE l.hospital_id = $1 AND l.seq = ANY($2::bigint[])) a
      ${clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : ''}`,
    params.values,
  );
  return rows.map((r) => ({ recorded: r.recorded, us: Number(r.us), id: r.id, record: r.record }));
}

/** What audit_entry can say of a term: a condition on the entry, or undefined when it cannot narrow. */
function entryTermSql(term: AuditTerm, params: SqlParams): string | undefined {
  switch (term.on) {
    case 'recorded':
      return term.op === '>=' || term.op === '>'
        ? `e.last_recorded ${term.op} ${params.add(term.time)}::timestamptz`
        : `e.first_recorded ${term.op} ${params.add(term.time)}::timestamptz`;
    case 'recorded-between':
      return term.negate ? undefined : `(e.last_recorded >= ${params.add(term.low)}::timestamptz AND e.first_recorded <= ${params.add(term.high)}::timestamptz)`;
    case 'principal':
      return `e.principals @> ARRAY[${params.add(term.value)}::text]`;
    case 'role':
    case 'action':
    case 'outcome':
    case 'interaction':
    case 'purpose':
      return undefined;
    case 'patient':
      return `e.patients @> ARRAY[${params.add(term.value)}::text]`;
    case 'address':
      return term.value.includes('/')
        ? `EXISTS (SELECT 1 FROM unnest(e.source_ips) AS ip WHERE ip <<= ${params.add(term.value)}::inet)`
        : `e.source_ips && ${params.add(addressForms(term.value))}::inet[]`;
    case 'entity': {
      const resource = `e.resources @> ARRAY[${params.add(`${term.type}/${term.id}`)}::text]`;
      return term.type === 'Patient' ? `(${resource} OR e.patients @> ARRAY[${params.add(`Patient/${term.id}`)}::text])` : resource;
    }
    case 'nothing':
      return 'false';
  }
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
      return `a.patients @> jsonb_build_array(${params.add(term.value)}::text)`;
    case 'address':
      return term.value.includes('/')
        ? `a.source_ip <<= ${params.add(term.value)}::inet`
        : `a.source_ip = ANY(${params.add(addressForms(term.value))}::inet[])`;
    case 'entity': {
      const resource = `(a.resource_type = ${params.add(term.type)} AND a.resource_id = ${params.add(term.id)})`;
      return term.type === 'Patient' ? `(${resource} OR a.patients @> jsonb_build_array(${params.add(`Patient/${term.id}`)}::text))` : resource;
    }
    case 'nothing':
      return 'false';
  }
}

/**
 * An IPv4 address also as the IPv4-mapped IPv6 address a dual-stack server reports
 * ('::ffff:10.1.2.3'), so a search by the address people know finds both.
 */
function addressForms(address: string): string[] {
  if (address.startsWith('::ffff:') && address.includes('.')) return [address, address.slice(7)];
  return address.includes('.') ? [address, `::ffff:${address}`] : [address];
}
