/**
 * Loads vault entries into ledger_entry with COPY, in chunks that each commit on their own: a restore
 * killed half way keeps every committed chunk, and the next run (with --force) continues after the
 * highest entry present. Each chunk takes the hospital's chain lock (the writer's own) and checks the
 * head is still where this loader left it, so a server writing to the same ledger meanwhile makes
 * the restore stop instead of interleaving two histories.
 */
import type { Queryable } from '../store/database.js';
import { GENESIS_HASH } from '../store/ledger-entry.js';
import { CopyWriter } from './copy-writer.js';
import { copyLine } from './copy-text.js';
import type { RestoreConnection } from './restore-connection.js';
import type { ReplicatedEntry } from './vault-entry.js';

const LEDGER_COLUMNS = ['hospital_id', 'seq', 'recorded_at', 'body', 'prev_hash', 'hash'] as const;

export interface ChainHead {
  seq: number;
  hash: string;
}

export interface LedgerChunking {
  /** Entries per transaction (default 50 000). */
  entries?: number;
  /** Body bytes per transaction (default 256 MiB): Bundles of thousands of resources make big entries. */
  bytes?: number;
}

export class LedgerLoader {
  private copy: CopyWriter | undefined;
  private entries = 0;
  private bytes = 0;
  private pending: ChainHead;

  constructor(
    private readonly db: RestoreConnection,
    private readonly hospital: string,
    private head: ChainHead,
    private readonly chunking: LedgerChunking = {},
    private readonly onCommit?: (head: ChainHead) => void,
  ) {
    this.pending = head;
  }

  /** Appends an entry; `recordedAt` is the entry's own time, which is what the writer stores. */
  async add(entry: ReplicatedEntry, recordedAt: string): Promise<void> {
    if (entry.seq !== this.pending.seq + 1) throw new Error(`restore of hospital ${this.hospital}: entry ${entry.seq} offered after ${this.pending.seq}`);
    this.copy ??= await this.beginChunk();
    await this.copy.write(copyLine({ hospital_id: this.hospital, seq: entry.seq, recorded_at: recordedAt, body: entry.body, prev_hash: entry.prev_hash, hash: entry.hash }, LEDGER_COLUMNS));
    this.pending = { seq: entry.seq, hash: entry.hash };
    this.entries++;
    this.bytes += entry.body.length;
    if (this.entries >= (this.chunking.entries ?? 50_000) || this.bytes >= (this.chunking.bytes ?? 256 * 1024 * 1024)) await this.commitChunk();
  }

  async finish(): Promise<ChainHead> {
    if (this.copy) await this.commitChunk();
    return this.head;
  }

  async abort(reason: Error): Promise<void> {
    if (!this.copy) return;
    this.copy.abort(reason);
    this.copy = undefined;
    await this.db.query('ROLLBACK').catch(() => {});
  }

  private async beginChunk(): Promise<CopyWriter> {
    await this.db.query('BEGIN');
    // Each chunk need not wait for its own fsync: a crash loses at most the last chunks, which the
    // next run loads again, and the projection's final commit flushes the log up to the end anyway.
    await this.db.query('SET LOCAL synchronous_commit TO off');
    const now = await lockedHead(this.db, this.hospital);
    if (now.seq !== this.head.seq || now.hash !== this.head.hash) {
      await this.db.query('ROLLBACK');
      throw new Error(`the ledger of hospital ${this.hospital} changed during the restore (its head is now entry ${now.seq}, expected ${this.head.seq}): ` +
        'something else is writing to this database; stop it and restore into a fresh one');
    }
    this.entries = 0;
    this.bytes = 0;
    return CopyWriter.start(this.db.client, 'ledger_entry', LEDGER_COLUMNS);
  }

  private async commitChunk(): Promise<void> {
    await this.copy!.end();
    this.copy = undefined;
    await this.db.query('COMMIT');
    this.head = this.pending;
    this.onCommit?.(this.head);
  }
}

/** Takes the hospital's chain lock for this transaction and returns its head (the writer's function). */
export async function lockedHead(tx: Queryable, hospital: string): Promise<ChainHead> {
  const [row] = await tx.query<{ seq: number | null; hash: string | null }>('SELECT seq, hash FROM nirantar_lock_ledger_head($1)', [hospital]);
  return { seq: row?.seq ?? 0, hash: row?.hash ?? GENESIS_HASH };
}
