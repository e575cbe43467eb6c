/**
 * The desk's own UHIDs: a block of serials the server issued to this desk (POST
 * /api/registration/uhid-blocks), kept on this computer so that a new patient gets a UHID at the
 * counter at once, with the server reachable or not. The server accepts a `uhid` on a registration
 * only from a block issued to a desk of the hospital, and never twice.
 *
 * - A serial is taken by advancing the stored counter in one transaction of the store, before the
 *   UHID is shown: a crash, a second tab or a double click never gets the same serial again.
 * - When fewer than `low` numbers remain (and the server answers), the next block is asked for; the
 *   numbers left in the old one are used first, so none is wasted.
 *
 * No DOM, no React, no Node: it runs over the UhidBlockStore interface (IndexedDB in the browser,
 * memory in test/web/uhid-block.test.ts) and a function that asks the server for a block.
 */
import { uhidOf } from '../../../../src/departments/registration/uhid.js';

/** A block as the server issues it (src/departments/registration/uhid-blocks.ts). */
export interface IssuedBlock {
  blockId: string;
  desk: string;
  first: string;
  last: string;
  firstSerial: number;
  lastSerial: number;
}

/** A block in hand: `next` is the serial the next registration takes. */
export interface HeldBlock {
  blockId: string;
  firstSerial: number;
  lastSerial: number;
  next: number;
}

/** What one desk of one hospital holds. */
export interface DeskUhids {
  key: string;
  desk: string;
  /** Oldest first; an exhausted block is dropped. */
  blocks: HeldBlock[];
}

export interface UhidBlockStore {
  get(key: string): Promise<DeskUhids | undefined>;
  /**
   * Reads the record of `key`, lets `change` (synchronous) compute the new one, and writes it, all
   * in one transaction; returns what `change` returned.
   */
  update<T>(key: string, change: (current: DeskUhids | undefined) => { next: DeskUhids; result: T }): Promise<T>;
}

export interface TakenUhid {
  serial: number;
  uhid: string;
  blockId: string;
}

export interface UhidBlocksOptions {
  hospitalId: string;
  desk: string;
  /** Asks the server for a block of `size` for `desk`; throws when it cannot be reached or refuses. */
  requestBlock: (desk: string, size: number) => Promise<IssuedBlock>;
  /** Ask for a new block when fewer than this many numbers remain. */
  low?: number;
  size?: number;
}

export const LOW_WATER = 20;
export const BLOCK_SIZE = 200;

/** The store key of a desk's blocks: per hospital and desk. */
export const deskKey = (hospitalId: string, desk: string) => `${hospitalId}:${desk}`;

export const remainingIn = (state: DeskUhids | undefined): number =>
  (state?.blocks ?? []).reduce((n, b) => n + Math.max(0, b.lastSerial - b.next + 1), 0);

/** A desk id: letters and digits the server's DESK_NAME accepts, from 8 random bytes' worth of hex. */
export function newDeskId(randomHex: string): string {
  return `desk-${randomHex.replace(/[^0-9a-f]/gi, '').slice(0, 12).toLowerCase()}`;
}

export class UhidBlocks {
  readonly key: string;
  readonly desk: string;
  private readonly low: number;
  private readonly size: number;
  private refilling: Promise<boolean> | undefined;

  constructor(private readonly store: UhidBlockStore, private readonly options: UhidBlocksOptions) {
    this.key = deskKey(options.hospitalId, options.desk);
    this.desk = options.desk;
    this.low = options.low ?? LOW_WATER;
    this.size = options.size ?? BLOCK_SIZE;
  }

  async remaining(): Promise<number> {
    return remainingIn(await this.store.get(this.key));
  }

  /**
   * The next UHID of the desk, its counter already advanced on the store; undefined when no number
   * is in hand.
   */
  take(): Promise<TakenUhid | undefined> {
    return this.store.update(this.key, (current) => {
      const blocks = (current?.blocks ?? []).filter((b) => b.next <= b.lastSerial);
      const block = blocks[0];
      if (!block) return { next: { key: this.key, desk: this.desk, blocks }, result: undefined };
      const serial = block.next;
      const advanced = { ...block, next: serial + 1 };
      const rest = advanced.next > advanced.lastSerial ? blocks.slice(1) : [advanced, ...blocks.slice(1)];
      return { next: { key: this.key, desk: this.desk, blocks: rest }, result: { serial, uhid: uhidOf(serial), blockId: block.blockId } };
    });
  }

  /**
   * Asks for a new block when fewer than `low` numbers remain. True when numbers were added; false
   * when none were needed or the server could not give them (the desk carries on with what it holds).
   * Concurrent calls share one request.
   */
  refill(): Promise<boolean> {
    this.refilling ??= this.refillOnce().finally(() => { this.refilling = undefined; });
    return this.refilling;
  }

  private async refillOnce(): Promise<boolean> {
    if ((await this.remaining()) >= this.low) return false;
    let issued: IssuedBlock;
    try {
      issued = await this.options.requestBlock(this.desk, this.size);
    } catch {
      return false;
    }
    if (!Number.isSafeInteger(issued.firstSerial) || !Number.isSafeInteger(issued.lastSerial) || issued.lastSerial < issued.firstSerial) return false;
    return this.store.update(this.key, (current) => {
      const blocks = current?.blocks ?? [];
      // The same block again (a retried request answered twice) or one overlapping what is held: keep what is held.
      const overlaps = blocks.some((b) => b.blockId === issued.blockId || (issued.firstSerial <= b.lastSerial && b.firstSerial <= issued.lastSerial));
      if (overlaps) return { next: { key: this.key, desk: this.desk, blocks }, result: false };
      const added: HeldBlock = { blockId: issued.blockId, firstSerial: issued.firstSerial, lastSerial: issued.lastSerial, next: issued.firstSerial };
      return { next: { key: this.key, desk: this.desk, blocks: [...blocks, added] }, result: true };
    });
  }
}

/** The desk's blocks in memory (copies in and out, as IndexedDB does): for tests and a browser without IndexedDB. */
export class MemoryUhidBlockStore implements UhidBlockStore {
  private readonly records = new Map<string, DeskUhids>();
  private chain: Promise<unknown> = Promise.resolve();

  async get(key: string): Promise<DeskUhids | undefined> {
    const found = this.records.get(key);
    return found && structuredClone(found);
  }

  update<T>(key: string, change: (current: DeskUhids | undefined) => { next: DeskUhids; result: T }): Promise<T> {
    // One at a time, as IndexedDB's readwrite transactions on one store are.
    const run = this.chain.then(() => {
      const found = this.records.get(key);
      const { next, result } = change(found && structuredClone(found));
      this.records.set(key, structuredClone(next));
      return result;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
