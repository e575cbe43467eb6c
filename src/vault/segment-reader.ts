/**
 * Streams a hospital's entries back out of the segments (for restore and for anyone reading the
 * vault), checking as it goes that each line parses and chains to the one before. Memory stays flat:
 * one line at a time, however many millions there are.
 */
import { GENESIS_HASH } from '../store/ledger-entry.js';
import { readLines } from './file-lines.js';
import { listSegments, segmentIndexFor } from './segment-files.js';
import { VaultCorruption } from './vault-errors.js';
import { checkEntry, parseEntryLine, type ReplicatedEntry } from './vault-entry.js';

/** Entries afterSeq+1 .. uptoSeq (the head when the read began; later appends are not waited for). */
export async function* readChain(vaultDir: string, hospital: string, afterSeq: number, uptoSeq: number): AsyncGenerator<ReplicatedEntry> {
  if (uptoSeq <= afterSeq) return;
  const segments = await listSegments(vaultDir, hospital);
  let expected = 0;
  let prevHash: string | undefined;
  for (let i = segmentIndexFor(segments, afterSeq + 1); i < segments.length; i++) {
    const segment = segments[i];
    if (expected === 0) {
      expected = segment.firstSeq;
      prevHash = expected === 1 ? GENESIS_HASH : undefined; // mid-chain: trust the first prev_hash, check the rest
    }
    if (segment.firstSeq !== expected) throw new VaultCorruption(segment.name, `entries ${expected}..${segment.firstSeq - 1} are missing`, expected);
    for await (const { text, terminated } of readLines(segment.path)) {
      // Reading stops at uptoSeq, before any line still being appended, so a partial line here is damage.
      if (!terminated) throw new VaultCorruption(segment.name, 'the segment ends in the middle of an entry line', expected);
      let entry: ReplicatedEntry;
      try {
        entry = parseEntryLine(text);
      } catch (err) {
        throw new VaultCorruption(segment.name, (err as Error).message, expected);
      }
      const fault = checkEntry(hospital, expected, prevHash ?? entry.prev_hash, entry);
      if (fault) throw new VaultCorruption(segment.name, fault.reason, expected);
      prevHash = entry.hash;
      expected++;
      if (entry.seq > afterSeq) yield entry;
      if (entry.seq >= uptoSeq) return;
    }
  }
  throw new VaultCorruption(segments.at(-1)?.name ?? `${hospital}/segments`, `entries ${Math.max(expected, afterSeq + 1)}..${uptoSeq} are missing`, Math.max(expected, afterSeq + 1));
}
