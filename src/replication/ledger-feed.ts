/**
 * Wakes long-polling vaults when a hospital's ledger grows, so a vault is typically a few
 * milliseconds behind (which is what makes ack=vault affordable). In-process only: a vault polling
 * a server that is not the writer still sees new entries at its next poll.
 */
import { EventEmitter } from 'node:events';

export class LedgerFeed {
  private readonly events = new EventEmitter();
  private readonly heads = new Map<string, number>();

  constructor() {
    this.events.setMaxListeners(0);
  }

  appended(hospitalId: string, lastSeq: number): void {
    this.heads.set(hospitalId, lastSeq);
    this.events.emit(hospitalId, lastSeq);
  }

  /** Resolves when an entry after `afterSeq` is appended, or after `ms`. */
  waitForEntriesAfter(hospitalId: string, afterSeq: number, ms: number, signal?: AbortSignal): Promise<void> {
    if ((this.heads.get(hospitalId) ?? 0) > afterSeq) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.events.off(hospitalId, onAppend);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const onAppend = (seq: number) => (seq > afterSeq ? done() : undefined);
      const timer = setTimeout(done, ms);
      this.events.on(hospitalId, onAppend);
      signal?.addEventListener('abort', done);
    });
  }
}
