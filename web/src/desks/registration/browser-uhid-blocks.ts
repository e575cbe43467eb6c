/**
 * The desk's UHID blocks in this browser: IndexedDB (database `nirantar-uhid-blocks`, one record per
 * hospital and desk), the desk id (generated once per browser, kept in localStorage), and the request
 * for a new block (straight to the server with its own X-Request-Id, so a retry gets the same block).
 */
import { outcomeText } from '../../api/operation-outcome.js';
import { MemoryUhidBlockStore, newDeskId, UhidBlocks, type DeskUhids, type IssuedBlock, type UhidBlockStore } from './uhid-block.js';

export const UHID_BLOCKS_PATH = '/api/registration/uhid-blocks';
const DATABASE = 'nirantar-uhid-blocks';
const DESKS = 'desks';
const DESK_ID_KEY = 'nirantar-desk-id';

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export class IndexedDbUhidBlockStore implements UhidBlockStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(): Promise<IndexedDbUhidBlockStore> {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => { request.result.createObjectStore(DESKS, { keyPath: 'key' }); };
    return new IndexedDbUhidBlockStore(await done(request));
  }

  get(key: string): Promise<DeskUhids | undefined> {
    return done(this.db.transaction(DESKS).objectStore(DESKS).get(key) as IDBRequest<DeskUhids | undefined>);
  }

  update<T>(key: string, change: (current: DeskUhids | undefined) => { next: DeskUhids; result: T }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const tx = this.db.transaction(DESKS, 'readwrite');
      const desks = tx.objectStore(DESKS);
      let result: T;
      const read = desks.get(key) as IDBRequest<DeskUhids | undefined>;
      read.onsuccess = () => {
        try {
          const changed = change(read.result);
          result = changed.result;
          desks.put(changed.next);
        } catch (err) {
          tx.abort();
          reject(err);
        }
      };
      // The counter is advanced only once the transaction has committed.
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('the UHID block transaction was aborted'));
    });
  }

  close(): void {
    this.db.close();
  }
}

/** This browser's desk id: made once, then the same for every sign-in on this computer. */
export function deskId(): string {
  let id: string | null = null;
  try {
    id = localStorage.getItem(DESK_ID_KEY);
  } catch {
    /* storage blocked: a new id for this tab */
  }
  if (id && /^[A-Za-z0-9._:-]{1,64}$/.test(id)) return id;
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  id = newDeskId([...bytes].map((b) => b.toString(16).padStart(2, '0')).join(''));
  try {
    localStorage.setItem(DESK_ID_KEY, id);
  } catch {
    /* kept for this tab only */
  }
  return id;
}

async function requestBlock(desk: string, size: number): Promise<IssuedBlock> {
  if (!navigator.onLine) throw new Error('offline');
  const response = await fetch(UHID_BLOCKS_PATH, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { accept: 'application/json', 'content-type': 'application/json', 'x-request-id': crypto.randomUUID() },
    body: JSON.stringify({ desk, size }),
  });
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  if (response.status !== 201 && response.status !== 200) throw new Error(outcomeText(body, response.status));
  return body as IssuedBlock;
}

export interface BrowserUhidBlocks {
  blocks: UhidBlocks;
  close(): void;
}

export async function openUhidBlocks(hospitalId: string): Promise<BrowserUhidBlocks> {
  let store: UhidBlockStore;
  let close = () => {};
  try {
    const idb = await IndexedDbUhidBlockStore.open();
    store = idb;
    close = () => idb.close();
  } catch (err) {
    console.error('IndexedDB is not available; UHID blocks are kept in memory only', err);
    store = new MemoryUhidBlockStore();
  }
  return { blocks: new UhidBlocks(store, { hospitalId, desk: deskId(), requestBlock }), close };
}
