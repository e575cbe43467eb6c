/** The desk's UHID blocks in React: opened with the desk, topped up when low and the server answers. */
import { useCallback, useEffect, useState } from 'react';
import { useHospitalId } from '../../shell/hospital-context.js';
import { openUhidBlocks, type BrowserUhidBlocks } from './browser-uhid-blocks.js';
import type { TakenUhid } from './uhid-block.js';

export interface DeskUhidStock {
  desk?: string;
  /** Numbers in hand; undefined until the store is open. */
  remaining?: number;
  /** The next UHID (counter advanced on disk), asking the server first when none is held; undefined when none can be had. */
  take(): Promise<TakenUhid | undefined>;
}

const REFILL_WAIT_MS = 4000;

export function useUhidBlocks(): DeskUhidStock {
  const hospitalId = useHospitalId();
  const [opened, setOpened] = useState<BrowserUhidBlocks>();
  const [remaining, setRemaining] = useState<number>();

  const refresh = useCallback(async (o: BrowserUhidBlocks) => {
    setRemaining(await o.blocks.remaining());
    if (await o.blocks.refill()) setRemaining(await o.blocks.remaining());
  }, []);

  useEffect(() => {
    let closed = false;
    let current: BrowserUhidBlocks | undefined;
    const online = () => { if (current) void refresh(current); };
    void openUhidBlocks(hospitalId).then((o) => {
      if (closed) return o.close();
      current = o;
      setOpened(o);
      void refresh(o);
      window.addEventListener('online', online);
    });
    return () => {
      closed = true;
      window.removeEventListener('online', online);
      current?.close();
    };
  }, [hospitalId, refresh]);

  const take = useCallback(async () => {
    if (!opened) return undefined;
    let taken = await opened.blocks.take();
    if (!taken && navigator.onLine) {
      // None in hand: the server may give a block now (the first registration at a new desk).
      await Promise.race([opened.blocks.refill(), new Promise((resolve) => setTimeout(resolve, REFILL_WAIT_MS))]);
      taken = await opened.blocks.take();
    }
    void refresh(opened);
    return taken;
  }, [opened, refresh]);

  return { desk: opened?.blocks.desk, remaining, take };
}
