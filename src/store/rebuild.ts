/**
 * Rebuilds every projection (resource versions, current state, search index, idempotency keys, the
 * audit trail's events) from the ledger alone, verifying the chain on the way. Used by `nirantar
 * rebuild` and by restore.
 */
import type { Database } from './database.js';
import { chainHash, GENESIS_HASH, type LedgerEntryBody } from './ledger-entry.js';
import { readEntries } from './ledger-reader.js';
import { projectEntries } from './projection.js';
import { AUDIT_TABLES } from '../audit/audit-projection.js';

const MAX_VERSIONS_PER_STATEMENT = 2000;

export const PROJECTION_TABLES = ['resource_version', 'resource_current', 'search_index', 'request_key', ...AUDIT_TABLES];

export interface RebuildProgress {
  hospitalId: string;
  entries: number;
  versions: number;
}

export async function rebuildProjections(
  db: Database,
  options: { chunk?: number; onProgress?: (p: RebuildProgress) => void } = {},
): Promise<{ entries: number; versions: number }> {
  const chunk = options.chunk ?? 200;
  const hospitals = await db.query<{ id: string }>('SELECT id FROM hospital ORDER BY id');
  let totalEntries = 0;
  let totalVersions = 0;
  await db.transaction(async (tx) => {
    await tx.query(`TRUNCATE ${PROJECTION_TABLES.join(', ')}`);
    for (const { id: hospitalId } of hospitals) {
      let prevHash = GENESIS_HASH;
      let lastSeq = 0;
      for (;;) {
        const rows = await readEntries(tx, hospitalId, lastSeq, chunk);
        let bodies: LedgerEntryBody[] = [];
        let versionsInGroup = 0;
        for (const row of rows) {
          if (row.seq !== lastSeq + 1 || row.prev_hash !== prevHash || chainHash(prevHash, row.body) !== row.hash) {
            throw new Error(`ledger of hospital ${hospitalId} is broken at entry ${lastSeq + 1}; run 'nirantar verify'`);
          }
          const body = JSON.parse(row.body) as LedgerEntryBody;
          // Project in groups of a bounded number of versions: one entry may be a Bundle of
          // thousands, and one statement's parameters must stay well under PostgreSQL's 1 GB.
          // An audit entry holds up to a few hundred AuditEvents: they count like versions.
          const weight = body.versions.length + (body.audit?.length ?? 0);
          if (versionsInGroup + weight > MAX_VERSIONS_PER_STATEMENT && bodies.length > 0) {
            await projectEntries(tx, bodies);
            bodies = [];
            versionsInGroup = 0;
          }
          bodies.push(body);
          versionsInGroup += weight;
          totalVersions += body.versions.length;
          prevHash = row.hash;
          lastSeq = row.seq;
        }
        await projectEntries(tx, bodies);
        totalEntries += rows.length;
        options.onProgress?.({ hospitalId, entries: totalEntries, versions: totalVersions });
        if (rows.length < chunk) break;
      }
    }
  });
  // Fresh statistics for the planner: the tables were just emptied and refilled.
  for (const table of PROJECTION_TABLES) await db.query(`ANALYZE ${table}`);
  return { entries: totalEntries, versions: totalVersions };
}
