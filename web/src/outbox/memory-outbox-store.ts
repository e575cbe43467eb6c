/** The outbox store in memory: items are copied in and out, as IndexedDB would (structured clone). */
import type { OutboxItem } from './outbox-item.js';
import type { OutboxStore } from './outbox-store.js';

const copy = (item: OutboxItem): OutboxItem => structuredClone(item);

export class MemoryOutboxStore implements OutboxStore {
  private readonly items = new Map<string, OutboxItem>();

  async all(): Promise<OutboxItem[]> {
    return [...this.items.values()].sort((a, b) => a.seq - b.seq).map(copy);
  }

  async get(id: string): Promise<OutboxItem | undefined> {
    const item = this.items.get(id);
    return item && copy(item);
  }

  async put(item: OutboxItem): Promise<void> {
    this.items.set(item.id, copy(item));
  }

  async delete(id: string): Promise<void> {
    this.items.delete(id);
  }
}
