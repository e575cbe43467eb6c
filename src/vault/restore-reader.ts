/**
 * The entries of one hospital, after..upto, read from the vault's segments for a restore. The vault
 * was verified just before (verifyVault); this read checks the chain again as it goes, from a hash
 * the caller already trusts (the genesis hash, or one it read itself in an earlier pass), because the
 * files could change between reads and a restore must load exactly what was verified. It differs
 * from segment-reader's readChain in parsing each body once and handing it over (JSON parsing is most
 * of the reading cost), and in skipping to a starting entry by counting lines, not parsing them.
 */
import { chainHash, GENESIS_HASH, type LedgerEntryBody } from '../store/ledger-entry.js';
import { readLines } from './file-lines.js';
import { listSegments, segmentIndexFor } from './segment-files.js';
import { skipLines } from './restore-skip-lines.js';
import { VaultCorruption } from './vault-errors.js';
import { parseEntryLine, type ReplicatedEntry } from './vault-entry.js';

export interface RestoreEntry {
  entry: ReplicatedEntry;
  body: LedgerEntryBody;
}

export interface ChainRange {
  /** Start after this entry (default 0: from the first). */
  after?: number;
  /** The hash of entry `after` (default the genesis hash); the first entry read must chain to it. */
  prevHash?: string;
  /** The last entry to read. */
  upto: number;
}

export async function* readEntriesForRestore(vaultDir: string, hospital: string, range: ChainRange): AsyncGenerator<RestoreEntry> {
  yield* readChainForRestore(vaultDir, hospital, range, true) as AsyncGenerator<RestoreEntry>;
}

/**
 * The same read without parsing the bodies: for loading the ledger rows, whose bodies are stored as
 * text. Each entry is still proved by its hash, chained from a trusted one, so it is byte for byte
 * the entry the verification parsed and checked.
 */
export async function* readLedgerForRestore(vaultDir: string, hospital: string, range: ChainRange): AsyncGenerator<ReplicatedEntry> {
  for await (const { entry } of readChainForRestore(vaultDir, hospital, range, false)) yield entry;
}

async function* readChainForRestore(vaultDir: string, hospital: string, range: ChainRange, parseBodies: boolean): AsyncGenerator<{ entry: ReplicatedEntry; body?: LedgerEntryBody }> {
  const { after = 0, upto } = range;
  if (upto <= after) return;
  let expected = after + 1;
  let prevHash = range.prevHash ?? GENESIS_HASH;
  const segments = await listSegments(vaultDir, hospital);
  for (let i = segmentIndexFor(segments, expected); i < segments.length; i++) {
    const segment = segments[i];
    const skip = expected - segment.firstSeq;
    if (skip < 0) throw new VaultCorruption(segment.name, `entries ${expected}..${segment.firstSeq - 1} are missing`, expected);
    const start = skip > 0 ? await skipLines(segment.path, skip) : 0;
    if (start === undefined) continue; // the whole segment lies before `expected`: on to the next
    for await (const { text, terminated } of readLines(segment.path, start)) {
      const damaged = (reason: string) => new VaultCorruption(segment.name, reason, expected);
      if (!terminated) throw damaged('the segment ends in the middle of an entry line');
      let entry: ReplicatedEntry;
      let body: LedgerEntryBody | undefined;
      try {
        entry = parseEntryLine(text);
        if (parseBodies) body = JSON.parse(entry.body) as LedgerEntryBody;
      } catch (err) {
        throw damaged(err instanceof SyntaxError ? 'the entry body is not JSON' : (err as Error).message);
      }
      if (entry.seq !== expected) throw damaged(`entry ${entry.seq} appears where entry ${expected} was expected`);
      if (entry.prev_hash !== prevHash) throw damaged(`prev_hash does not match the hash of entry ${expected - 1}`);
      if (chainHash(entry.prev_hash, entry.body) !== entry.hash) throw damaged('hash is not sha256(prev_hash + body): the entry was changed');
      if (parseBodies && (typeof body !== 'object' || body === null || body.seq !== entry.seq || body.hospital !== hospital || !Array.isArray(body.versions))) {
        throw damaged('the entry body names another sequence number or hospital, or has no versions');
      }
      yield { entry, body };
      if (expected === upto) return;
      prevHash = entry.hash;
      expected++;
    }
  }
  throw new VaultCorruption(`${hospital}/segments`, `entries ${expected}..${upto} are missing`, expected);
}
