/**
 * Which version of each resource is its last one in the whole ledger. projectEntries applies the rule
 * "the last version of a resource decides its current state and its search index" to each run of
 * entries it is given; a restore applies the same rule to the whole ledger at once: the vault's
 * verification collects the "Type/id" of every version (EntryFacts), and the load computes current
 * rows and index rows for the last versions only (search indexing is the costly part, and superseded
 * versions do not need it).
 *
 * A version is named by its position, seq * 2^20 + its index in the entry. Noting every version keeps the
 * latest position per resource (about 100 bytes per resource; V8 caps one Map at 2^24 entries, hence
 * the shards) and collects the positions it superseded; the load, run by workers over ranges of
 * entries, needs only the sorted superseded positions of its range.
 */
import type { VerifiedRun } from './vault-verify.js';

const SHARDS = 32;
const PER_ENTRY = 2 ** 20;

export function positionOf(seq: number, index: number): number {
  if (index >= PER_ENTRY) throw new Error(`entry ${seq} writes more than ${PER_ENTRY} resource versions; a restore cannot index it`);
  return seq * PER_ENTRY + index;
}

export class FinalVersions {
  private readonly latest = Array.from({ length: SHARDS }, () => new Map<string, number>());
  private superseded: number[] = [];
  private sorted: Float64Array | undefined;
  private counted = 0;

  /** The final versions of a hospital's verified runs (contiguous, in order). */
  static of(runs: VerifiedRun[]): FinalVersions {
    const finals = new FinalVersions();
    for (const { after, facts } of runs) {
      let k = 0;
      for (const [i, count] of facts.versionCounts.entries()) {
        for (let v = 0; v < count; v++) finals.note(after + 1 + i, v, facts.versionKeys[k++]);
      }
    }
    return finals;
  }

  /** Records version `index` of entry `seq`, of resource `key` ("Type/id"), as its latest (entries arrive in ledger order). */
  note(seq: number, index: number, key: string): void {
    const shard = this.latest[(key.charCodeAt(key.length - 1) * 31 + key.charCodeAt(key.length - 2)) % SHARDS];
    const before = shard.get(key);
    if (before !== undefined) this.superseded.push(before);
    shard.set(key, positionOf(seq, index));
  }

  /** Resources seen (each has exactly one final version). */
  get resources(): number {
    return this.sorted ? this.counted : this.latest.reduce((n, s) => n + s.size, 0);
  }

  /** The superseded positions of entries after..upto, sorted: what a second-pass worker must skip. */
  supersededIn(after: number, upto: number): Float64Array {
    if (!this.sorted) {
      this.counted = this.resources;
      this.sorted = Float64Array.from(this.superseded).sort();
      this.superseded = [];
      for (const shard of this.latest) shard.clear(); // not needed any more; free it before the load
    }
    return this.sorted.slice(lowerBound(this.sorted, (after + 1) * PER_ENTRY), lowerBound(this.sorted, (upto + 1) * PER_ENTRY));
  }
}

function lowerBound(values: Float64Array, target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
