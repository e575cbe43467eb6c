/** Reading the current and past versions of one resource from the projections. */
import type { Queryable } from '../../store/database.js';
import type { FhirResource } from './context.js';

export interface StoredVersion {
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  resource: FhirResource | null;
}

export async function currentVersion(
  tx: Queryable,
  hospitalId: string,
  resourceType: string,
  id: string,
): Promise<StoredVersion | undefined> {
  const [row] = await tx.query(
    `SELECT c.version_id, c.last_updated, c.deleted, v.resource
       FROM resource_current c
       JOIN resource_version v USING (hospital_id, resource_type, id, version_id)
      WHERE c.hospital_id = $1 AND c.resource_type = $2 AND c.id = $3`,
    [hospitalId, resourceType, id],
    'current-version',
  );
  if (!row) return undefined;
  return { versionId: row.version_id, lastUpdated: new Date(row.last_updated).toISOString(), deleted: row.deleted, resource: row.resource };
}

/**
 * The current version as JSON text straight from PostgreSQL: the hot path of read-by-id sends it to
 * the client without parsing and re-serialising it.
 */
export async function currentVersionText(
  db: Queryable,
  hospitalId: string,
  resourceType: string,
  id: string,
): Promise<{ versionId: number; lastUpdated: Date; deleted: boolean; text: string | null } | undefined> {
  const [row] = await db.query(
    `SELECT c.version_id, c.last_updated, c.deleted, v.resource::text AS text
       FROM resource_current c
       JOIN resource_version v USING (hospital_id, resource_type, id, version_id)
      WHERE c.hospital_id = $1 AND c.resource_type = $2 AND c.id = $3`,
    [hospitalId, resourceType, id],
    'current-version-text',
  );
  return row ? { versionId: row.version_id, lastUpdated: row.last_updated, deleted: row.deleted, text: row.text } : undefined;
}

export async function versionText(
  db: Queryable,
  hospitalId: string,
  resourceType: string,
  id: string,
  versionId: number,
): Promise<{ lastUpdated: Date; deleted: boolean; text: string | null } | undefined> {
  const [row] = await db.query(
    `SELECT last_updated, deleted, resource::text AS text FROM resource_version
      WHERE hospital_id = $1 AND resource_type = $2 AND id = $3 AND version_id = $4`,
    [hospitalId, resourceType, id, versionId],
    'version-text',
  );
  return row ? { lastUpdated: row.last_updated, deleted: row.deleted, text: row.text } : undefined;
}
