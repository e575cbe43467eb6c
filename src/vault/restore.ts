/**
 * restoreVault: the vault back into a PostgreSQL, for each hospital it holds (or those named).
 *
 *   1. plan      verify the vault end to end (split over the worker threads) and inspect the target;
 *                refuse before writing anything
 *   2. load      two streams side by side: the ledger rows by COPY in chunks that commit one by one
 *                (resumable), read on this thread; and the projection on two more connections, its
 *                rows computed by the worker threads, one verified run each: every version, and the
 *                current state and search index of each resource's last version (known from the
 *                verification's facts). Then the audit trail's events, from the committed ledger rows
 *   3. indexes   rebuild the projection tables' indexes; the current state commits first, the search
 *                index when its indexes are built
 *   4. verify    walk the restored ledger's chain (verifyLedger, PostgreSQL hashing the bodies; begun
 *                once the ledger was loaded), check its head is the vault's, and compute the state hash
 *                of what the database now serves (begun once the current state was committed)
 *
 * It returns only when all of it succeeded; any failure throws, and the database then holds an
 * interrupted restore: committed ledger chunks, perhaps the current state, and the mark of a restore in
 * progress (restore_in_progress), written before the first write and removed only after step 4, which
 * makes the server refuse to start on it. Never a silently partial database. Running it again with
 * `force` continues it.
 */
import type { Database } from '../store/database.js';
import { verifyLedger, type VerifyResult } from '../store/ledger-verify.js';
import { ensureHospital } from '../store/open-store.js';
import { PROJECTION_TABLES } from '../store/rebuild.js';
import { clearRestoreMarks, markRestoreStarted } from '../store/restore-marker.js';
import { stateHash, type StateHash } from '../store/state-hash.js';
import { openRestoreConnection, type RestoreConnection } from './restore-connection.js';
import { IndexWorkers } from './restore-index-workers.js';
import { LedgerLoader, type ChainHead, type LedgerChunking } from './restore-ledger.js';
import { planRestore, type HospitalPlan, type PlanOptions } from './restore-plan.js';
import type { RestoreProgress } from './restore-progress.js';
import { ProjectionLoad } from './restore-projection.js';
import { readLedgerForRestore } from './restore-reader.js';

export { RestoreRefusal } from './restore-plan.js';

/** Something went wrong after writing began: the target holds an interrupted restore. */
export class RestoreFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RestoreFailure';
  }
}

export interface RestoreTarget {
  /** The owner's connection (migrations applied). */
  admin: Database;
  /** The owner's URL, for the restore's own dedicated connections. */
  adminUrl: string;
}

export interface RestoreOptions extends Omit<PlanOptions, 'onVerifying' | 'verifyRuns'> {
  chunk?: LedgerChunking;
  /** Worker threads computing the search index (default: the CPUs, at most 4). */
  workers?: number;
  onProgress?: (p: RestoreProgress) => void;
}

export interface RestoredHospital {
  hospital: string;
  entries: number;
  /** Entries this run loaded (less than `entries` when it continued an interrupted restore). */
  loadedEntries: number;
  versions: number;
  resources: number;
  head: ChainHead;
  state: string;
  /** Entries after this one are verified by the chain but vouched for by no signed checkpoint. */
  checkpointedSeq: number;
}

export async function restoreVault(target: RestoreTarget, options: RestoreOptions): Promise<RestoredHospital[]> {
  const progress = options.onProgress ?? (() => {});
  // Started now: they load the definitions, then verify the vault's segments.
  const workers = new IndexWorkers(options.workers);
  try {
    return await restoreWith(target, options, progress, workers);
  } finally {
    await workers.close();
  }
}

async function restoreWith(target: RestoreTarget, options: RestoreOptions, progress: (p: RestoreProgress) => void, workers: IndexWorkers): Promise<RestoredHospital[]> {
  const plans = await planRestore(target.admin, {
    ...options,
    onVerifying: (hospital) => progress({ phase: 'verify vault', hospital, done: 0, total: 0, versions: 0 }),
    // Re-hashing the vault is split over the workers: one run of segments each.
    verifyRuns: { parts: workers.size, runSegments: (run) => workers.verify(run) },
  });
  await workers.whenReady(); // a worker that cannot start must stop the restore before it writes anything
  for (const plan of plans) await ensureHospital(target.admin, plan.hospital, `${plan.hospital} (restored from vault)`);
  // From the first write until everything is verified, the server refuses to start on this database.
  await markRestoreStarted(target.admin, plans.map((p) => ({ hospital: p.hospital, vaultSeq: p.vault.seq })));
  const connections: RestoreConnection[] = [];
  let projection: ProjectionLoad | undefined;
  try {
    const open = async () => {
      const c = await openRestoreConnection(target.adminUrl);
      connections.push(c);
      return c;
    };
    const ledgerDb = await open();
    projection = await ProjectionLoad.begin(await open(), await open(), plans.map((p) => p.hospital));
    const counts: LoadCounts[] = [];
    for (const plan of plans) counts.push(await loadHospital(options, plan, target.admin, ledgerDb, projection, workers, progress));
    const all = plans.map((p) => p.hospital).join(',');
    const committing = projection.commit((done, total) => progress({ phase: 'build indexes', hospital: all, done, total, versions: 0 }));
    // The current state is committed before the search index: its state hash is computed while the
    // search index's indexes are still being built (the ledger's walk began when it was loaded).
    await committing.state;
    const states = plans.map((plan) => stateHash(target.admin, plan.hospital, { canonicalize: (resources) => workers.canonicalize(resources) }));
    states.forEach((s) => s.catch(() => {})); // awaited below, after the search index; a failure before then must not go unhandled
    await committing.search;
    projection = undefined;
    // Fresh planner statistics: the tables were just filled (rebuild does the same).
    for (const table of [...PROJECTION_TABLES, 'ledger_entry']) await target.admin.query(`ANALYZE ${table}`);
    const restored: RestoredHospital[] = [];
    for (const [i, plan] of plans.entries()) {
      progress({ phase: 'verify', hospital: plan.hospital, done: 0, total: 0, versions: 0 });
      restored.push(await checkRestored(plan, counts[i], await states[i]));
    }
    await clearRestoreMarks(target.admin, plans.map((p) => p.hospital));
    return restored;
  } catch (err) {
    await projection?.rollback();
    if (err instanceof RestoreFailure || (err as Error).name === 'RestoreRefusal') throw err;
    throw new RestoreFailure(`the restore stopped: ${(err as Error).message}`, { cause: err });
  } finally {
    for (const c of connections) await c.close();
  }
}

interface LoadCounts {
  loadedEntries: number;
  versions: number;
  resources: number;
  /** verifyLedger of the restored ledger, started as soon as the ledger was committed. */
  verified: Promise<VerifyResult>;
}

async function loadHospital(
  options: RestoreOptions, plan: HospitalPlan, admin: Database, ledgerDb: RestoreConnection, projection: ProjectionLoad, workers: IndexWorkers,
  progress: (p: RestoreProgress) => void,
): Promise<LoadCounts> {
  const { hospital, vault, target, runs } = plan;
  const versions = runs.reduce((n, r) => n + r.facts.versionKeys.length, 0);
  const ledger = new LedgerLoader(ledgerDb, hospital, target, options.chunk);
  let done = 0;
  let seen = 0;
  const ledgerLoaded = loadLedger(options.vaultDir, plan, ledger);
  // Once the ledger is committed, its chain is walked on another connection while the projection goes on.
  const verified = ledgerLoaded.then(() => verifyLedger(admin, hospital, { hashInDatabase: true }));
  verified.catch(() => {}); // awaited in checkRestored; a restore failing before then must not leave it unhandled
  const projected = projection.load(workers, { vaultDir: options.vaultDir, hospital }, runs, (entries, v) => {
    done += entries;
    seen += v;
    progress({ phase: 'load', hospital, done, total: vault.seq, versions: seen });
  });
  let loaded;
  try {
    [, loaded] = await Promise.all([ledgerLoaded, projected]);
  } catch (err) {
    await ledger.abort(err as Error);
    throw err;
  }
  // The workers read the vault again; each read must end where the verification's run ended.
  for (const [i, run] of runs.entries()) {
    if (loaded.lastHashes[i] !== run.headHash) throw new RestoreFailure(`hospital ${hospital}: the second read of the vault's entries ${run.after + 1}..${run.upto} ended at another hash than the verification`);
  }
  plan.runs = []; // their facts (a string per resource version) are not needed any more
  await projection.addAuditEvents(hospital, loaded.auditSeqs);
  return { loadedEntries: vault.seq - target.seq, versions, resources: loaded.resources, verified };
}

/** The ledger rows after what the target holds, each with its time as the verification read it. */
async function loadLedger(vaultDir: string, plan: HospitalPlan, ledger: LedgerLoader): Promise<void> {
  const { hospital, vault, target, runs } = plan;
  const times = runs.flatMap((r) => r.facts.times); // entry seq's time is times[seq - 1]: the runs cover 1..vault.seq
  for await (const entry of readLedgerForRestore(vaultDir, hospital, { after: target.seq, prevHash: target.hash, upto: vault.seq })) {
    await ledger.add(entry, times[entry.seq - 1]);
  }
  const head = await ledger.finish();
  if (head.seq !== vault.seq || (vault.seq > 0 && head.hash !== vault.hash)) {
    throw new RestoreFailure(`hospital ${hospital}: the ledger was loaded up to entry ${head.seq}, but the vault's head is ${vault.seq}`);
  }
}

async function checkRestored(plan: HospitalPlan, counts: LoadCounts, state: StateHash): Promise<RestoredHospital> {
  const { hospital, vault } = plan;
  const verified = await counts.verified;
  if (!verified.ok) {
    throw new RestoreFailure(`the restored ledger of hospital ${hospital} does not verify: broken at sequence ${verified.brokenAt} (${verified.reason})`);
  }
  if (verified.headSeq !== vault.seq || (vault.seq > 0 && verified.headHash !== vault.hash)) {
    throw new RestoreFailure(`the restored ledger of hospital ${hospital} ends at entry ${verified.headSeq} ${verified.headHash}, the vault at ${vault.seq} ${vault.hash}`);
  }
  if (state.resources !== counts.resources) {
    throw new RestoreFailure(`the restored current state of hospital ${hospital} has ${state.resources} resources, but the ledger names ${counts.resources}`);
  }
  return {
    hospital, entries: verified.count, loadedEntries: counts.loadedEntries, versions: counts.versions, resources: state.resources,
    head: { seq: verified.headSeq, hash: verified.headHash }, state: state.hash, checkpointedSeq: plan.checkpointedSeq,
  };
}
