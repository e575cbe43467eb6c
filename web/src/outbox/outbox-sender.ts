/**
 * Delivers the outbox in order, one write at a time. An answer decides what happens to the item:
 *   2xx            done (the answer is kept for the desk)
 *   401            back to pending, and the sender waits for a new sign-in (`resume`)
 *   408, 429, 5xx  pending again, retried with backoff
 *   other 4xx      failed with the server's OperationOutcome text; the queue stops there until the
 *                  clerk resends or discards it (a later write may depend on this one)
 * No answer at all (offline, server down) is retried with backoff; while the browser says it is
 * offline nothing is tried, and `retryNow` (on the 'online' event) tries at once.
 */
import { outcomeText } from '../api/operation-outcome.js';
import { retryDelay, type BackoffOptions } from './backoff.js';
import type { OutboxItem } from './outbox-item.js';
import type { Outbox } from './outbox.js';

export type TransportResult =
  | { kind: 'answer'; status: number; body: unknown }
  | { kind: 'unreachable'; message: string };

export type Transport = (item: OutboxItem) => Promise<TransportResult>;

export type SenderState = 'idle' | 'sending' | 'waiting' | 'offline' | 'blocked' | 'signed-out';

export interface SenderOptions {
  transport: Transport;
  isOnline?: () => boolean;
  now?: () => number;
  backoff?: BackoffOptions;
  /** How often to look again while the browser says it is offline. */
  offlinePollMs?: number;
  /** setTimeout, injectable for tests; returns a cancel function. */
  schedule?: (run: () => void, ms: number) => () => void;
}

const RETRIED = new Set([408, 425, 429]);

export class OutboxSender {
  private state: SenderState = 'idle';
  private readonly listeners = new Set<(state: SenderState) => void>();
  private running: Promise<void> | undefined;
  private again = false;
  private ignoreBackoff = false;
  private stopped = false;
  private cancelTimer: (() => void) | undefined;
  private readonly now: () => number;
  private readonly isOnline: () => boolean;
  private readonly schedule: NonNullable<SenderOptions['schedule']>;

  constructor(private readonly outbox: Outbox, private readonly options: SenderOptions) {
    this.now = options.now ?? Date.now;
    this.isOnline = options.isOnline ?? (() => true);
    this.schedule = options.schedule ?? ((run, ms) => {
      const timer = setTimeout(run, ms);
      return () => clearTimeout(timer);
    });
  }

  get current(): SenderState {
    return this.state;
  }

  onState(listener: (state: SenderState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  /** Something was queued, resent or discarded: deliver what can be delivered now. */
  kick(): Promise<void> {
    return this.drain();
  }

  /** The network is back: try the head item at once, whatever its backoff said. */
  retryNow(): Promise<void> {
    this.ignoreBackoff = true;
    return this.drain();
  }

  /** Signed in again after a 401. */
  resume(): Promise<void> {
    if (this.state === 'signed-out') this.setState('idle');
    return this.drain();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
  }

  /**
   * Sends until the queue is empty, blocked, or must wait. A call made while a pass runs asks for
   * one more pass and resolves when that is over; there is never more than one send on its way.
   */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async pass(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (;;) {
      if (this.stopped || this.state === 'signed-out') return;
      const item = await this.outbox.head();
      if (!item) return this.setState('idle');
      if (item.status === 'failed') return this.setState('blocked');
      if (!this.isOnline()) {
        this.setState('offline');
        return this.wake(this.options.offlinePollMs ?? 5000);
      }
      const wait = (item.nextAttemptAt ?? 0) - this.now();
      if (wait > 0 && !this.ignoreBackoff) {
        this.setState('waiting');
        return this.wake(wait);
      }
      this.ignoreBackoff = false;
      this.setState('sending');
      const sending = await this.outbox.markSending(item.id);
      if (!sending) continue; // discarded meanwhile
      await this.settle(sending, await this.send(sending));
    }
  }

  private async send(item: OutboxItem): Promise<TransportResult> {
    try {
      return await this.options.transport(item);
    } catch (err) {
      return { kind: 'unreachable', message: err instanceof Error ? err.message : String(err) };
    }
  }

  private async settle(item: OutboxItem, result: TransportResult): Promise<void> {
    const retry = (error: string) => this.outbox.markRetry(item.id, error, this.now() + retryDelay(item.attempts, this.options.backoff));
    if (result.kind === 'unreachable') {
      await retry(`the server could not be reached (${result.message}); will try again`);
    } else if (result.status >= 200 && result.status < 300) {
      await this.outbox.markDone(item.id, { status: result.status, body: result.body });
    } else if (result.status === 401) {
      await this.outbox.markRetry(item.id, outcomeText(result.body, result.status), this.now());
      this.setState('signed-out');
    } else if (result.status >= 500 || RETRIED.has(result.status)) {
      await retry(`${outcomeText(result.body, result.status)}; will try again`);
    } else {
      await this.outbox.markFailed(item.id, outcomeText(result.body, result.status), { status: result.status, body: result.body });
    }
  }

  private wake(ms: number): void {
    this.cancelTimer = this.schedule(() => void this.drain(), ms);
  }

  private setState(state: SenderState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}
