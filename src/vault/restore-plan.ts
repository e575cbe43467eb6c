/**
 * Before a restore writes anything: the vault is verified end to end (every entry hash, the chain
 * across segments, every signed checkpoint) for each hospital, and the target is inspected. Any doubt
 * is a RestoreRefusal naming the hospital and the sequence number, and nothing has been written.
 *
 * A target that already holds entries of a hospital is refused, unless --force; and even then only
 * if those entries are an intact prefix of the vault's chain (an interrupted restore, or a database
 * that fell behind the vault), in which case the restore continues after them. The ledger is
 * append-only: nothing, not even --force, makes a restore delete or overwrite an entry.
 */
import type { Queryable } from '../store/database.js';
import { GENESIS_HASH } from '../store/ledger-entry.js';
import { verifyLedger } from '../store/ledger-verify.js';
import { readChain } from './segment-reader.js';
import { readVaultConfig } from './vault-config.js';
import { verifyVault, type VerifiedRun, type VerifyVaultOptions } from './vault-verify.js';
import type { ChainHead } from './restore-ledger.js';

export class RestoreRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefusal';
  }
}

export interface HospitalPlan {
  hospital: string;
  /** The vault's verified head: the restore loads entries 1..vault.seq. */
  vault: ChainHead;
  /** The highest entry a signed checkpoint vouches for; entries after it are verified by the chain only. */
  checkpointedSeq: number;
  /** What the target already holds (seq 0 and the genesis hash: nothing); the load continues after it. */
  target: ChainHead;
  /** The vault's entries as verified, in contiguous runs, with what the load needs from their bodies. */
  runs: VerifiedRun[];
}

export interface PlanOptions {
  vaultDir: string;
  hospitals?: string[];
  force?: boolean;
  /** PEM of a public key recorded outside the vault, trusted instead of vault.json's. */
  publicKey?: string;
  onVerifying?: (hospital: string) => void;
  /** How the vault's segments are verified: split into `parts` runs, each verified by `runSegments` (default: one run, here). */
  verifyRuns?: Pick<VerifyVaultOptions, 'parts' | 'runSegments'>;
}

export async function planRestore(db: Queryable, options: PlanOptions): Promise<HospitalPlan[]> {
  const { vaultDir } = options;
  const config = await readVaultConfig(vaultDir).catch((err: Error) => { throw new RestoreRefusal(err.message); });
  if (!config) throw new RestoreRefusal(`${vaultDir} is not a vault (it has no vault.json)`);
  const hospitals = options.hospitals?.length ? options.hospitals : Object.keys(config.hospitals).sort();
  if (hospitals.length === 0) throw new RestoreRefusal(`the vault in ${vaultDir} holds no hospital yet: nothing to restore`);
  for (const hospital of hospitals) {
    if (!config.hospitals[hospital]) throw new RestoreRefusal(`the vault holds no hospital "${hospital}" (it holds: ${Object.keys(config.hospitals).sort().join(', ') || 'none'})`);
  }
  const plans: HospitalPlan[] = [];
  for (const hospital of hospitals) {
    options.onVerifying?.(hospital);
    const verified = await verifyVault(vaultDir, hospital, { publicKey: options.publicKey, ...options.verifyRuns, collect: true });
    if (!verified.ok) {
      const at = verified.checkpoint ? `at checkpoint line ${verified.checkpoint}${verified.seq !== null ? ` (sequence ${verified.seq})` : ''}`
        : verified.seq !== null ? `at sequence ${verified.seq}` : 'before its first entry';
      throw new RestoreRefusal(`the vault is damaged ${at} (hospital ${hospital}): ${verified.reason}. ` +
        `The ${verified.count} entries before it are intact. Nothing was written; restore the vault's damaged files from a copy (or use another vault) and run again.`);
    }
    plans.push({ hospital, vault: { seq: verified.headSeq, hash: verified.headHash }, checkpointedSeq: verified.checkpointedSeq, target: { seq: 0, hash: GENESIS_HASH }, runs: verified.runs ?? [] });
  }
  for (const plan of plans) plan.target = await inspectTarget(db, vaultDir, plan, options.force ?? false);
  return plans;
}

async function inspectTarget(db: Queryable, vaultDir: string, plan: HospitalPlan, force: boolean): Promise<ChainHead> {
  const { hospital, vault } = plan;
  const [head] = await db.query<ChainHead>('SELECT seq, hash FROM ledger_entry WHERE hospital_id = $1 ORDER BY seq DESC LIMIT 1', [hospital]);
  if (!head) return { seq: 0, hash: GENESIS_HASH };
  const fresh = 'Restore into a fresh data directory (--data) or an empty database instead.';
  if (head.seq > vault.seq) {
    throw new RestoreRefusal(`the target already holds ${head.seq} entries of hospital ${hospital}, more than the vault's ${vault.seq}: it is not an earlier state of this vault. ${fresh}`);
  }
  const matches = (await vaultHashAt(vaultDir, hospital, head.seq)) === head.hash;
  if (!force) {
    throw new RestoreRefusal(`the target already holds entries 1..${head.seq} of hospital ${hospital}. ` + (matches
      ? `They match the vault, so this is probably an interrupted restore: run the same command with --force to continue it after entry ${head.seq}.`
      : `They differ from the vault at or before entry ${head.seq}. ${fresh}`));
  }
  if (!matches) {
    throw new RestoreRefusal(`the target's entry ${head.seq} of hospital ${hospital} differs from the vault's: its ledger is not a prefix of the vault's history, and entries are never overwritten, even with --force. ${fresh}`);
  }
  // Equal head hashes prove equal prefixes only if the stored rows really chain up to that head.
  const intact = await verifyLedger(db, hospital, { hashInDatabase: true });
  if (!intact.ok) {
    throw new RestoreRefusal(`the target's ledger of hospital ${hospital} is broken at sequence ${intact.brokenAt} (${intact.reason}). ${fresh}`);
  }
  return head;
}

async function vaultHashAt(vaultDir: string, hospital: string, seq: number): Promise<string | undefined> {
  for await (const entry of readChain(vaultDir, hospital, seq - 1, seq)) return entry.hash;
  return undefined;
}
