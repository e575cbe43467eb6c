/**
 * A desk's write through the outbox, awaited: queued (IndexedDB, X-Request-Id), sent in order, and
 * the promise settles when the server accepts it (`ok`) or refuses it (the item is then discarded
 * so the queue does not stay blocked: the desk shows why and the clerk makes a new request). While
 * the server is unreachable the item waits in the outbox and the promise with it.
 */
import { useCallback } from 'react';
import { useOutbox } from '../../outbox/use-outbox.js';
import type { OutboxItem, OutboxRequest } from '../../outbox/outbox-item.js';

export type WriteResult<T = unknown> =
  | { ok: true; status: number; body: T; item: OutboxItem }
  | { ok: false; status?: number; error: string };

export function useWrite() {
  const { outbox, sender } = useOutbox();
  return useCallback(async <T = unknown>(request: OutboxRequest, label: string, onQueued?: (item: OutboxItem) => void): Promise<WriteResult<T>> => {
    let queued: OutboxItem;
    try {
      queued = await outbox.enqueue(request, label);
    } catch (err) {
      return { ok: false, error: `This computer could not queue the write: ${err instanceof Error ? err.message : String(err)}` };
    }
    onQueued?.(queued);
    const settled = new Promise<OutboxItem | undefined>((resolve) => {
      let over = false;
      const stop = outbox.subscribe((items) => {
        if (over) return;
        const now = items.find((i) => i.id === queued.id);
        if (!now || now.status === 'done' || now.status === 'failed') {
          over = true;
          resolve(now);
          queueMicrotask(() => stop());
        }
      });
    });
    void sender.kick();
    const item = await settled;
    if (!item) return { ok: false, error: 'the write was discarded from the outbox' };
    if (item.status === 'done') return { ok: true, status: item.response?.status ?? 200, body: item.response?.body as T, item };
    await outbox.discard(item.id);
    void sender.kick();
    return { ok: false, status: item.response?.status, error: item.error ?? 'the server refused the request' };
  }, [outbox, sender]);
}
