/**
 * The mark of a restore in progress (migration 012): written before a restore's first write, removed
 * after it verified what it restored. A database carrying it holds an interrupted restore: the server
 * refuses to start on it, and `nirantar restore --force` continues the restore.
 */
import type { Queryable } from './database.js';

export interface RestoreMark {
  hospital: string;
  startedAt: string;
  vaultSeq: number;
}

/** Marks the hospitals as being restored (up to the vault's entry vaultSeq); a restore continued with --force marks them again. */
export async function markRestoreStarted(db: Queryable, marks: ReadonlyArray<{ hospital: string; vaultSeq: number }>): Promise<void> {
  for (const { hospital, vaultSeq } of marks) {
    await db.query(
      `INSERT INTO restore_in_progress (hospital_id, vault_seq) VALUES ($1, $2)
       ON CONFLICT (hospital_id) DO UPDATE SET started_at = now(), vault_seq = EXCLUDED.vault_seq`,
      [hospital, vaultSeq],
    );
  }
}

/** The restore of these hospitals is complete and verified. */
export async function clearRestoreMarks(db: Queryable, hospitals: readonly string[]): Promise<void> {
  await db.query('DELETE FROM restore_in_progress WHERE hospital_id = ANY($1::text[])', [hospitals]);
}

export async function interruptedRestores(db: Queryable): Promise<RestoreMark[]> {
  const rows = await db.query<{ hospital_id: string; started_at: Date; vault_seq: string | number }>(
    'SELECT hospital_id, started_at, vault_seq FROM restore_in_progress ORDER BY hospital_id');
  return rows.map((r) => ({ hospital: r.hospital_id, startedAt: new Date(r.started_at).toISOString(), vaultSeq: Number(r.vault_seq) }));
}

export class InterruptedRestore extends Error {
  constructor(readonly marks: RestoreMark[]) {
    const which = marks.map((m) => `hospital ${m.hospital} (restore up to vault entry ${m.vaultSeq}, started ${m.startedAt})`).join(', ');
    super(`this database holds an interrupted restore of ${which}: it is incomplete and must not be served. ` +
      'Run the same `nirantar restore --vault DIR` with --force to finish it, or restore into a fresh target. ' +
      'Serving it now would add new entries to a partial ledger that no restore could continue.');
    this.name = 'InterruptedRestore';
  }
}

/** Throws InterruptedRestore if any hospital of this database is marked as being restored. */
export async function refuseInterruptedRestore(db: Queryable): Promise<void> {
  const marks = await interruptedRestores(db);
  if (marks.length > 0) throw new InterruptedRestore(marks);
}
