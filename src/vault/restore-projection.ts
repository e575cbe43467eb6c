/**
 * The read side of a restore, built from the ledger entries: resource versions, current state, search
 * index and idempotency keys, with exactly the rows projectEntries would write (the same row
 * builders), loaded with COPY into tables whose indexes are rebuilt at the end.
 *
 * One pass over each hospital's entries, spread over worker threads: every version and idempotency
 * key, and for the last version of each resource its current row and search index rows. Which
 * version is the last one was worked out from the facts the vault's verification collected
 * (FinalVersions). Then the audit trail's events are projected from the ledger rows, once those are
 * committed (INSERT … SELECT, 50 entries at a time).
 *
 * Two transactions on two connections: the search index in one, everything else (the current state)
 * in the other. Both load during the pass and build their indexes side by side; the current state
 * commits first, so that the restore's state hash reads it while the search index's indexes, the
 * longest step, are still being built. A restore killed in the middle rolls back what is not
 * committed; one killed between the two commits leaves current state without a search index, which
 * the restore's mark (restore_in_progress, removed only once everything is verified) keeps from
 * being served until `restore --force` finishes it.
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

/** The search index's transaction holds this table; the current state's, every other projection table. */
const SEARCH_TABLES = ['search_index'] as const;
const STATE_TABLES = PROJECTION_TABLES.filter((t) => !(SEARCH_TABLES as readonly string[]).includes(t));

/**
 * Every table's rows go through a spool file, drained into PostgreSQL in pieces of at least this many
 * bytes while the workers go on: a connection runs one COPY at a time, and this way the database
 * works through all four tables during the pass instead of loading some of them after it.
 */
const SPOOLED = ['search_index', 'resource_version', 'resource_current', 'request_key'] as const;
const DRAIN_BYTES = 16 << 20;

/** One of the projection's two transactions: its tables emptied, their indexes dropped until commit. */
class ProjectionTransaction {
  private committed = false;

  private constructor(
    readonly db: RestoreConnection,
    private readonly dropped: DroppedIndex[],
    /** COPY … FREEZE is allowed only into tables emptied by TRUNCATE in this transaction. */
    readonly freeze: boolean,
  ) {}

  static async begin(db: RestoreConnection, tables: readonly string[], hospitals: string[]): Promise<ProjectionTransaction> {
    await db.query('BEGIN');
    try {
      // maintenance_work_mem is left as the server has it: measured at 9 M index rows, a larger one
      // (256 MB, 1 GB) made the index builds slower than the default 64 MB, not faster.
      const truncated = await clearProjections(db, tables, hospitals);
      return new ProjectionTransaction(db, await dropIndexes(db, tables), truncated);
    } catch (err) {
      await db.query('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  get indexes(): number {
    return this.dropped.length;
  }

  async commit(onIndex: (name: string) => void): Promise<void> {
    await recreateIndexes(this.db, this.dropped, (_done, _total, name) => { if (name) onIndex(name); });
    await this.db.query('COMMIT');
    this.committed = true;
  }

  async rollback(): Promise<void> {
    if (!this.committed) await this.db.query('ROLLBACK').catch(() => {});
  }
}

export class ProjectionLoad {
  /** The spools being filled and drained, abandoned by a rollback. */
  private open: { spools: CopySpool[]; stop: () => Promise<void> } | undefined;

  private constructor(
    private readonly state: ProjectionTransaction,
    private readonly search: ProjectionTransaction,
  ) {}

  /** Opens both transactions, removes the hospitals' old projection rows and drops the indexes. */
  static async begin(stateDb: RestoreConnection, searchDb: RestoreConnection, hospitals: string[]): Promise<ProjectionLoad> {
    const state = await ProjectionTransaction.begin(stateDb, STATE_TABLES, hospitals);
    try {
      return new ProjectionLoad(state, await ProjectionTransaction.begin(searchDb, SEARCH_TABLES, hospitals));
    } catch (err) {
      await state.rollback();
      throw err;
    }
  }

  /** The transaction a table is loaded in. */
  private holding(table: string): ProjectionTransaction {
    return (SEARCH_TABLES as readonly string[]).includes(table) ? this.search : this.state;
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
    // One drain per connection, side by side.
    const draining = Promise.all([this.state, this.search].map((tx) => this.drainWhile(tx, spools, () => loading)));
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
      await Promise.all([this.state, this.search].map(async (tx) => {
        for (const [i, table] of SPOOLED.entries()) {
          if (this.holding(table) === tx) await spools[i].copyInto(tx.db.client, table, C[table], tx.freeze);
        }
      }));
      this.open = undefined;
      return { resources: result.finals, lastHashes: result.lastHashes, auditSeqs: result.auditSeqs };
    } catch (err) {
      await this.abandon();
      throw err;
    }
  }

  /** Drains the spools of `tx`'s tables in turn, a piece of one table at a time, for as long as `loading` says. */
  private async drainWhile(tx: ProjectionTransaction, spools: CopySpool[], loading: () => boolean): Promise<void> {
    while (loading()) {
      let moved = 0;
      for (const [i, table] of SPOOLED.entries()) {
        if (this.holding(table) !== tx) continue;
        if (loading() && spools[i].undrained >= DRAIN_BYTES) moved += await spools[i].drainInto(tx.db.client, table, C[table], tx.freeze);
      }
      if (moved === 0) await sleep(50);
    }
  }

  /**
   * Once the hospital's ledger is committed: the audit trail's audit_entry rows, derived from the
   * ledger rows in SQL (nirantar_project_audit_entries), the rows the writer made as it wrote them.
   */
  async addAuditEvents(hospital: string, auditSeqs: number[]): Promise<void> {
    await projectAuditEventsOfLedger(this.state.db, hospital, auditSeqs);
  }

  /**
   * Builds the indexes of both transactions side by side and commits each when its indexes are
   * built. `state` settles when the current state is committed (and readable on other connections),
   * `search` when the search index is; `onIndex` hears each index as its build starts.
   */
  commit(onIndex?: (done: number, total: number, name: string) => void): { state: Promise<void>; search: Promise<void> } {
    const total = this.state.indexes + this.search.indexes;
    let done = 0;
    const started = (name: string) => onIndex?.(done++, total, name);
    const state = this.state.commit(started);
    const search = this.search.commit(started);
    void Promise.all([state, search]).then(() => onIndex?.(total, total, ''), () => {});
    // Each is awaited by the caller, the search index's possibly only after the state hash: neither may go unhandled meanwhile.
    state.catch(() => {});
    search.catch(() => {});
    return { state, search };
  }

  /** Rolls back what is not committed; first lets a COPY in progress finish, which holds the connection. */
  async rollback(): Promise<void> {
    await this.abandon();
    await Promise.all([this.state.rollback(), this.search.rollback()]);
  }

  private async abandon(): Promise<void> {
    const open = this.open;
    this.open = undefined;
    await open?.stop();
    await Promise.all(open?.spools.map((spool) => spool.discard()) ?? []);
  }
}

/**
 * Empties the hospitals' rows of these projection tables. TRUNCATE when they hold nothing else (a
 * fresh target: instant, and it allows COPY FREEZE); otherwise only these hospitals' rows.
 */
async function clearProjections(db: RestoreConnection, tables: readonly string[], hospitals: string[]): Promise<boolean> {
  for (const table of tables) {
    const [other] = await db.query(`SELECT 1 FROM ${table} WHERE hospital_id <> ALL($1::text[]) LIMIT 1`, [hospitals]);
    if (other) {
      for (const t of tables) await db.query(`DELETE FROM ${t} WHERE hospital_id = ANY($1::text[])`, [hospitals]);
      return false;
    }
  }
  await db.query(`TRUNCATE ${tables.join(', ')}`);
  return true;
}
