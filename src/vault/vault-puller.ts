/**
 * runVault: the vault process. Opens (or creates) the vault directory, pulls each hospital's ledger
 * from the server until `signal` aborts, signs checkpoints on schedule, and on the way out signs a
 * last checkpoint of whatever it holds. It stops between appends, never inside one.
 */
import { ReplicationClient } from './replication-client.js';
import { assertHospitalId } from './vault-config.js';
import { pullHospital, type HospitalOutcome } from './hospital-puller.js';
import { errorText, stderrLog, type VaultLog } from './vault-log.js';
import { VaultStore, type VaultStoreOptions } from './vault-store.js';

export interface RunVaultOptions {
  dir: string;
  /** Base URL of the Nirantar server, e.g. https://his.example.org */
  server: string;
  /** The read-only replication credential the server issued for this vault. */
  credential: string;
  /** Hospitals to pull (default ['demo']). */
  hospitals?: string[];
  signal: AbortSignal;
  log?: VaultLog;
  batchLimit?: number; // default 1000
  waitMs?: number; // long poll, default 20 000
  retryMinMs?: number; // default 1000
  retryMaxMs?: number; // default 60 000
  /** Re-verify what the vault holds before pulling more (default true). */
  verifyOnStart?: boolean;
  store?: Omit<VaultStoreOptions, 'create' | 'log'>;
}

export async function runVault(options: RunVaultOptions): Promise<HospitalOutcome[]> {
  const log = options.log ?? stderrLog;
  const hospitals = options.hospitals?.length ? options.hospitals : ['demo'];
  hospitals.forEach(assertHospitalId);
  const store = await VaultStore.open(options.dir, { ...options.store, create: true, log });
  log('info', 'vault-started', { dir: store.dir, vaultId: store.vaultId, keyId: store.keyId, server: options.server, hospitals: hospitals.join(','), retentionDays: store.retentionDays });
  const client = new ReplicationClient(options.server, options.credential);
  const settings = {
    server: options.server, log,
    batchLimit: options.batchLimit ?? 1000, waitMs: options.waitMs ?? 20_000,
    retryMinMs: options.retryMinMs ?? 1000, retryMaxMs: options.retryMaxMs ?? 60_000,
    verifyOnStart: options.verifyOnStart ?? true,
  };
  const trusted = new Set<string>(); // see pullHospital: only these get checkpoints signed
  // The "every T seconds" half of the checkpoint rule: the pull loop may sit in a long poll meanwhile.
  const ticker = setInterval(() => {
    for (const hospital of trusted) {
      store.checkpointIfDue(hospital).catch((err) => log('error', 'checkpoint-failed', { hospital, error: errorText(err) }));
    }
  }, Math.min(1000, options.store?.checkpointEveryMs ?? 1000));
  try {
    // pullHospital does not throw by design; allSettled keeps one hospital's bug from closing the
    // store under the others while they are still pulling.
    const settled = await Promise.allSettled(hospitals.map((hospital) => pullHospital(store, client, hospital, settings, options.signal, trusted)));
    return settled.map((s, i) => s.status === 'fulfilled' ? s.value
      : { hospital: hospitals[i], state: 'refused' as const, headSeq: 0, headHash: '', reason: `the pull loop failed: ${errorText(s.reason)}` });
  } finally {
    clearInterval(ticker);
    for (const hospital of trusted) {
      await store.checkpoint(hospital).catch((err) => log('error', 'checkpoint-failed', { hospital, error: errorText(err) }));
    }
    await store.close();
    log('info', 'vault-stopped', { vaultId: store.vaultId });
  }
}
