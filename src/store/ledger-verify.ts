/**
 * Walks a hospital's chain from the first entry and recomputes every hash. Finds any edit of an
 * entry (its hash no longer matches), any deletion (a gap in the sequence or a broken prev_hash)
 * and any reordering; reports the first sequence number at which the chain breaks.
 */
import type { Queryable } from './database.js';
import { chainHash, GENESIS_HASH, type LedgerEntryBody } from './ledger-entry.js';
import { readEntries } from './ledger-reader.js';

export type VerifyResult =
  | { ok: true; count: number; headSeq: number; headHash: string }
  | { ok: false; count: number; brokenAt: number; reason: string };

const CHUNK = 5000;

export async function verifyLedger(db: Queryable, hospitalId: string): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const rows = await readEntries(db, hospitalId, expectedSeq - 1, CHUNK);
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

function checkEntry(
  hospitalId: string,
  seq: number,
  prevHash: string,
  row: { seq: number; body: string; prev_hash: string; hash: string },
): string | undefined {
  if (row.seq !== seq) return `entry ${seq} is missing (next is ${row.seq})`;
  if (row.prev_hash !== prevHash) return `prev_hash does not match the hash of entry ${seq - 1}`;
  if (chainHash(row.prev_hash, row.body) !== row.hash) return 'hash does not match the entry body (the entry was changed)';
  let body: LedgerEntryBody;
  try {
    body = JSON.parse(row.body) as LedgerEntryBody;
  } catch {
    return 'entry body is not JSON';
  }
  if (body.seq !== seq || body.hospital !== hospitalId) return 'entry body names another sequence number or hospital';
  return undefined;
}
