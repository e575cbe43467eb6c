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
import { stat } from 'node:fs/promises';
import { GENESIS_HASH } from '../store/ledger-entry.js';
import { listSegments, type SegmentFile } from './segment-files.js';
import { readVaultConfig } from './vault-config.js';
import { prevHashFault } from './vault-entry.js';
import { keyIdOf } from './vault-keys.js';
import { readVerifiedCheckpoints } from './verify-checkpoints.js';
import { segmentStartFault, verifySegmentRun, type EntryFacts, type SegmentRun, type SegmentRunResult } from './verify-segment-run.js';

export type VaultVerifyResult =
  | {
      ok: true; count: number; headSeq: number; headHash: string;
      /** Number of signed checkpoints, and the highest entry one of them vouches for. */
      checkpoints: number; checkpointedSeq: number;
      /** Bytes of a partial last line, not counted: an append in progress, or a crash remnant cut on the next open. */
      tornTailBytes: number;
      /** With `collect`: the verified runs, in order, with their entries' facts. */
      runs?: VerifiedRun[];
    }
  | { ok: false; seq: number | null; checkpoint?: number; reason: string; count: number };

export interface VerifyVaultOptions {
  /** A public key recorded outside the vault (PEM or KeyObject), trusted instead of vault.json's. */
  publicKey?: string | KeyObject;
  /**
   * Re-hashing every entry is CPU work that splits cleanly: the segments are cut into this many
   * contiguous runs (default 1), each verified on its own by `runSegments`, and the runs are then
   * joined by checking that each one's first prev_hash is the previous one's last hash. The result,
   * fault and message included, is the same as verifying in one run.
   */
  parts?: number;
  /** Verifies one run; a restore passes its worker threads here (default: verifySegmentRun, in this thread). */
  runSegments?: (run: SegmentRun) => Promise<SegmentRunResult>;
  /** Return the runs with the facts of their entries (EntryFacts), for a restore. */
  collect?: boolean;
}

/** Entries after..upto, proved to chain from `prevHash` (the hash of entry `after`) to `headHash`. */
export interface VerifiedRun {
  after: number;
  prevHash: string;
  upto: number;
  headHash: string;
  facts: EntryFacts;
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

  let segments;
  try {
    segments = await listSegments(dir, hospital);
  } catch (err) {
    return { ok: false, seq: null, count: 0, reason: (err as Error).message };
  }
  const runs = (await splitIntoRuns(segments, options.parts ?? 1)).map((part, k, all): SegmentRun => ({
    hospital, segments: part, prevHash: k === 0 ? GENESIS_HASH : null, endsVault: k === all.length - 1, genesisHash: binding.genesisHash,
    vouched: [...vouched].filter(([seq]) => seq >= part[0].firstSeq), collect: options.collect,
  }));
  const results = await Promise.all(runs.map(options.runSegments ?? verifySegmentRun));

  // Joining the runs, in sequence order: the first fault found is the one a single run would have found.
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let tornTailBytes = 0;
  const verifiedRuns: VerifiedRun[] = [];
  const fail = (seq: number, reason: string, checkpoint?: number) => ({ ok: false as const, seq, reason, count: seq - 1, ...(checkpoint ? { checkpoint } : {}) });
  for (const [k, run] of runs.entries()) {
    const first = run.segments[0];
    if (first.firstSeq !== expected) return fail(expected, segmentStartFault(first, expected));
    const result = results[k];
    if (result.firstPrevHash !== null && result.firstPrevHash !== prevHash) return fail(expected, `${prevHashFault(expected)} (in ${first.name})`);
    if (result.fault) return fail(result.fault.seq, result.fault.reason, result.fault.checkpoint);
    if (result.headHash !== null) {
      if (result.facts) verifiedRuns.push({ after: expected - 1, prevHash, upto: result.headSeq, headHash: result.headHash, facts: result.facts });
      prevHash = result.headHash;
    }
    expected = result.headSeq + 1;
    tornTailBytes = result.tornTailBytes;
  }
  const headSeq = expected - 1;
  let checkpointedSeq = 0;
  for (const seq of vouched.keys()) checkpointedSeq = Math.max(checkpointedSeq, seq);
  if (checkpointedSeq > headSeq) {
    const line = vouched.get(checkpointedSeq)!.line;
    return fail(expected, `the signed checkpoint on line ${line} vouches for entry ${checkpointedSeq}, but the entries end at ${headSeq}: entries were removed`, line);
  }
  return {
    ok: true, count: headSeq, headSeq, headHash: prevHash, checkpoints: vouched.size, checkpointedSeq, tornTailBytes,
    ...(options.collect ? { runs: verifiedRuns } : {}),
  };
}

/**
 * Contiguous runs of segments of about equal size: `parts` of them when there are that many segments
 * (a run starts at the segment whose middle crosses the next equal share of the bytes).
 */
async function splitIntoRuns(segments: SegmentFile[], parts: number): Promise<SegmentFile[][]> {
  if (segments.length === 0) return [];
  if (parts <= 1 || segments.length === 1) return [segments];
  const sizes = await Promise.all(segments.map((s) => stat(s.path).then((st) => st.size, () => 0)));
  const total = sizes.reduce((a, b) => a + b, 0);
  const runs: SegmentFile[][] = [];
  let run: SegmentFile[] = [];
  let done = 0;
  for (const [i, segment] of segments.entries()) {
    const runsAfterThis = parts - runs.length - 1;
    const share = (total * (runs.length + 1)) / parts;
    if (run.length > 0 && runsAfterThis > 0 && (done + sizes[i] / 2 >= share || segments.length - i <= runsAfterThis)) {
      runs.push(run);
      run = [];
    }
    run.push(segment);
    done += sizes[i];
  }
  runs.push(run);
  return runs;
}
