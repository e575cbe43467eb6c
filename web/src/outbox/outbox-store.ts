/**
 * Where the outbox keeps its items. Two implementations: IndexedDB in the browser
 * (indexeddb-outbox-store.ts) and memory (memory-outbox-store.ts, for Node and for a browser
 * without IndexedDB). The outbox logic above it does not know which one runs.
 */
import type { OutboxItem } from './outbox-item.js';

export interface OutboxStore {
  /** Every item, in queue order (seq). */
  all(): Promise<OutboxItem[]>;
  get(id: string): Promise<OutboxItem | undefined>;
  /** Inserts or replaces the item with this id. */
  put(item: OutboxItem): Promise<void>;
  delete(id: string): Promise<void>;
}
