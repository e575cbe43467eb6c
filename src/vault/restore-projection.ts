/**
 * The read side of a restore, built from the ledger entries in one transaction: resource versions,
 * current state, search index and idempotency keys, with exactly the rows projectEntries would write
 * (the same row builders), loaded with COPY into tables whose indexes are rebuilt at the end.
 *
 * One pass over each hospital's entries, spread over worker threads: every version and idempotency
 * key, and for the last version of each resource its current row and search index rows. Which
 * version is the last one was worked out from the facts the vault's verification collected
 * (FinalVersions). Then the audit trail's events are projected from the ledger rows, once those are
 * committed (INSERT … SELECT, 50 entries at a time). A restore killed in the middle rolls all of it
 * back: the projection is either complete or absent, never half there.
 */
import { projectAuditEventsOfLedger } from '../audit/audit-projection.js';
import { PROJECTION_COLUMNS } from '../store/projection.js';
import { PROJECTION_TABLES } from '../store/rebuild.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { CopySpool } from './copy-spool.js';
import { FinalVersions } from './restore-final-versions.js';
import type { IndexWorkers } from './restore-index-workers.js';
import { dropIndexes, recreateIndexes, type DroppedIndex } from './restore-indexes.js';
import type { RestoreConnection } from './restore-connection.js';
import type { VerifiedRun } from './vault-verify.js';

const C = PROJECTION_COLUMNS;

/**
 * Every table's rows go through a spool file, drained into PostgreSQL in pieces of at least this many
 * bytes while the workers go on: the connection runs one COPY at a time, and this way the database
 * works through all four tables during the pass instead of loading three of them after it.
 */
const SPOOLED = ['search_index', 'resource_version', 'resource_current', 'request_key'] as const;
const DRAIN_BYTES = 16 << 20;

export class ProjectionLoad {
  /** The spools being filled and drained, abandoned by a rollback. */
  private open: { spools: CopySpool[]; stop: () => Promise<void> } | undefined;

  private constructor(
    private readonly db: RestoreConnection,
    private readonly dropped: DroppedIndex[],
    /** COPY … FREEZE is allowed only into tables emptied by TRUNCATE in this transaction. */
    private readonly freeze: boolean,
  ) {}

  /** Opens the transaction, removes the hospitals' old projection rows and drops the indexes. */
  static async begin(db: RestoreConnection, hospitals: string[]): Promise<ProjectionLoad> {
    await db.query('BEGIN');
    try {
      // maintenance_work_mem is left as the server has it: measured at 9 M index rows, a larger one
      // (256 MB, 1 GB) made the index builds slower than the default 64 MB, not faster.
      const truncated = await clearProjections(db, hospitals);
      return new ProjectionLoad(db, await dropIndexes(db, PROJECTION_TABLES), truncated);
    } catch (err) {
      await db.query('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  /**
   * The pass over one hospital's verified runs, one worker each, their rows spooled and drained into
   * the tables as they come. Returns the number of resources, the hash each worker's read ended at,
   * and the entries that carry audit records.
   */
  async load(
    workers: IndexWorkers, base: { vaultDir: string; hospital: string }, runs: VerifiedRun[], onProgress: (entries: number, versions: number) => void,
  ): Promise<{ resources: number; lastHashes: string[]; auditSeqs: number[] }> {
    const finals = FinalVersions.of(runs);
    const expected = finals.resources;
    const jobs = runs.map((r) => ({ ...base, after: r.after, prevHash: r.prevHash, upto: r.upto, superseded: finals.supersededIn(r.after, r.upto) }));
    const spools = await Promise.all(SPOOLED.map(() => CopySpool.create()));
    let loading = true;
    const draining = this.drainWhile(spools, () => loading);
    this.open = { spools, stop: async () => { loading = false; await draining.catch(() => {}); } };
    try {
      const [index, versions, current, keys] = spools;
      const sink = {
        index: (bytes: Uint8Array) => index.write(bytes),
        versions: (bytes: Uint8Array) => versions.write(bytes),
        current: (bytes: Uint8Array) => current.write(bytes),
        keys: (bytes: Uint8Array) => keys.write(bytes),
        progress: onProgress,
      };
      // A COPY the database refuses ends the drain with an error: that stops the pass too.
      const result = await Promise.race([workers.run(jobs, sink), draining.then(() => new Promise<never>(() => {}))]);
      loading = false;
      await draining;
      if (result.finals !== expected) throw new Error(`the load found ${result.finals} current resources, the verification ${expected}`);
      for (const [i, table] of SPOOLED.entries()) await spools[i].copyInto(this.db.client, table, C[table], this.freeze);
      this.open = undefined;
      return { resources: result.finals, lastHashes: result.lastHashes, auditSeqs: result.auditSeqs };
    } catch (err) {
      await this.abandon();
      throw err;
    }
  }

  /** Drains the spools in turn, a piece of one table at a time, for as long as `loading` says. */
  private async drainWhile(spools: CopySpool[], loading: () => boolean): Promise<void> {
    while (loading()) {
      let moved = 0;
      for (const [i, table] of SPOOLED.entries()) {
        if (loading() && spools[i].undrained >= DRAIN_BYTES) moved += await spools[i].drainInto(this.db.client, table, C[table], this.freeze);
      }
      if (moved === 0) await sleep(50);
    }
  }

  /**
   * Once the hospital's ledger is committed: the audit trail's audit_entry rows, derived from the
   * ledger rows in SQL (nirantar_project_audit_entries), the rows the writer made as it wrote them.
   */
  async addAuditEvents(hospital: string, auditSeqs: number[]): Promise<void> {
    await projectAuditEventsOfLedger(this.db, hospital, auditSeqs);
  }

  async commit(onIndex?: (done: number, total: number, name: string) => void): Promise<void> {
    await recreateIndexes(this.db, this.dropped, onIndex);
    await this.db.query('COMMIT');
  }

  /** Rolls the whole projection back; first lets a COPY in progress finish, which holds the connection. */
  async rollback(): Promise<void> {
    await this.abandon();
    await this.db.query('ROLLBACK').catch(() => {});
  }

  private async abandon(): Promise<void> {
    const open = this.open;
    this.open = undefined;
    await open?.stop();
    await Promise.all(open?.spools.map((spool) => spool.discard()) ?? []);
  }
}

/**
 * Empties the projection rows of the hospitals being restored. TRUNCATE when the tables hold nothing
 * else (a fresh target: instant, and it allows COPY FREEZE); otherwise only these hospitals' rows.
 */
async function clearProjections(db: RestoreConnection, hospitals: string[]): Promise<boolean> {
  for (const table of PROJECTION_TABLES) {
    const [other] = await db.query(`SELECT 1 FROM ${table} WHERE hospital_id <> ALL($1::text[]) LIMIT 1`, [hospitals]);
    if (other) {
      for (const t of PROJECTION_TABLES) await db.query(`DELETE FROM ${t} WHERE hospital_id = ANY($1::text[])`, [hospitals]);
      return false;
    }
  }
  await db.query(`TRUNCATE ${PROJECTION_TABLES.join(', ')}`);
  return true;
}
