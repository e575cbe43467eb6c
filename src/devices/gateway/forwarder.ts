/**
 * Moves spooled entries to the server, strictly in order (a correction must not overtake the result
 * it corrects), one at a time: post, and on a confirmation advance the cursor. While the server is
 * down it retries the same entry with exponential backoff, for as long as it takes; a report the server
 * refuses for good goes to the dead-letter file and the forwarder moves on. Logs carry sequence
 * numbers, ids, control ids and statuses only.
 */
import { silentLogger, type DeviceLogger } from '../device-log.js';
import type { DeadLetterFile } from './dead-letter.js';
import type { ForwardOutcome } from './lab-device-client.js';
import type { SpoolCursor } from './spool-cursor.js';
import type { SpoolEntry } from './spool-entry.js';
import type { SpoolReader } from './spool-reader.js';
import type { Spool } from './spool.js';

export interface ForwarderOptions {
  readonly spool: Spool;
  readonly reader: SpoolReader;
  readonly cursor: SpoolCursor;
  readonly deadLetters: DeadLetterFile;
  readonly forward: (entry: SpoolEntry) => Promise<ForwardOutcome>;
  readonly log?: DeviceLogger;
  /** First retry delay and the most it grows to (defaults 250 ms and 30 s). */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

export interface ForwarderStats {
  delivered: number;
  deadLettered: number;
  retries: number;
  /** Observations the server filed against a specimen, for review, or recognised as already stored. */
  matched: number;
  review: number;
  duplicates: number;
}

export class Forwarder {
  readonly stats: ForwarderStats = { delivered: 0, deadLettered: 0, retries: 0, matched: 0, review: 0, duplicates: 0 };
  private stopped = false;
  /** Ends the current pause: on stop always, on a new append only when idle (never cuts a backoff short). */
  private wake?: () => void;
  private idle = false;
  /** Set by every append: one that lands while the reader is reading must not leave us asleep. */
  private appended = false;
  private running?: Promise<void>;
  private readonly log: DeviceLogger;

  constructor(private readonly options: ForwarderOptions) {
    this.log = options.log ?? silentLogger;
  }

  start(): void {
    const unsubscribe = this.options.spool.onAppend(() => {
      this.appended = true;
      if (this.idle) this.wake?.();
    });
    this.running = this.run().finally(unsubscribe);
  }

  /** Entries on the gateway's disk that the server has not confirmed yet. */
  get waiting(): number {
    return this.options.spool.lastSeq - this.options.cursor.confirmedSeq;
  }

  /** Stops after the current attempt; the cursor is saved. Unconfirmed entries stay in the spool. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    await this.options.cursor.confirm(this.options.cursor.confirmedSeq);
  }

  private async run(): Promise<void> {
    // Entries read but not yet confirmed: kept across an unexpected error (a full disk under the
    // dead-letter file, a failed read) so the retry starts with the same entry, never the one after.
    let batch: SpoolEntry[] = [];
    while (!this.stopped) {
      try {
        if (batch.length === 0) {
          this.appended = false;
          batch = await this.options.reader.next();
        }
        if (batch.length === 0) {
          if (this.appended) continue;
          this.idle = true;
          await this.pause(60_000); // woken by the next append; the timeout is only a safety net
          this.idle = false;
          continue;
        }
        while (batch.length > 0) {
          if (!(await this.deliver(batch[0]))) return; // stopped mid-retry: the entry stays for next start
          const entry = batch.shift()!;
          void this.options.cursor.confirm(entry.seq)
            .then(() => this.options.spool.removeForwarded(this.options.cursor.savedSeq))
            .catch((err: Error) => this.log({ level: 'error', event: 'gateway.cursor.save_failed', seq: entry.seq, error: err.message }));
        }
      } catch (err) {
        this.log({ level: 'error', event: 'gateway.forward.internal', seq: batch[0]?.seq, error: (err as Error).message });
        await this.pause(this.options.retryMaxMs ?? 30_000);
      }
    }
  }

  /** True once the entry is confirmed or dead-lettered; false if the forwarder was stopped first. */
  private async deliver(entry: SpoolEntry): Promise<boolean> {
    const min = this.options.retryMinMs ?? 250;
    const max = this.options.retryMaxMs ?? 30_000;
    for (let attempt = 0; !this.stopped; attempt++) {
      const outcome = await this.options.forward(entry);
      const facts = { seq: entry.seq, id: entry.id, kind: entry.kind, controlId: entry.body.messageId };
      if (outcome.kind === 'delivered') {
        this.stats.delivered++;
        this.stats.matched += outcome.tally?.matched ?? 0;
        this.stats.review += outcome.tally?.review ?? 0;
        this.stats.duplicates += outcome.tally?.duplicates ?? 0;
        if (attempt > 0) this.log({ level: 'info', event: 'gateway.forward.recovered', ...facts, attempts: attempt + 1 });
        return true;
      }
      if (outcome.kind === 'rejected') {
        await this.options.deadLetters.add(entry, outcome.status, outcome.reason);
        this.stats.deadLettered++;
        // The reason stays in the dead-letter file: a server's words about a report may name the patient.
        this.log({ level: 'error', event: 'gateway.forward.dead_letter', ...facts, status: outcome.status, file: this.options.deadLetters.path });
        return true;
      }
      this.stats.retries++;
      const delay = Math.min(max, min * 2 ** Math.min(attempt, 20));
      // Every attempt at first, then once a minute or so: a day-long outage must not fill the disk with logs.
      if (attempt < 3 || delay >= max && attempt % Math.max(1, Math.round(60_000 / max)) === 0) {
        this.log({ level: 'warn', event: 'gateway.forward.retry', ...facts, status: outcome.status, problem: outcome.problem, attempt: attempt + 1, retryInMs: delay });
      }
      await this.pause(delay * (0.8 + Math.random() * 0.4));
    }
    return false;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() { clearTimeout(timer); resolve(); }
      this.wake = done;
      if (this.stopped) done();
    });
  }
}
