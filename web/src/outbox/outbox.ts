/**
 * The outbox: the desks queue every write here and the sender (outbox-sender.ts) delivers them in
 * order. Changes to items go one at a time (a small lock), and every change tells the listeners
 * (the header's pending count, the desk waiting for its answer).
 */
import { isUnsent, type OutboxItem, type OutboxRequest } from './outbox-item.js';
import type { OutboxStore } from './outbox-store.js';

export interface OutboxOptions {
  /** A new unique id (crypto.randomUUID in the browser). */
  newId: () => string;
  now?: () => number;
}

export type OutboxListener = (items: OutboxItem[]) => void;

export class Outbox {
  private readonly listeners = new Set<OutboxListener>();
  private lock: Promise<unknown> = Promise.resolve();
  private readonly newId: () => string;
  private readonly now: () => number;

  constructor(private readonly store: OutboxStore, options: OutboxOptions) {
    this.newId = options.newId;
    this.now = options.now ?? Date.now;
  }

  /** Queues a write; the sender picks it up in order. */
  enqueue(request: OutboxRequest, label: string): Promise<OutboxItem> {
    return this.change(async () => {
      const items = await this.store.all();
      const id = this.newId();
      const item: OutboxItem = {
        id, seq: (items.at(-1)?.seq ?? 0) + 1, label, request, requestId: id,
        status: 'pending', attempts: 0, queuedAt: this.now(),
      };
      await this.store.put(item);
      return item;
    });
  }

  items(): Promise<OutboxItem[]> {
    return this.store.all();
  }

  get(id: string): Promise<OutboxItem | undefined> {
    return this.store.get(id);
  }

  /** The first item the server has not accepted yet: the one to send next (or the one blocking). */
  async head(): Promise<OutboxItem | undefined> {
    return (await this.store.all()).find(isUnsent);
  }

  /**
   * After a reload: an item left 'sending' may or may not have reached the server; it goes back to
   * pending and is sent again with the same idempotency key, which makes that safe.
   */
  recover(): Promise<void> {
    return this.change(async () => {
      for (const item of await this.store.all()) {
        if (item.status === 'sending') await this.store.put({ ...item, status: 'pending' });
      }
    });
  }

  markSending(id: string): Promise<OutboxItem | undefined> {
    return this.update(id, (item) => ({ ...item, status: 'sending', attempts: item.attempts + 1, lastAttemptAt: this.now() }));
  }

  markDone(id: string, response: { status: number; body: unknown }): Promise<OutboxItem | undefined> {
    return this.update(id, (item) => ({ ...item, status: 'done', response, doneAt: this.now(), error: undefined, nextAttemptAt: undefined }));
  }

  /** The server refused it (4xx): it stays at the head of the queue until the clerk resends or discards it. */
  markFailed(id: string, error: string, response?: { status: number; body: unknown }): Promise<OutboxItem | undefined> {
    return this.update(id, (item) => ({ ...item, status: 'failed', error, response, nextAttemptAt: undefined }));
  }

  /** Not delivered this time (network, 5xx): pending again, to be tried at `nextAttemptAt`. */
  markRetry(id: string, error: string, nextAttemptAt: number): Promise<OutboxItem | undefined> {
    return this.update(id, (item) => ({ ...item, status: 'pending', error, nextAttemptAt }));
  }

  /**
   * The clerk sends a refused item again, as it was or corrected. A corrected request is a new
   * request, so it gets a new idempotency key; an unchanged one keeps its key.
   */
  resend(id: string, corrected?: { request: OutboxRequest; label?: string }): Promise<OutboxItem | undefined> {
    return this.update(id, (item) => ({
      ...item,
      ...(corrected ? { request: corrected.request, label: corrected.label ?? item.label, requestId: this.newId() } : {}),
      status: 'pending', attempts: 0, error: undefined, response: undefined, nextAttemptAt: undefined,
    }));
  }

  /** The clerk gives up on a refused (or not yet sent) item. An item being sent cannot be discarded. */
  discard(id: string): Promise<boolean> {
    return this.change(async () => {
      const item = await this.store.get(id);
      if (!item || item.status === 'sending') return false;
      await this.store.delete(id);
      return true;
    });
  }

  /** Forgets accepted items older than `before` (their answers have been shown). */
  removeDone(before: number): Promise<void> {
    return this.change(async () => {
      for (const item of await this.store.all()) {
        if (item.status === 'done' && (item.doneAt ?? 0) < before) await this.store.delete(item.id);
      }
    });
  }

  /** Calls `listener` now and after every change. */
  subscribe(listener: OutboxListener): () => void {
    this.listeners.add(listener);
    void this.store.all().then(listener);
    return () => this.listeners.delete(listener);
  }

  private update(id: string, next: (item: OutboxItem) => OutboxItem): Promise<OutboxItem | undefined> {
    return this.change(async () => {
      const item = await this.store.get(id);
      if (!item) return undefined;
      const changed = next(item);
      await this.store.put(changed);
      return changed;
    });
  }

  private change<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lock.then(work);
    this.lock = result.catch(() => undefined);
    return result.then(async (value) => {
      const items = await this.store.all();
      for (const listener of this.listeners) listener(items);
      return value;
    });
  }
}
