/** The outbox store in IndexedDB: one database per signed-in user, so nobody sends another's writes. */
import type { OutboxItem } from './outbox-item.js';
import type { OutboxStore } from './outbox-store.js';

const ITEMS = 'items';

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export class IndexedDbOutboxStore implements OutboxStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(name: string): Promise<IndexedDbOutboxStore> {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(ITEMS, { keyPath: 'id' }).createIndex('seq', 'seq');
    };
    return new IndexedDbOutboxStore(await done(request));
  }

  private async run<T>(mode: IDBTransactionMode, work: (items: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const tx = this.db.transaction(ITEMS, mode);
    const result = done(work(tx.objectStore(ITEMS)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('outbox transaction aborted'));
    });
    return result;
  }

  all(): Promise<OutboxItem[]> {
    return this.run('readonly', (items) => items.index('seq').getAll() as IDBRequest<OutboxItem[]>);
  }

  get(id: string): Promise<OutboxItem | undefined> {
    return this.run('readonly', (items) => items.get(id) as IDBRequest<OutboxItem | undefined>);
  }

  async put(item: OutboxItem): Promise<void> {
    await this.run('readwrite', (items) => items.put(item));
  }

  async delete(id: string): Promise<void> {
    await this.run('readwrite', (items) => items.delete(id));
  }

  close(): void {
    this.db.close();
  }
}
