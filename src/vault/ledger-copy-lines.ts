/**
 * ledger_entry rows as COPY text, built by a restore worker from the entries it reads (and has just
 * proved by their hashes) for the main thread to load. With each block go the byte offset at which
 * each entry's line ends and each entry's hash, so that the loader can commit its chunks exactly at
 * entry boundaries and knows the head it committed, without reading the lines again.
 */
import { CopyBytes } from './copy-bytes.js';
import { copyLine } from './copy-text.js';
import type { ReplicatedEntry } from './vault-entry.js';

export const LEDGER_COLUMNS = ['hospital_id', 'seq', 'recorded_at', 'body', 'prev_hash', 'hash'] as const;

/** Consecutive entries' rows: entry firstSeq + i ends at byte ends[i] and has hash hashes[i]. */
export interface LedgerLines {
  bytes: Uint8Array;
  firstSeq: number;
  ends: number[];
  hashes: string[];
}

export class LedgerLinesBuilder {
  private readonly bytes = new CopyBytes();
  private firstSeq = 0;
  private readonly ends: number[] = [];
  private readonly hashes: string[] = [];

  constructor(private readonly hospital: string) {}

  get length(): number {
    return this.bytes.length;
  }

  /** Appends the row of `entry`, the next one after the last added; `recordedAt` is its body's time. */
  add(entry: ReplicatedEntry, recordedAt: string): void {
    if (this.ends.length === 0) this.firstSeq = entry.seq;
    else if (entry.seq !== this.firstSeq + this.ends.length) throw new Error(`ledger rows: entry ${entry.seq} added after ${this.firstSeq + this.ends.length - 1}`);
    const { hospital } = this;
    this.bytes.add(copyLine({ hospital_id: hospital, seq: entry.seq, recorded_at: recordedAt, body: entry.body, prev_hash: entry.prev_hash, hash: entry.hash }, LEDGER_COLUMNS));
    this.ends.push(this.bytes.mark());
    this.hashes.push(entry.hash);
  }

  /** The rows added so far; the bytes' ArrayBuffer may be transferred. This builder is then spent. */
  take(): LedgerLines & { bytes: Uint8Array<ArrayBuffer> } {
    return { bytes: this.bytes.take(), firstSeq: this.firstSeq, ends: this.ends, hashes: this.hashes };
  }
}
