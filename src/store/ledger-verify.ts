/**
 * Walks a hospital's chain from the first entry and recomputes every hash. Finds any edit of an
 * entry (its hash no longer matches), any deletion (a gap in the sequence or a broken prev_hash)
 * and any reordering; reports the first sequence number at which the chain breaks.
 *
 * By default every body is read here, hashed and parsed (it must name its own sequence number and
 * hospital). A restore checking what it just loaded asks for `hashInDatabase` instead: PostgreSQL
 * computes each sha256(prev_hash || body) where the body lies and sends back only the digests. The
 * restore then compares the head with the vault's, and equal chained hashes make every body byte
 * for byte the one the vault's verification already parsed and checked; reading a gigabyte of
 * bodies over the wire to hash and parse them once more would prove nothing further, and it costs
 * the CPU the rest of the restore is waiting for.
 */
import type { Queryable } from './database.js';
import { chainHash, GENESIS_HASH, type LedgerEntryBody } from './ledger-entry.js';
import { readEntries } from './ledger-reader.js';

export type VerifyResult =
  | { ok: true; count: number; headSeq: number; headHash: string }
  | { ok: false; count: number; brokenAt: number; reason: string };

const CHUNK = 5000;

export interface VerifyLedgerOptions {
  /** Let PostgreSQL hash the bodies and skip parsing them (see above): only when the head is compared with a trusted hash. */
  hashInDatabase?: boolean;
}

/** A row as the walk sees it: the body itself, or (hashInDatabase) the hash PostgreSQL computed of it. */
type WalkedEntry = { seq: number; prev_hash: string; hash: string } & ({ body: string } | { computed_hash: string });

export async function verifyLedger(db: Queryable, hospitalId: string, options: VerifyLedgerOptions = {}): Promise<VerifyResult> {
  const read = options.hashInDatabase ? readHashedEntries : readEntries;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const rows: WalkedEntry[] = await read(db, hospitalId, expectedSeq - 1, CHUNK);
    for (const row of rows) {
      const broken = checkEntry(hospitalId, expectedSeq, prevHash, row);
      if (broken) return { ok: false, count: expectedSeq - 1, brokenAt: expectedSeq, reason: broken };
      prevHash = row.hash;
      expectedSeq++;
    }
    if (rows.length < CHUNK) break;
  }
  // readEntries starts after a given seq, so a deleted entry in the middle shows up as a jump. An
  // entry exactly at the expected seq is one written since the walk began (the server is running):
  // the chain is verified up to where the walk ended, and that is not a gap.
  const [after] = await db.query<{ seq: string | number }>(
    'SELECT min(seq) AS seq FROM ledger_entry WHERE hospital_id = $1 AND seq >= $2',
    [hospitalId, expectedSeq],
  );
  if (after?.seq != null && Number(after.seq) > expectedSeq) {
    return { ok: false, count: expectedSeq - 1, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing (next is ${after.seq})` };
  }
  return { ok: true, count: expectedSeq - 1, headSeq: expectedSeq - 1, headHash: prevHash };
}

/**
 * Entries after `afterSeq` without their bodies, each with sha256(prev_hash || body) as PostgreSQL
 * computes it: the same bytes chainHash hashes, since the database stores the text as UTF-8.
 */
async function readHashedEntries(db: Queryable, hospitalId: string, afterSeq: number, limit: number): Promise<WalkedEntry[]> {
  return db.query(
    `SELECT seq, prev_hash, hash, pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(prev_hash || body, 'UTF8')), 'hex') AS computed_hash
       FROM ledger_entry WHERE hospital_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [hospitalId, afterSeq, limit],
  );
}

function checkEntry(hospitalId: string, seq: number, prevHash: string, row: WalkedEntry): string | undefined {
  if (row.seq !== seq) return `entry ${seq} is missing (next is ${row.seq})`;
  if (row.prev_hash !== prevHash) return `prev_hash does not match the hash of entry ${seq - 1}`;
  const computed = 'computed_hash' in row ? row.computed_hash : chainHash(row.prev_hash, row.body);
  if (computed !== row.hash) return 'hash does not match the entry body (the entry was changed)';
  // Hashed in the database: the body never came here, and equal hashes make it the one already checked.
  if (!('body' in row)) return undefined;
  let body: LedgerEntryBody;
  try {
    body = JSON.parse(row.body) as LedgerEntryBody;
  } catch {
    return 'entry body is not JSON';
  }
  if (body.seq !== seq || body.hospital !== hospitalId) return 'entry body names another sequence number or hospital';
  return undefined;
}
