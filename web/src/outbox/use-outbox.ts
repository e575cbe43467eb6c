/** The outbox in React: the app provides it, the header shows its count, the desks queue into it. */
import { createContext, useContext, useEffect, useState } from 'react';
import type { BrowserOutbox } from './browser-outbox.js';
import { isUnsent, type OutboxItem } from './outbox-item.js';
import type { SenderState } from './outbox-sender.js';

export const OutboxContext = createContext<BrowserOutbox | null>(null);

export function useOutbox(): BrowserOutbox {
  const outbox = useContext(OutboxContext);
  if (!outbox) throw new Error('useOutbox outside the signed-in app');
  return outbox;
}

export interface OutboxView {
  items: OutboxItem[];
  unsent: number;
  failed: number;
  state: SenderState;
}

export function useOutboxView(): OutboxView {
  const { outbox, sender } = useOutbox();
  const [items, setItems] = useState<OutboxItem[]>([]);
  const [state, setState] = useState<SenderState>(sender.current);
  useEffect(() => outbox.subscribe(setItems), [outbox]);
  useEffect(() => sender.onState(setState), [sender]);
  return { items, unsent: items.filter(isUnsent).length, failed: items.filter((i) => i.status === 'failed').length, state };
}

/** One item, kept up to date (undefined until it is queued, or once discarded). */
export function useOutboxItem(id: string | undefined): OutboxItem | undefined {
  const { outbox } = useOutbox();
  const [item, setItem] = useState<OutboxItem | undefined>();
  useEffect(() => {
    if (!id) {
      setItem(undefined);
      return;
    }
    return outbox.subscribe((items) => setItem(items.find((i) => i.id === id)));
  }, [outbox, id]);
  return item;
}
