/**
 * The first half of verifyVault: every checkpoint line must parse, belong to this hospital and vault,
 * carry a valid signature by the expected key, and come in increasing order. What comes out is the
 * (seq → hash) each checkpoint vouches for, to be matched against the entries themselves.
 */
import type { KeyObject } from 'node:crypto';
import { checkpointSignatureValid, parseCheckpointLine } from './checkpoint.js';
import { checkpointsPath } from './checkpoint-file.js';
import { readLines } from './file-lines.js';

export interface VouchedHead {
  hash: string;
  /** 1-based line number in checkpoints.ndjson, to name the checkpoint in a report. */
  line: number;
}

export interface CheckpointFault {
  seq: number | null;
  checkpoint: number;
  reason: string;
}

export async function readVerifiedCheckpoints(
  vaultDir: string, hospital: string, vaultId: string, publicKey: KeyObject, keyId: string,
): Promise<{ vouched: Map<number, VouchedHead> } | { fault: CheckpointFault }> {
  const vouched = new Map<number, VouchedHead>();
  let line = 0;
  let lastSeq = 0;
  try {
    for await (const { text, terminated } of readLines(checkpointsPath(vaultDir, hospital))) {
      line++;
      // A partial last line is a checkpoint being written right now (or a crash remnant the vault cuts on open).
      if (!terminated) break;
      const fail = (seq: number | null, reason: string) => ({ fault: { seq, checkpoint: line, reason: `checkpoint on line ${line}: ${reason}` } });
      let c;
      try {
        c = parseCheckpointLine(text);
      } catch (err) {
        return fail(null, (err as Error).message);
      }
      if (c.hospital !== hospital) return fail(c.seq, `it names hospital "${c.hospital}"`);
      if (c.vaultId !== vaultId) return fail(c.seq, `it was made by another vault (${c.vaultId})`);
      if (c.keyId !== keyId) return fail(c.seq, `it names key ${c.keyId}, not the expected key ${keyId}`);
      if (!checkpointSignatureValid(c, publicKey)) return fail(c.seq, `its signature does not verify for entry ${c.seq}: the checkpoint was edited or forged`);
      if (c.seq <= lastSeq) return fail(c.seq, `it vouches for entry ${c.seq} after a checkpoint for entry ${lastSeq} (out of order)`);
      lastSeq = c.seq;
      vouched.set(c.seq, { hash: c.hash, line });
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { vouched };
}
