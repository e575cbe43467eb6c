/**
 * Compares a hospital's live ledger with the vault's copy, entry by entry (streaming both): the
 * vault is verified first (a damaged vault proves nothing), then every database row is checked
 * against the vault's entry of the same sequence number — body, prev_hash and hash — and, past the
 * vault's head, against its own chain. The outcome names what an operator must know:
 *   identical        both hold the same entries
 *   vault-behind     the database has newer entries the vault has not pulled yet (normal lag)
 *   database-behind  the vault holds entries the database no longer has: acknowledged data was lost
 *   different        the first sequence where they differ: someone changed the database (or the vault)
 */
import type { Queryable } from '../store/database.js';
import { chainHash, GENESIS_HASH } from '../store/ledger-entry.js';
import { readEntries, type StoredEntry } from '../store/ledger-reader.js';
import { readChain } from './segment-reader.js';
import { readVaultConfig } from './vault-config.js';
import type { ReplicatedEntry } from './vault-entry.js';
import { verifyVault, type VerifyVaultOptions } from './vault-verify.js';

const PAGE = 500;

export type VaultComparison = { hospital: string; databaseHead: number; vaultHead: number } & (
  | { state: 'identical'; headHash: string }
  | { state: 'vault-behind' | 'database-behind' }
  | { state: 'different'; seq: number; reason: string }
  | { state: 'vault-broken'; seq: number | null; reason: string }
  | { state: 'not-vaulted' }
);

export async function compareWithVault(db: Queryable, vaultDir: string, hospital: string, options: VerifyVaultOptions = {}): Promise<VaultComparison> {
  const config = await readVaultConfig(vaultDir);
  if (!config) throw new Error(`${vaultDir} is not a vault (it has no vault.json)`);
  if (!config.hospitals[hospital]) {
    const [head] = await db.query<{ seq: number }>('SELECT coalesce(max(seq), 0) AS seq FROM ledger_entry WHERE hospital_id = $1', [hospital]);
    const seq = head?.seq ?? 0;
    // A hospital with an empty ledger has nothing to vault: the two agree.
    return seq === 0 ? { hospital, databaseHead: 0, vaultHead: 0, state: 'identical', headHash: GENESIS_HASH } : { hospital, databaseHead: seq, vaultHead: 0, state: 'not-vaulted' };
  }
  const verified = await verifyVault(vaultDir, hospital, options);
  if (!verified.ok) return { hospital, databaseHead: 0, vaultHead: verified.count, state: 'vault-broken', seq: verified.seq, reason: verified.reason };
  const vaultHead = verified.headSeq;
  const vault = readChain(vaultDir, hospital, 0, vaultHead)[Symbol.asyncIterator]();
  let expected = 1;
  let prevHash = GENESIS_HASH;
  try {
    for (;;) {
      const rows = await readEntries(db, hospital, expected - 1, PAGE);
      for (const row of rows) {
        const fault = row.seq !== expected
          ? `entry ${expected} is missing from the database (the next one there is ${row.seq})`
          : expected <= vaultHead ? differenceFrom((await vault.next()).value as ReplicatedEntry, row) : brokenLink(prevHash, row);
        if (fault) return { hospital, databaseHead: await databaseHead(db, hospital), vaultHead, state: 'different', seq: expected, reason: fault };
        prevHash = row.hash;
        expected++;
      }
      if (rows.length < PAGE) break;
    }
  } finally {
    await vault.return?.(undefined);
  }
  const head = expected - 1;
  if (head === vaultHead) return { hospital, databaseHead: head, vaultHead, state: 'identical', headHash: prevHash };
  return { hospital, databaseHead: head, vaultHead, state: head > vaultHead ? 'vault-behind' : 'database-behind' };
}

function differenceFrom(v: ReplicatedEntry, row: StoredEntry): string | undefined {
  if (row.body !== v.body) {
    return chainHash(row.prev_hash, row.body) === row.hash
      ? "the database's entry has another body, with a hash that matches it (rewritten and re-hashed)"
      : "the database's entry has another body than the vault's (the row was edited)";
  }
  if (row.hash !== v.hash) return "the database's stored hash differs from the vault's";
  if (row.prev_hash !== v.prev_hash) return "the database's prev_hash differs from the vault's";
  return undefined;
}

/** Past the vault's head there is nothing to compare with; the database's own chain must still hold. */
function brokenLink(prevHash: string, row: StoredEntry): string | undefined {
  if (row.prev_hash !== prevHash) return `the database's chain breaks: prev_hash does not match entry ${row.seq - 1} (after the vault's head)`;
  if (chainHash(row.prev_hash, row.body) !== row.hash) return "the database's entry does not match its own hash: it was changed (after the vault's head)";
  return undefined;
}

async function databaseHead(db: Queryable, hospital: string): Promise<number> {
  const [head] = await db.query<{ seq: number }>('SELECT coalesce(max(seq), 0) AS seq FROM ledger_entry WHERE hospital_id = $1', [hospital]);
  return head?.seq ?? 0;
}
