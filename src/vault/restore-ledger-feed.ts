/**
 * The ledger rows of a restore, from its workers into the LedgerLoader in sequence order. Each worker
 * reads one range of entries and the ranges follow each other, but the workers run side by side: a
 * later range's rows are ready long before the range before it is done. So each range's rows wait in
 * a spool file of their own, not in memory, and are loaded range after range as they arrive: the
 * ledger's connection works through the first range while the workers are still computing.
 *
 * The workers proved every entry by its hash as they read it, so the main thread no longer reads the
 * vault a third time for the ledger; what the loader commits is checked once more at the end, by
 * walking the restored chain to the vault's head.
 */
import { CopySpool } from './copy-spool.js';
import type { LedgerLines } from './ledger-copy-lines.js';
import type { ChainHead, LedgerLoader } from './restore-ledger.js';

interface SpooledLines {
  start: number;
  end: number;
  firstSeq: number;
  ends: number[];
  hashes: string[];
}

interface Range {
  spool: CopySpool;
  blocks: Array<SpooledLines | undefined>;
  finished: boolean;
}

export class LedgerFeed {
  private wake: (() => void) | undefined;
  private stopped: Error | undefined;

  private constructor(private readonly ranges: Range[]) {}

  static async create(ranges: number): Promise<LedgerFeed> {
    const spools = await Promise.all(Array.from({ length: ranges }, () => CopySpool.create()));
    return new LedgerFeed(spools.map((spool) => ({ spool, blocks: [], finished: false })));
  }

  /** Rows of range `range`, after the ones it sent before. */
  async add(range: number, lines: LedgerLines): Promise<void> {
    const { spool, blocks } = this.ranges[range];
    const start = spool.size;
    await spool.write(lines.bytes);
    // `ends` count from the block's first byte: the loader is given exactly the block's bytes back.
    blocks.push({ start, end: spool.size, firstSeq: lines.firstSeq, ends: lines.ends, hashes: lines.hashes });
    this.poke();
  }

  /** Range `range` has sent all its rows. */
  finished(range: number): void {
    this.ranges[range].finished = true;
    this.poke();
  }

  /** Loads every range into `loader`, in order, as the rows arrive; returns the head once all are committed. */
  async loadInto(loader: LedgerLoader): Promise<ChainHead> {
    for (const range of this.ranges) {
      for (let b = 0; ; b++) {
        while (b >= range.blocks.length && !range.finished && !this.stopped) await new Promise<void>((resolve) => (this.wake = resolve));
        if (this.stopped) throw this.stopped;
        const block = range.blocks[b];
        if (!block) break;
        range.blocks[b] = undefined;
        const bytes = await range.spool.read(block.start, block.end);
        await loader.addLines({ bytes, firstSeq: block.firstSeq, ends: block.ends, hashes: block.hashes });
      }
      await range.spool.discard();
    }
    return loader.finish();
  }

  /** Stops loadInto (it throws `reason`) and removes the spools. */
  async stop(reason: Error): Promise<void> {
    this.stopped ??= reason;
    this.poke();
    await Promise.all(this.ranges.map((r) => r.spool.discard()));
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
