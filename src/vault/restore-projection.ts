/**
 * The read side of a restore, built from the ledger entries in one transaction: resource versions,
 * current state, search index and idempotency keys, with exactly the rows projectEntries would write
 * (the same row builders), loaded with COPY into tables whose indexes are rebuilt at the end.
 *
 * Two passes over each hospital's entries: the first writes every version and idempotency key and
 * notes which version of each resource is the last; the second, spread over worker threads, writes
 * the current row and the search index rows of those last versions only. Between the two, the audit
 * trail's events are projected from the ledger rows just committed (INSERT … SELECT, 50 entries
 * at a time). A restore killed in the middle rolls all of it back: the projection is either
 * complete or absent, never half there.
 */
import { projectAuditEventsOfLedger } from '../audit/audit-projection.js';
import { PROJECTION_COLUMNS, requestKeyRowOf, versionRowOf } from '../store/projection.js';
import { PROJECTION_TABLES } from '../store/rebuild.js';
import type { LedgerEntryBody } from '../store/ledger-entry.js';
import { copyLine } from './copy-text.js';
import { CopySpool } from './copy-spool.js';
import { CopyWriter } from './copy-writer.js';
import { FinalVersions } from './restore-final-versions.js';
import type { IndexWorkers } from './restore-index-workers.js';
import type { ChainRange } from './restore-reader.js';
import { dropIndexes, recreateIndexes, type DroppedIndex } from './restore-indexes.js';
import type { RestoreConnection } from './restore-connection.js';

const C = PROJECTION_COLUMNS;

export class ProjectionLoad {
  private finals = new FinalVersions();
  private main: CopyWriter | undefined;
  private spool: CopySpool | undefined;
  private spooledTable: 'request_key' | 'resource_current' = 'request_key';
  /** Entries of this pass that carry AuditEvents (interaction 'audit'). */
  private auditSeqs: number[] = [];

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

  /** Pass 1: versions and idempotency keys. */
  async startVersions(): Promise<void> {
    this.finals = new FinalVersions();
    this.auditSeqs = [];
    await this.open('resource_version', 'request_key');
  }

  async addVersions(body: LedgerEntryBody): Promise<void> {
    for (const [i, v] of body.versions.entries()) {
      await this.main!.write(copyLine(versionRowOf(body, v), C.resource_version));
      this.finals.note(body.seq, i, v);
    }
    const key = requestKeyRowOf(body);
    if (key) await this.spool!.write(copyLine(key, C.request_key));
    if (body.audit?.length) this.auditSeqs.push(body.seq);
  }

  /**
   * After pass 1 (and once the hospital's ledger is committed): the audit trail's rows, derived from
   * the ledger rows in SQL by the same derivation the writer's projection uses.
   */
  async addAuditEvents(hospital: string): Promise<number> {
    await projectAuditEventsOfLedger(this.db, hospital, this.auditSeqs);
    const entries = this.auditSeqs.length;
    this.auditSeqs = [];
    return entries;
  }

  /**
   * Pass 2: current state and search index of each resource's last version, computed by the workers
   * over `ranges` (contiguous, covering the hospital's entries). Returns the number of resources.
   */
  async indexFinals(
    workers: IndexWorkers, base: { vaultDir: string; hospital: string }, ranges: Array<Required<ChainRange>>, onProgress: (entries: number, versions: number) => void,
  ): Promise<{ resources: number; lastHash: string }> {
    const expected = this.finals.resources;
    await this.open('search_index', 'resource_current');
    const jobs = ranges.map((r) => ({ ...base, ...r, superseded: this.finals.supersededIn(r.after, r.upto) }));
    const { lastHashes, finals } = await workers.run(jobs, {
      index: (text) => this.main!.write(text),
      current: (text) => this.spool!.write(text),
      progress: onProgress,
    });
    if (finals !== expected) throw new Error(`the second pass found ${finals} current resources, the first ${expected}`);
    await this.endPass();
    return { resources: finals, lastHash: lastHashes.at(-1) ?? '' };
  }

  /** Ends the pass: the streamed table's COPY, then the spooled one. Returns the spooled row count. */
  async endPass(): Promise<number> {
    await this.main!.end();
    this.main = undefined;
    const rows = await this.spool!.copyInto(this.db.client, this.spooledTable, C[this.spooledTable], this.freeze);
    this.spool = undefined;
    return rows;
  }

  async commit(onIndex?: (done: number, total: number, name: string) => void): Promise<void> {
    await recreateIndexes(this.db, this.dropped, onIndex);
    await this.db.query('COMMIT');
  }

  async rollback(reason: Error): Promise<void> {
    this.main?.abort(reason);
    await this.spool?.discard();
    await this.db.query('ROLLBACK').catch(() => {});
  }

  private async open(table: 'resource_version' | 'search_index', spooled: 'request_key' | 'resource_current'): Promise<void> {
    this.spool = await CopySpool.create();
    this.spooledTable = spooled;
    this.main = CopyWriter.start(this.db.client, table, C[table], this.freeze);
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
