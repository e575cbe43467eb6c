/**
 * Checking a batch offered for append against the chain the vault holds, before a byte is written:
 * the whole batch is accepted or none of it. Refusals say which entry and what it means for the
 * server, since that is what the operator reading the log has to act on.
 */
import { GENESIS_HASH } from '../store/ledger-entry.js';
import { VaultRefusal } from './vault-errors.js';
import { checkEntry, entryLine, type EntryFault, type ReceivedEntry } from './vault-entry.js';

export interface CheckedBatch {
  /** The lines to store, in order. */
  lines: string[];
  headSeq: number;
  headHash: string;
}

export function checkBatch(
  hospital: string, head: { seq: number; hash: string }, genesisHash: string, entries: readonly ReceivedEntry[],
): CheckedBatch {
  let { seq, hash } = head;
  const lines: string[] = [];
  for (const entry of entries) {
    const fault = checkEntry(hospital, seq + 1, hash, entry);
    if (fault) throw new VaultRefusal(hospital, seq + 1, explain(fault, seq));
    if (entry.seq === 1 && entry.hash !== genesisHash) throw new VaultRefusal(hospital, 1, 'its hash is not the genesis hash this vault is bound to');
    const line = entryLine(entry);
    if (line.includes('\n')) throw new VaultRefusal(hospital, entry.seq, 'the entry line contains a line break');
    lines.push(line);
    ({ seq, hash } = entry);
  }
  return { lines, headSeq: seq, headHash: hash };
}

function explain(fault: EntryFault, headSeq: number): string {
  switch (fault.kind) {
    case 'seq': return `${fault.reason}; the vault holds entries up to ${headSeq} and takes only entry ${headSeq + 1} next`;
    case 'prev_hash': return headSeq === 0
      ? `prev_hash is not the genesis hash ${GENESIS_HASH.slice(0, 8)}… — this is not the start of a chain`
      : `prev_hash does not match the vault's entry ${headSeq} — the server's history differs from what the vault holds (rewritten or another server)`;
    case 'hash': return 'hash does not match sha256(prev_hash + body) — the entry was altered after it was chained';
    case 'body': return `${fault.reason} — the entry does not belong at this place in this hospital's chain`;
  }
}
