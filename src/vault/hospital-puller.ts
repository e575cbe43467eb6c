/**
 * Pulling one hospital's ledger into the vault, for as long as the vault runs:
 *   verify  re-check what the vault already holds (it will not build on damaged files)
 *   connect ask the server who it is; check the binding and that the server's history still
 *           contains the vault's latest entry
 *   pull    long-poll for entries after the vault's head, verify and store them, report durable
 * Network trouble, HTTP errors and malformed answers are waited out with backoff, for hours if need
 * be, and lead back to `connect`. A refusal (the server's history differs from the vault's, or it is
 * another hospital's server) or damage in the vault's own files stops this hospital for good: the
 * vault keeps what it holds and must not skip ahead over a rewritten history.
 */
import { Backoff, sleep } from './backoff.js';
import { ReplicationClient } from './replication-client.js';
import { VaultCorruption, VaultRefusal } from './vault-errors.js';
import { errorText, type VaultLog } from './vault-log.js';
import type { VaultStore } from './vault-store.js';
import { verifyVault } from './vault-verify.js';

export interface PullSettings {
  server: string;
  batchLimit: number;
  waitMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  verifyOnStart: boolean;
  log: VaultLog;
}

export interface HospitalOutcome {
  hospital: string;
  /** 'stopped': the vault was asked to stop. 'refused': it stopped pulling because something cannot be trusted. */
  state: 'stopped' | 'refused';
  /** What the vault holds (0 and '' when its own files are too damaged to say). */
  headSeq: number;
  headHash: string;
  reason?: string;
}

/**
 * `trusted` gets the hospital while its stored chain is known good (verified at start, or extended
 * only by checked appends since): only then may a timer sign checkpoints for it. Otherwise entries
 * edited on disk while the vault was down could be signed before the start-up verify finds them.
 */
export async function pullHospital(
  store: VaultStore, client: ReplicationClient, hospital: string, settings: PullSettings, signal: AbortSignal, trusted: Set<string>,
): Promise<HospitalOutcome> {
  const { log } = settings;
  const backoff = new Backoff(settings.retryMinMs, settings.retryMaxMs);
  let phase: 'verify' | 'connect' | 'pull' = settings.verifyOnStart && store.binding(hospital) ? 'verify' : 'connect';
  if (phase === 'connect') trusted.add(hospital);
  let reported = 0;
  let reportFailures = 0;
  const finish = async (state: HospitalOutcome['state'], reason?: string): Promise<HospitalOutcome> => {
    await reporting;
    if (state === 'refused') trusted.delete(hospital);
    // The head cannot be read back from damaged files; report what is known instead of throwing.
    const head = await store.head(hospital).catch(() => ({ seq: 0, hash: '' }));
    return { hospital, state, headSeq: head.seq, headHash: head.hash, reason };
  };
  /** Tells the server how far the vault holds, so it can acknowledge writes with ack=vault. */
  const reportDurable = async () => {
    const head = await store.head(hospital);
    if (head.seq <= reported) return;
    try {
      await client.durable(hospital, { vaultId: store.vaultId, seq: head.seq, hash: head.hash }, signal);
      if (reportFailures > 0) log('info', 'durable-report-resumed', { hospital, seq: head.seq, failedBefore: reportFailures });
      reported = head.seq;
      reportFailures = 0;
    } catch (err) {
      // Not a reason to stop pulling: the entries are safe here; the report is retried after the next batch.
      if (reportFailures++ === 0 && !signal.aborted) log('warn', 'durable-report-failed', { hospital, seq: head.seq, error: errorText(err) });
    }
  };

  let reporting: Promise<void> = Promise.resolve();
  const reportInBackground = () => {
    // A head that cannot be read now is read again with the next report; never an unhandled rejection.
    reporting = reporting.then(reportDurable).catch(() => {});
  };

  while (!signal.aborted) {
    try {
      if (phase === 'verify') {
        const started = Date.now();
        const result = await verifyVault(store.dir, hospital);
        if (!result.ok) throw new VaultCorruption(hospital, result.reason, result.seq);
        log('info', 'vault-verified', { hospital, entries: result.count, headSeq: result.headSeq, checkpoints: result.checkpoints, ms: Date.now() - started });
        trusted.add(hospital);
        phase = 'connect';
      } else if (phase === 'connect') {
        if (await connect(store, client, hospital, settings, signal)) {
          phase = 'pull';
          backoff.reset();
          await reportDurable();
        } else {
          await sleep(backoff.next(), signal); // the server has no entries yet
        }
      } else {
        const head = await store.head(hospital);
        const entries = await client.entries(hospital, head.seq, settings.batchLimit, settings.waitMs, signal);
        if (signal.aborted) break; // not stored, never reported: pulled again next time
        if (entries.length > 0) {
          const started = Date.now();
          const stored = await store.append(hospital, entries);
          log('info', 'appended', { hospital, from: entries[0].seq, to: stored.seq, count: entries.length, ms: Date.now() - started });
          // Reported while the next long poll is already out: the server learns of this batch one
          // round trip sooner, which is what a write waiting with ack=vault feels. Reports stay in order.
          reportInBackground();
          await store.checkpointIfDue(hospital);
        } else if (reported < head.seq) {
          await reporting;
          await reportDurable();
        }
        backoff.reset();
      }
    } catch (err) {
      if (err instanceof VaultRefusal) {
        log('error', 'REFUSED', { hospital, seq: err.seq, server: settings.server, reason: err.reason, action: 'stopped pulling this hospital; the vault keeps every entry it holds' });
        return finish('refused', err.message);
      }
      if (err instanceof VaultCorruption) {
        log('error', 'VAULT-DAMAGED', { hospital, seq: err.seq, file: err.file, reason: err.reason, action: 'stopped pulling this hospital; verify the vault and restore the file from a copy' });
        return finish('refused', err.message);
      }
      if (signal.aborted) break;
      const wait = backoff.next();
      log('warn', 'pull-failed', { hospital, phase, attempt: backoff.attempts, retryInMs: wait, error: errorText(err) });
      if (phase === 'pull') phase = 'connect'; // after trouble, make sure it is still the same server and history
      await sleep(wait, signal);
    }
  }
  return finish('stopped');
}

/**
 * Checks the server is the one this vault is bound to and that its history still holds the vault's
 * latest entry unchanged. False while the server's ledger is empty (nothing to bind to yet).
 */
async function connect(store: VaultStore, client: ReplicationClient, hospital: string, settings: PullSettings, signal: AbortSignal): Promise<boolean> {
  const info = await client.info(hospital, signal);
  if (info.hospital !== hospital) {
    throw new VaultRefusal(hospital, null, `the server at ${settings.server} serves hospital "${info.hospital}", not "${hospital}"`);
  }
  if (info.genesisHash === null) {
    settings.log('info', 'server-empty', { hospital, server: settings.server });
    return false;
  }
  await store.bind(hospital, info.genesisHash, settings.server);
  const head = await store.head(hospital);
  const common = Math.min(head.seq, info.headSeq);
  if (common > 0) {
    const [theirs] = await client.entries(hospital, common - 1, 1, 0, signal);
    const ours = common === head.seq ? head.hash : await hashAt(store, hospital, common);
    if (theirs && theirs.seq === common && theirs.hash !== ours) {
      throw new VaultRefusal(hospital, common, `the server's entry ${common} has hash ${theirs.hash.slice(0, 16)}… but the vault's has ${ours.slice(0, 16)}… — the server's history differs from what the vault holds (rewritten or restored from something else)`);
    }
  }
  if (info.headSeq < head.seq) {
    settings.log('warn', 'server-behind', { hospital, serverHeadSeq: info.headSeq, vaultHeadSeq: head.seq, meaning: 'the server lacks entries the vault holds: a lagging replica, or a server restored from an older copy (restore it from the vault)' });
  }
  settings.log('info', 'connected', { hospital, server: settings.server, serverHeadSeq: info.headSeq, vaultHeadSeq: head.seq });
  return true;
}

async function hashAt(store: VaultStore, hospital: string, seq: number): Promise<string> {
  for await (const entry of store.readEntries(hospital, seq - 1)) return entry.hash;
  throw new VaultCorruption(hospital, `entry ${seq} could not be read`, seq);
}
