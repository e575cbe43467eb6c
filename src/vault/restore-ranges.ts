/**
 * Splitting a hospital's chain into contiguous ranges of about equal size (body bytes, which track
 * the indexing work better than entry counts: one Synthea Bundle weighs as much as a thousand small
 * writes), for the workers of the second pass. Each range comes with the hash of the entry before it,
 * noted in the first pass, so every worker checks the chain from a hash this restore has read itself.
 */
import { GENESIS_HASH } from '../store/ledger-entry.js';
import type { ChainRange } from './restore-reader.js';

const STEP = 256;

export class RangePlanner {
  private readonly marks: Array<{ seq: number; hash: string; bytes: number }> = [];
  private bytes = 0;

  /** Called for every entry of the first pass, in order. */
  note(seq: number, hash: string, bodyBytes: number): void {
    this.bytes += bodyBytes;
    if (seq % STEP === 0) this.marks.push({ seq, hash, bytes: this.bytes });
  }

  /** At most `count` ranges covering entries 1..upto. */
  split(count: number, upto: number): Array<Required<ChainRange>> {
    const ranges: Array<Required<ChainRange>> = [];
    let after = 0;
    let prevHash = GENESIS_HASH;
    for (let k = 1; k < count; k++) {
      const mark = this.marks.find((m) => m.bytes >= (this.bytes * k) / count && m.seq > after && m.seq < upto);
      if (!mark) break;
      ranges.push({ after, prevHash, upto: mark.seq });
      after = mark.seq;
      prevHash = mark.hash;
    }
    if (upto > after) ranges.push({ after, prevHash, upto });
    return ranges;
  }
}
