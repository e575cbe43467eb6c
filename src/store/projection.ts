/**
 * Projects ledger entries into the read side: resource versions, current state, the search index
 * and idempotency keys. The live writer calls it inside the writing transaction; `rebuild` and
 * restore call it for thousands of entries at a time. Same code, so a rebuilt database is exactly
 * the database the writer produced.
 */
import type { Queryable } from './database.js';
import type { LedgerEntry, LedgerEntryBody, VersionWrite } from './ledger-entry.js';
import { searchIndexRows } from '../fhir/search/index-rows.js';
import { projectAuditEvents } from '../audit/audit-projection.js';

const VERSION_COLUMNS =
  'hospital_id text, resource_type text, id text, version_id int, seq bigint, last_updated timestamptz, deleted boolean, method text, resource jsonb';
const INDEX_COLUMNS =
  'hospital_id text, resource_type text, resource_id text, code text, system text, value text, raw text, low_time timestamptz, high_time timestamptz, low_num numeric, high_num numeric';

/**
 * The rows an entry produces, one builder per table. projectEntries (the writer, rebuild) and the
 * vault's bulk restore both build rows only through these, so there is one definition of what an
 * entry puts in each table. The columns of each table, in the order of the builders' keys, are in
 * PROJECTION_COLUMNS (bulk loads use them to COPY).
 */
export const PROJECTION_COLUMNS = {
  resource_version: ['hospital_id', 'resource_type', 'id', 'version_id', 'seq', 'last_updated', 'deleted', 'method', 'resource'],
  resource_current: ['hospital_id', 'resource_type', 'id', 'version_id', 'last_updated', 'deleted'],
  search_index: ['hospital_id', 'resource_type', 'resource_id', 'code', 'system', 'value', 'raw', 'low_time', 'high_time', 'low_num', 'high_num'],
  request_key: ['hospital_id', 'request_id', 'request_hash', 'seq'],
} as const;

/** The resource_version row of one version written by `entry`. */
export function versionRowOf(entry: LedgerEntryBody, v: VersionWrite): Record<string, unknown> {
  return {
    hospital_id: entry.hospital, resource_type: v.resourceType, id: v.id, version_id: v.versionId,
    seq: entry.seq, last_updated: v.lastUpdated, deleted: v.deleted, method: v.method, resource: v.resource ?? null,
  };
}

/** The resource_current row of a resource whose latest version is `v`. */
export function currentRowOf(hospitalId: string, v: VersionWrite): Record<string, unknown> {
  return { hospital_id: hospitalId, resource_type: v.resourceType, id: v.id, version_id: v.versionId, last_updated: v.lastUpdated, deleted: v.deleted };
}

/** The request_key row of an entry that carried an idempotency key (X-Request-Id). */
export function requestKeyRowOf(entry: LedgerEntryBody): Record<string, unknown> | undefined {
  if (!entry.requestId) return undefined;
  return { hospital_id: entry.hospital, request_id: entry.requestId, request_hash: entry.requestHash ?? '', seq: entry.seq };
}

/**
 * The key that says "the same resource": of all the versions an entry run writes for one key, the
 * last one decides the current state and the search index (a deletion: no index rows).
 */
export function resourceKeyOf(hospitalId: string, v: VersionWrite): string {
  return `${hospitalId}\u0000${v.resourceType}\u0000${v.id}`;
}

/** The search_index rows of one resource version (none for a deletion). */
export function indexRowsOf(hospitalId: string, v: VersionWrite): object[] {
  if (v.deleted || !v.resource) return [];
  return searchIndexRows(v.resource as { resourceType: string }).map((row) => ({
    hospital_id: hospitalId, resource_type: v.resourceType, resource_id: v.id, code: row.code,
    system: row.system ?? null, value: row.value ?? null, raw: row.raw ?? null,
    low_time: row.lowTime ?? null, high_time: row.highTime ?? null, low_num: row.lowNum ?? null, high_num: row.highNum ?? null,
  }));
}

/**
 * Inserts index rows of brand-new resources. The writer does this for creates before it takes the
 * chain lock (same transaction, so still atomic): the rows depend on nothing the lock protects, and
 * it keeps the most expensive insert out of the time the lock is held.
 */
export async function insertIndexRows(tx: Queryable, rows: object[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO search_index (hospital_id, resource_type, resource_id, code, system, value, raw, low_time, high_time, low_num, high_num)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${INDEX_COLUMNS})`,
    [JSON.stringify(rows)],
    'insert-index-rows',
  );
}

/**
 * The entries' bodies as one text, separated by U+001E (record separator): a text[] parameter would
 * be escaped element by element here and unescaped again by PostgreSQL, a few microseconds per audit
 * record on every entry. A canonical JSON text never holds U+001E (RFC 8785 escapes every control
 * character), which is checked rather than assumed.
 */
const RECORD_SEPARATOR = '\x1e';
function ledgerBodies(ledger: LedgerEntry[]): string {
  for (const e of ledger) if (e.body.includes(RECORD_SEPARATOR)) throw new Error(`ledger entry ${e.seq}: its body holds U+001E, which canonical JSON never does`);
  return ledger.map((e) => e.body).join(RECORD_SEPARATOR);
}

export interface ProjectOptions {
  /**
   * The sealed ledger rows of `entries` (same order, same length), inserted in the same statement:
   * the writer's case. Rebuild and restore leave it out (the ledger is already there).
   */
  ledger?: LedgerEntry[];
  /** Versions whose index rows were already inserted (see insertIndexRows). */
  indexed?: Set<VersionWrite>;
}

export async function projectEntries(tx: Queryable, entries: LedgerEntryBody[], options: ProjectOptions = {}): Promise<void> {
  if (entries.length === 0) return;
  const versions: object[] = [];
  // The last version of each resource in this run of entries decides its current state.
  const latest = new Map<string, { hospital: string; v: VersionWrite }>();
  const requestKeys: object[] = [];
  for (const entry of entries) {
    for (const v of entry.versions) {
      versions.push(versionRowOf(entry, v));
      latest.set(resourceKeyOf(entry.hospital, v), { hospital: entry.hospital, v });
    }
    const key = requestKeyRowOf(entry);
    if (key) requestKeys.push(key);
  }
  const current: object[] = [];
  const touched: object[] = [];
  const index: object[] = [];
  for (const { hospital, v } of latest.values()) {
    current.push(currentRowOf(hospital, v));
    // A first version has no index rows to replace (most writes are creates: skip the DELETE's work).
    if (v.versionId > 1) touched.push({ hospital_id: hospital, resource_type: v.resourceType, resource_id: v.id });
    if (!options.indexed?.has(v)) index.push(...indexRowsOf(hospital, v));
  }
  const ledger = options.ledger ?? [];
  // One round trip: data-modifying CTEs share one snapshot, so the DELETE removes only the
  // index rows that existed before this statement, and the INSERT adds the new ones.
  await tx.query(
    `WITH
      ins_ledger AS (
        INSERT INTO ledger_entry (hospital_id, seq, recorded_at, body, prev_hash, hash)
        SELECT * FROM unnest($6::text[], $7::bigint[], $8::timestamptz[], string_to_array($9, E'\\x1e'), $10::text[], $11::text[])),
      ins_version AS (
        INSERT INTO resource_version (hospital_id, resource_type, id, version_id, seq, last_updated, deleted, method, resource)
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${VERSION_COLUMNS})),
      ins_current AS (
        INSERT INTO resource_current (hospital_id, resource_type, id, version_id, last_updated, deleted)
        SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(hospital_id text, resource_type text, id text, version_id int, last_updated timestamptz, deleted boolean)
        ON CONFLICT (hospital_id, resource_type, id) DO UPDATE
          SET version_id = EXCLUDED.version_id, last_updated = EXCLUDED.last_updated, deleted = EXCLUDED.deleted),
      del_index AS (
        DELETE FROM search_index s USING jsonb_to_recordset($3::jsonb) AS t(hospital_id text, resource_type text, resource_id text)
        WHERE s.hospital_id = t.hospital_id AND s.resource_type = t.resource_type AND s.resource_id = t.resource_id),
      ins_keys AS (
        INSERT INTO request_key (hospital_id, request_id, request_hash, seq)
        SELECT * FROM jsonb_to_recordset($5::jsonb) AS x(hospital_id text, request_id text, request_hash text, seq bigint))
    INSERT INTO search_index (hospital_id, resource_type, resource_id, code, system, value, raw, low_time, high_time, low_num, high_num)
    SELECT * FROM jsonb_to_recordset($4::jsonb) AS x(${INDEX_COLUMNS})`,
    [
      JSON.stringify(versions), JSON.stringify(current), JSON.stringify(touched), JSON.stringify(index), JSON.stringify(requestKeys),
      ledger.map((_, i) => entries[i].hospital), ledger.map((e) => e.seq), ledger.map((_, i) => entries[i].time),
      ledgerBodies(ledger), ledger.map((e) => e.prevHash), ledger.map((e) => e.hash),
    ],
    'project-entries',
  );
  await projectAuditEvents(tx, entries);
}
