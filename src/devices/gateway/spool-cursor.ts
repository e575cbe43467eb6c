/**
 * Where the forwarder got to: the sequence number of the last spool entry the server confirmed (or
 * that went to the dead-letter file). Saved atomically and fsync'd, coalesced so a burst of
 * confirmations costs one write. After a crash the saved cursor may lag the truth by the entries
 * confirmed since its last save; those are posted again with the same X-Request-Id and the server
 * answers them from its idempotency record, storing nothing twice.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from './durable-file.js';

const FILE = 'cursor.json';

export class SpoolCursor {
  private saved: number;
  private wanted: number;
  private saving?: Promise<void>;

  private constructor(private readonly dir: string, seq: number) {
    this.saved = seq;
    this.wanted = seq;
  }

  static async open(dir: string): Promise<SpoolCursor> {
    let seq = 0;
    try {
      const value = JSON.parse(await readFile(join(dir, FILE), 'utf8')) as { confirmedSeq?: unknown };
      if (Number.isSafeInteger(value.confirmedSeq) && (value.confirmedSeq as number) >= 0) seq = value.confirmedSeq as number;
      else throw new Error(`${join(dir, FILE)} holds no confirmedSeq`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return new SpoolCursor(dir, seq);
  }

  /** The last confirmed sequence number as saved on disk. */
  get savedSeq(): number {
    return this.saved;
  }

  /** The last confirmed sequence number (possibly not saved yet). */
  get confirmedSeq(): number {
    return this.wanted;
  }

  /** Records a confirmation; resolves once a cursor at least this far is on disk. */
  confirm(seq: number): Promise<void> {
    if (seq > this.wanted) this.wanted = seq;
    this.saving ??= this.save().finally(() => { this.saving = undefined; });
    return this.saving.then(() => (this.saved >= seq ? undefined : this.confirm(seq)));
  }

  private async save(): Promise<void> {
    while (this.saved < this.wanted) {
      const seq = this.wanted;
      await writeFileAtomically(this.dir, join(this.dir, FILE), JSON.stringify({ confirmedSeq: seq, at: new Date().toISOString() }) + '\n');
      this.saved = seq;
    }
  }
}
