/**
 * One run of a vault's verification: consecutive segments re-read and every entry proved — its line
 * parses, its sequence number is the next, it chains to the entry before it, its hash is
 * sha256(prev_hash + body), its body names it and the hospital, and any signed checkpoint for it
 * vouches for exactly its hash. verifyVault joins runs: a run that starts mid-vault is given no hash
 * to chain to (`prevHash: null`); it accepts its first entry's prev_hash, reports it, and the join
 * checks it against the previous run's last hash. So a vault can be verified on several threads with
 * the same result as on one.
 *
 * A restore also asks each run to collect what its load needs from the bodies it parses anyway
 * (EntryFacts): so the load need not parse them again on its main thread.
 *
 * Everything here crosses a worker boundary (structured clone): plain data in, plain data out.
 */
import { readLines } from './file-lines.js';
import type { SegmentFile } from './segment-files.js';
import { checkEntry, parseEntryLine } from './vault-entry.js';
import type { VouchedHead } from './verify-checkpoints.js';

export interface SegmentRun {
  hospital: string;
  /** Consecutive segments, at least one. */
  segments: SegmentFile[];
  /** The hash the run's first entry must chain to; null: a later run of a split verification. */
  prevHash: string | null;
  /** The run holds the vault's last segment: a torn last line there is an append in progress, not damage. */
  endsVault: boolean;
  /** Entry 1's hash, as the vault was bound to it. */
  genesisHash: string;
  /** (seq, checkpoint) of the signed checkpoints that may fall in this run. */
  vouched: Array<[number, VouchedHead]>;
  /** Collect the EntryFacts of the run's entries. */
  collect?: boolean;
}

/** What a restore needs from each entry's body before it loads, in entry order. */
export interface EntryFacts {
  /** Each entry's time (the ledger row's recorded_at). */
  times: string[];
  /** Each entry's number of resource versions. */
  versionCounts: number[];
  /** "Type/id" of every resource version, entry after entry. */
  versionKeys: string[];
}

export interface SegmentRunResult {
  /** For a run given no prevHash: its first entry's prev_hash, once that entry parsed with the right seq. */
  firstPrevHash: string | null;
  /** The last entry proved, and its hash (null: none). */
  headSeq: number;
  headHash: string | null;
  tornTailBytes: number;
  /** The first fault, by sequence number; entries before it are proved. */
  fault?: { seq: number; reason: string; checkpoint?: number };
  /** With `collect`: the facts of the proved entries. */
  facts?: EntryFacts;
}

export async function verifySegmentRun(run: SegmentRun): Promise<SegmentRunResult> {
  const { hospital, segments } = run;
  const vouched = new Map(run.vouched);
  let expected = segments[0].firstSeq;
  let prevHash = run.prevHash;
  let firstPrevHash: string | null = null;
  let tornTailBytes = 0;
  const facts: EntryFacts | undefined = run.collect ? { times: [], versionCounts: [], versionKeys: [] } : undefined;
  const collect = facts && ((body: Record<string, unknown>) => collectFacts(facts, body));
  const result = (fault?: SegmentRunResult['fault']): SegmentRunResult => ({
    firstPrevHash, headSeq: expected - 1, headHash: expected > segments[0].firstSeq ? prevHash : null, tornTailBytes,
    ...(fault ? { fault } : {}), ...(facts ? { facts } : {}),
  });
  const fail = (reason: string, checkpoint?: number) => result({ seq: expected, reason, ...(checkpoint ? { checkpoint } : {}) });
  for (const [i, segment] of segments.entries()) {
    const isLast = run.endsVault && i === segments.length - 1;
    if (segment.firstSeq !== expected) return fail(segmentStartFault(segment, expected));
    let lines = 0;
    for await (const { text, terminated } of readLines(segment.path)) {
      if (!terminated) {
        if (isLast) { tornTailBytes = Buffer.byteLength(text); break; }
        return fail(`segment ${segment.name} ends in the middle of entry ${expected}'s line: the segment was truncated`);
      }
      let entry;
      try {
        entry = parseEntryLine(text);
      } catch (err) {
        return fail(`the line for entry ${expected} in ${segment.name} is damaged: ${(err as Error).message}`);
      }
      if (prevHash === null && entry.seq === expected) prevHash = firstPrevHash = entry.prev_hash;
      const fault = checkEntry(hospital, expected, prevHash ?? '', entry, collect);
      if (fault) return fail(`${fault.reason} (in ${segment.name})`);
      if (expected === 1 && entry.hash !== run.genesisHash) return fail('entry 1 is not the genesis entry this vault is bound to');
      const vouch = vouched.get(expected);
      if (vouch && vouch.hash !== entry.hash) return fail(`the signed checkpoint on line ${vouch.line} vouches for another hash at entry ${expected}: the entry or the history before it was replaced`, vouch.line);
      prevHash = entry.hash;
      expected++;
      lines++;
    }
    if (lines === 0 && !isLast) return fail(`segment ${segment.name} is empty`);
  }
  return result();
}

function collectFacts(facts: EntryFacts, body: Record<string, unknown>): void {
  const versions = Array.isArray(body.versions) ? body.versions as Array<{ resourceType?: unknown; id?: unknown }> : [];
  facts.times.push(String(body.time));
  facts.versionCounts.push(versions.length);
  for (const v of versions) facts.versionKeys.push(`${v.resourceType}/${v.id}`);
}

/** What is wrong when `segment` does not start at entry `expected`, the one after the segment before it. */
export function segmentStartFault(segment: SegmentFile, expected: number): string {
  return segment.firstSeq > expected
    ? `entries ${expected}..${segment.firstSeq - 1} are missing: no segment holds them (the next, ${segment.name}, starts at ${segment.firstSeq})`
    : `segment ${segment.name} starts at entry ${segment.firstSeq}, inside the previous segment's range`;
}
