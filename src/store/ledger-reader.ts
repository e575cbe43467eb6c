/** Reading ledger entries back: for idempotent replays, verify, rebuild and the vault's pull. */
import type { Queryable } from './database.js';
import type { LedgerEntryBody } from './ledger-entry.js';

export interface StoredEntry {
  seq: number;
  body: string;
  prev_hash: string;
  hash: string;
}

export async function readEntry(tx: Queryable, hospitalId: string, seq: number): Promise<LedgerEntryBody> {
  const [row] = await tx.query<{ body: string }>('SELECT body FROM ledger_entry WHERE hospital_id = $1 AND seq = $2', [hospitalId, seq]);
  if (!row) throw new Error(`ledger entry ${seq} of hospital ${hospitalId} is missing`);
  return JSON.parse(row.body) as LedgerEntryBody;
}

/** Entries after `afterSeq`, in order, at most `limit`. */
export async function readEntries(tx: Queryable, hospitalId: string, afterSeq: number, limit: number): Promise<StoredEntry[]> {
  return tx.query<StoredEntry>(
    'SELECT seq, body, prev_hash, hash FROM ledger_entry WHERE hospital_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [hospitalId, afterSeq, limit],
  );
}
