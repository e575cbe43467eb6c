/**
 * The state hash: one SHA-256 over everything a hospital's database currently serves, so that two
 * databases can be compared with one line of output. It is the acceptance test of a restore: the hash
 * taken before an attack equals the hash of the database restored from the vault.
 *
 * Input, in (resource_type, id) order by code unit (byte order for FHIR's ASCII ids), one line per
 * resource_current row: type, id, version_id, deleted, and the RFC 8785 canonical JSON of that
 * version's resource ("null" for a tombstone). Canonical JSON, not PostgreSQL's jsonb text, so that the
 * hash is about FHIR content and any tool can recompute it from the resources alone.
 *
 * The order must not depend on the database's collation. Per resource type the ids are fetched in
 * index order (index-only) and checked to be in code-unit order, which holds under a C or C.UTF-8
 * collation (the embedded default); otherwise (en_US, ICU) they are sorted here. Rows are then read
 * in chunks of ids, a few chunks ahead on the pool's connections while this one is hashed: id ranges
 * of the primary key when the orders agree, explicit id lists when they do not. Memory holds one
 * type's ids and a few chunks of rows, never all the resources.
 *
 * Canonicalising (parse, sort keys, serialise) is most of the cost. A caller with worker threads to
 * spare (a restore, once its search index is built) passes `canonicalize`, so that the chunks ahead
 * are canonicalised on them while this thread hashes the current one, in order.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Queryable } from './database.js';

const IDS_PAGE = 50_000;
const CHUNK = 2_000;
const AHEAD = 3;

export interface StateHash {
  resources: number;
  hash: string;
}

interface StateRow {
  id: string;
  version_id: number;
  deleted: boolean;
  resource: string | null;
}

export interface StateHashOptions {
  /** The canonical JSON of each resource's JSON text ('null' for null); by default computed in this thread. */
  canonicalize?: (resources: Array<string | null>) => Promise<string[]>;
}

export async function stateHash(db: Queryable, hospitalId: string, options: StateHashOptions = {}): Promise<StateHash> {
  const hash = createHash('sha256').update(`nirantar-state/1\n${hospitalId}\n`);
  const canonicalize = options.canonicalize ?? (async (resources) => canonicalResources(resources));
  let resources = 0;
  const types = (await db.query<{ t: string }>('SELECT DISTINCT resource_type AS t FROM resource_current WHERE hospital_id = $1', [hospitalId]))
    .map((r) => r.t).sort(byCodeUnit);
  for (const type of types) resources += await hashType(db, hospitalId, type, hash, canonicalize);
  return { resources, hash: hash.digest('hex') };
}

/** Canonical JSON of each resource's JSON text, 'null' for none (a tombstone). */
export function canonicalResources(resources: Array<string | null>): string[] {
  return resources.map((r) => (r == null ? 'null' : canonicalJsonText(JSON.parse(r))));
}

async function hashType(
  db: Queryable, hospitalId: string, type: string, hash: Hash, canonicalize: NonNullable<StateHashOptions['canonicalize']>,
): Promise<number> {
  const ids = await idsInIndexOrder(db, hospitalId, type);
  const indexOrderIsCodeUnitOrder = ids.every((id, i) => i === 0 || ids[i - 1] < id);
  if (!indexOrderIsCodeUnitOrder) ids.sort(byCodeUnit);
  const chunks = Math.ceil(ids.length / CHUNK);
  const fetch = (k: number) => {
    const chunk = ids.slice(k * CHUNK, (k + 1) * CHUNK);
    return (indexOrderIsCodeUnitOrder ? rowsInRange(db, hospitalId, type, chunk[0], chunk[chunk.length - 1]) : rowsById(db, hospitalId, type, chunk))
      .then(async (found) => {
        const rows = new Map(found.map((r) => [r.id, r]));
        const rowsInOrder = chunk.map((id) => rows.get(id));
        const canonical = await canonicalize(rowsInOrder.map((r) => r?.resource ?? null));
        return { chunk, rows: rowsInOrder, canonical };
      });
  };
  const pending = Array.from({ length: Math.min(AHEAD, chunks) }, (_, k) => fetch(k));
  for (let k = 0; k < chunks; k++) {
    const { chunk, rows, canonical } = await pending[k];
    if (k + AHEAD < chunks) pending.push(fetch(k + AHEAD));
    delete pending[k];
    for (const [i, id] of chunk.entries()) hashRow(hash, type, id, rows[i], canonical[i]);
  }
  return ids.length;
}

function hashRow(hash: Hash, type: string, id: string, row: StateRow | undefined, resource: string): void {
  // A current row without its version (or gone meanwhile) is a broken state: it changes the hash, no crash.
  hash.update(`${type}\t${id}\t${row?.version_id ?? 'missing'}\t${row?.deleted ?? 'missing'}\t${resource}\n`);
}

async function idsInIndexOrder(db: Queryable, hospitalId: string, type: string): Promise<string[]> {
  const ids: string[] = [];
  for (let after = ''; ; ) {
    const page = await db.query<{ id: string }>(
      `SELECT id FROM resource_current WHERE hospital_id = $1 AND resource_type = $2 AND id > $3 ORDER BY id LIMIT ${IDS_PAGE}`,
      [hospitalId, type, after],
    );
    for (const { id } of page) ids.push(id);
    if (page.length < IDS_PAGE) return ids;
    after = page[page.length - 1].id;
  }
}

// The version is probed per row through its primary key (LATERAL … LIMIT 1 keeps the planner from
// turning it into a join that scans every version of the type, as it would without statistics).
const VERSION = `LEFT JOIN LATERAL (SELECT v.resource::text AS resource FROM resource_version v
  WHERE v.hospital_id = $1 AND v.resource_type = $2 AND v.id = c.id AND v.version_id = c.version_id LIMIT 1) v ON true`;

function rowsInRange(db: Queryable, hospitalId: string, type: string, first: string, last: string): Promise<StateRow[]> {
  return db.query<StateRow>(
    `SELECT c.id, c.version_id, c.deleted, v.resource
       FROM (SELECT id, version_id, deleted FROM resource_current
              WHERE hospital_id = $1 AND resource_type = $2 AND id >= $3 AND id <= $4 ORDER BY id) c ${VERSION}`,
    [hospitalId, type, first, last],
  );
}

function rowsById(db: Queryable, hospitalId: string, type: string, ids: string[]): Promise<StateRow[]> {
  return db.query<StateRow>(
    `SELECT c.id, c.version_id, c.deleted, v.resource
       FROM unnest($3::text[]) AS x(id)
       JOIN LATERAL (SELECT c.id, c.version_id, c.deleted FROM resource_current c
                      WHERE c.hospital_id = $1 AND c.resource_type = $2 AND c.id = x.id LIMIT 1) c ON true ${VERSION}`,
    [hospitalId, type, ids],
  );
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * RFC 8785 canonical JSON of a value parsed from JSON text. The same output as canonicalJson in
 * ledger-entry.ts (a test holds them equal over real resources), about 2.5x faster: the state hash
 * canonicalises every resource of a hospital, millions after a restore. Keys sort by UTF-16 code
 * unit (Array.prototype.sort's default), numbers and strings serialise as JSON.stringify does.
 */
export function canonicalJsonText(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i > 0 ? ',' : '') + canonicalJsonText(value[i]);
    return `${text}]`;
  }
  let text = '{';
  let first = true;
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJsonText(member)}`;
    first = false;
  }
  return `${text}}`;
}
