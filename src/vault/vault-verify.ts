/**
 * verifyVault: re-reads everything the vault holds for a hospital and proves it intact — every entry
 * hash, the chain across segment boundaries, entry 1 against the binding, every checkpoint signature,
 * and each checkpoint's (seq, hash) against the stored entry. It only reads, takes no lock, and can run
 * beside a vault that is appending.
 *
 * By default the public key is the one in vault.json. Someone able to rewrite the vault directory
 * could replace that key and re-sign; an auditor who recorded the key elsewhere passes it as
 * `publicKey` and so checks against something the vault's own files cannot change.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { GENESIS_HASH } from '../store/ledger-entry.js';
import { readLines } from './file-lines.js';
import { listSegments } from './segment-files.js';
import { readVaultConfig } from './vault-config.js';
import { checkEntry, parseEntryLine } from './vault-entry.js';
import { keyIdOf } from './vault-keys.js';
import { readVerifiedCheckpoints } from './verify-checkpoints.js';

export type VaultVerifyResult =
  | {
      ok: true; count: number; headSeq: number; headHash: string;
      /** Number of signed checkpoints, and the highest entry one of them vouches for. */
      checkpoints: number; checkpointedSeq: number;
      /** Bytes of a partial last line, not counted: an append in progress, or a crash remnant cut on the next open. */
      tornTailBytes: number;
    }
  | { ok: false; seq: number | null; checkpoint?: number; reason: string; count: number };

export interface VerifyVaultOptions {
  /** A public key recorded outside the vault (PEM or KeyObject), trusted instead of vault.json's. */
  publicKey?: string | KeyObject;
}

export async function verifyVault(dir: string, hospital: string, options: VerifyVaultOptions = {}): Promise<VaultVerifyResult> {
  const config = await readVaultConfig(dir);
  if (!config) return { ok: false, seq: null, count: 0, reason: `${dir} is not a vault (no vault.json)` };
  const binding = config.hospitals[hospital];
  if (!binding) return { ok: false, seq: null, count: 0, reason: `the vault holds no hospital "${hospital}"` };
  const publicKey = createPublicKey(options.publicKey ?? config.publicKey);
  // Checkpoints before segments: each one read then vouches for entries already durable, so a vault
  // appending meanwhile cannot make a fresh checkpoint look like it points past the end.
  const checked = await readVerifiedCheckpoints(dir, hospital, config.vaultId, publicKey, keyIdOf(publicKey));
  if ('fault' in checked) return { ok: false, count: 0, ...checked.fault };
  const { vouched } = checked;

  let expected = 1;
  let prevHash = GENESIS_HASH;
  let tornTailBytes = 0;
  const fail = (reason: string, checkpoint?: number) => ({ ok: false as const, seq: expected, reason, count: expected - 1, ...(checkpoint ? { checkpoint } : {}) });
  let segments;
  try {
    segments = await listSegments(dir, hospital);
  } catch (err) {
    return { ok: false, seq: null, count: 0, reason: (err as Error).message };
  }
  for (const [i, segment] of segments.entries()) {
    const isLast = i === segments.length - 1;
    if (segment.firstSeq !== expected) {
      return fail(segment.firstSeq > expected
        ? `entries ${expected}..${segment.firstSeq - 1} are missing: no segment holds them (the next, ${segment.name}, starts at ${segment.firstSeq})`
        : `segment ${segment.name} starts at entry ${segment.firstSeq}, inside the previous segment's range`);
    }
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
      const fault = checkEntry(hospital, expected, prevHash, entry);
      if (fault) return fail(`${fault.reason} (in ${segment.name})`);
      if (expected === 1 && entry.hash !== binding.genesisHash) return fail('entry 1 is not the genesis entry this vault is bound to');
      const vouch = vouched.get(expected);
      if (vouch && vouch.hash !== entry.hash) return fail(`the signed checkpoint on line ${vouch.line} vouches for another hash at entry ${expected}: the entry or the history before it was replaced`, vouch.line);
      prevHash = entry.hash;
      expected++;
      lines++;
    }
    if (lines === 0 && !isLast) return fail(`segment ${segment.name} is empty`);
  }
  const headSeq = expected - 1;
  let checkpointedSeq = 0;
  for (const seq of vouched.keys()) checkpointedSeq = Math.max(checkpointedSeq, seq);
  if (checkpointedSeq > headSeq) {
    return fail(`the signed checkpoint on line ${vouched.get(checkpointedSeq)!.line} vouches for entry ${checkpointedSeq}, but the entries end at ${headSeq}: entries were removed`, vouched.get(checkpointedSeq)!.line);
  }
  return { ok: true, count: headSeq, headSeq, headHash: prevHash, checkpoints: vouched.size, checkpointedSeq, tornTailBytes };
}
