/**
 * The outbox of the signed-in clerk in this browser: IndexedDB (one database per hospital and user,
 * so nobody's writes go out under another's session), sent by fetch, woken by the 'online' event.
 */
import { IndexedDbOutboxStore } from './indexeddb-outbox-store.js';
import { MemoryOutboxStore } from './memory-outbox-store.js';
import { Outbox } from './outbox.js';
import { OutboxSender } from './outbox-sender.js';
import { fetchTransport } from './fetch-transport.js';
import type { OutboxStore } from './outbox-store.js';

export interface BrowserOutbox {
  outbox: Outbox;
  sender: OutboxSender;
  close(): void;
}

const DAY = 24 * 60 * 60 * 1000;

export async function openBrowserOutbox(hospitalId: string, username: string): Promise<BrowserOutbox> {
  let store: OutboxStore;
  let closeStore = () => {};
  try {
    const idb = await IndexedDbOutboxStore.open(`nirantar-outbox:${hospitalId}:${username}`);
    store = idb;
    closeStore = () => idb.close();
  } catch (err) {
    // A private window without IndexedDB: the desk still works, but the queue lives only as long as the tab.
    console.error('IndexedDB is not available; the outbox is kept in memory only', err);
    store = new MemoryOutboxStore();
  }
  const outbox = new Outbox(store, { newId: () => crypto.randomUUID() });
  const sender = new OutboxSender(outbox, { transport: fetchTransport, isOnline: () => navigator.onLine });
  await outbox.recover();
  await outbox.removeDone(Date.now() - DAY);
  const online = () => void sender.retryNow();
  window.addEventListener('online', online);
  void sender.kick();
  return {
    outbox, sender,
    close() {
      window.removeEventListener('online', online);
      sender.stop();
      closeStore();
    },
  };
}
