/**
 * Resources found by the shape of their id: a department that names its resources in order
 * (`uhid-block-10000000200`) finds the last one, or the last one at or before a given id, without a
 * search parameter for it. Order is by code unit ("C"), whatever the database's collation.
 */
import type { Queryable } from '../../store/database.js';
import type { FhirResource } from './context.js';

const CURRENT = `SELECT v.resource FROM resource_current c
   JOIN resource_version v USING (hospital_id, resource_type, id, version_id)
  WHERE c.hospital_id = $1 AND c.resource_type = $2 AND NOT c.deleted AND starts_with(c.id, $3)`;

/** The live resource whose id starts with `prefix` and sorts last (at or before `upTo`, when given). */
export async function lastByIdPrefix(db: Queryable, hospitalId: string, resourceType: string, prefix: string, upTo?: string): Promise<FhirResource | undefined> {
  const [row] = await db.query<{ resource: FhirResource }>(
    `${CURRENT} AND ($4::text IS NULL OR c.id COLLATE "C" <= $4::text COLLATE "C") ORDER BY c.id COLLATE "C" DESC LIMIT 1`,
    [hospitalId, resourceType, prefix, upTo ?? null],
  );
  return row?.resource;
}

/** Every live resource whose id starts with `prefix`, in id order. */
export async function allByIdPrefix(db: Queryable, hospitalId: string, resourceType: string, prefix: string): Promise<FhirResource[]> {
  const rows = await db.query<{ resource: FhirResource }>(`${CURRENT} ORDER BY c.id COLLATE "C"`, [hospitalId, resourceType, prefix]);
  return rows.map((r) => r.resource);
}
