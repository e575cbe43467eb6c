/**
 * The single write path. Every write is planned and appended under the hospital's chain lock, and
 * acknowledged only after COMMIT (fsync'd by PostgreSQL).
 *
 * Writes that arrive together are appended in one database transaction (group commit): each still
 * gets its own ledger entry, sequence number and chain hash, but they share one fsync. Without this
 * the chain lock, held until COMMIT, would cap a hospital at one fsync per write. If a batch fails
 * for an unexpected reason, each of its writes is retried on its own, so one bad write never takes
 * down its neighbours.
 */
import type { Database, Queryable } from './database.js';
import { GENESIS_HASH, sealEntry, type LedgerEntry, type LedgerEntryBody, type VersionWrite } from './ledger-entry.js';
import { indexRowsOf, insertIndexRows, projectEntries } from './projection.js';
import { readEntry } from './ledger-reader.js';

/** What a write wants to append, decided by reading the current state under the chain lock. */
export interface WritePlan<R> {
  interaction: string;
  versions: VersionWrite[];
  responses?: unknown[];
  /** Access records to chain (interaction 'audit'): an entry is written for them even without versions. */
  audit?: object[];
  /** The value returned to the caller once the entry is durable. */
  result: R;
}

export interface WriteRequest<R> {
  hospitalId: string;
  actor: string;
  sourceIp: string | null;
  requestId: string | null;
  requestHash: string | null;
  /**
   * Reads whatever it needs through `tx` and returns the versions to write. It must not write
   * (the writer does) and may throw (a FhirError): then this write fails and nothing is appended.
   * `time` is the entry's timestamp, to be used as meta.lastUpdated.
   */
  plan(tx: Queryable, time: string): Promise<WritePlan<R>>;
  /**
   * False when plan() reads nothing that earlier writes of the same batch could change (a plain
   * create with a server-assigned id): such writes are inserted together with their neighbours.
   */
  readsState?: boolean;
  /** Called instead of plan() when requestId was already applied: rebuild the first result. */
  replay(tx: Queryable, entry: LedgerEntryBody): Promise<R>;
}

interface Pending {
  request: WriteRequest<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

const MAX_BATCH = 64;
const MAX_IN_FLIGHT = 2;

/**
 * Called after each COMMIT that appended entries, before any write of the batch is acknowledged:
 * the place for "durable in the vault too" (ack=vault) and for waking the replication feed. If it
 * throws, the batch's writers get that error (their entries are committed; a retry with the same
 * X-Request-Id returns the first result).
 */
export type AfterCommit = (hospitalId: string, lastSeq: number) => Promise<void>;

export class LedgerWriter {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(private readonly db: Database, private readonly afterCommit?: AfterCommit) {}

  append<R>(request: WriteRequest<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ request: request as WriteRequest<unknown>, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  /**
   * Keeps up to MAX_IN_FLIGHT batch transactions going. They queue on the chain lock in
   * PostgreSQL, so the next batch's BEGIN, early planning and index inserts overlap the current
   * batch's COMMIT (fsync) instead of waiting behind it.
   */
  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      // One hospital per transaction: each hospital has its own chain and lock.
      const hospitalId = this.queue[0].request.hospitalId;
      const batch: Pending[] = [];
      this.queue = this.queue.filter((p) => {
        if (batch.length < MAX_BATCH && p.request.hospitalId === hospitalId) {
          batch.push(p);
          return false;
        }
        return true;
      });
      this.inFlight++;
      void this.appendBatch(hospitalId, batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async appendBatch(hospitalId: string, batch: Pending[]): Promise<void> {
    let outcomes: Outcome[];
    let lastSeq: number | undefined;
    try {
      ({ outcomes, lastSeq } = await this.db.transaction((tx) => appendInTransaction(tx, hospitalId, batch.map((p) => p.request))));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      for (const p of batch) await this.appendBatch(hospitalId, [p]);
      return;
    }
    if (lastSeq !== undefined && this.afterCommit) {
      try {
        await this.afterCommit(hospitalId, lastSeq);
      } catch (err) {
        for (const p of batch) p.reject(err);
        return;
      }
    }
    outcomes.forEach((o, i) => (o.ok ? batch[i].resolve(o.value) : batch[i].reject(o.error)));
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function appendInTransaction(
  tx: Queryable,
  hospitalId: string,
  requests: WriteRequest<unknown>[],
): Promise<{ outcomes: Outcome[]; lastSeq?: number }> {
  const outcomes: Outcome[] = new Array(requests.length);
  // Plain creates are planned and their index rows inserted before the chain lock is taken.
  const early = await planCreatesEarly(tx, hospitalId, requests, outcomes);

  const [head] = await tx.query<{ seq: number | null; hash: string | null }>(
    'SELECT seq, hash FROM nirantar_lock_ledger_head($1)', [hospitalId], 'ledger-lock-head',
  );
  const firstSeq = head?.seq ?? 0;
  let seq = firstSeq;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const seen = await appliedRequestIds(tx, hospitalId, requests);
  // Entries sealed but not yet inserted. They are inserted together (one statement for the ledger
  // and the projections) unless a later write needs to read the state they change.
  const pending: Array<{ sealed: LedgerEntry; body: LedgerEntryBody }> = [];
  const inBatch = new Map<string, LedgerEntryBody>();
  const flush = async () => {
    if (pending.length === 0) return;
    await projectEntries(tx, pending.map((p) => p.body), { ledger: pending.map((p) => p.sealed), indexed: early.indexed });
    pending.length = 0;
  };
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i];
    if (outcomes[i]) continue; // failed while planned early
    try {
      if (request.requestId) {
        const earlier = inBatch.get(request.requestId) ?? (seen.has(request.requestId) ? await readEntry(tx, hospitalId, seen.get(request.requestId)!) : undefined);
        if (earlier) {
          await early.discard(request);
          outcomes[i] = { ok: true, value: await request.replay(tx, earlier) };
          continue;
        }
      }
      let plan = early.plans.get(request);
      if (!plan) {
        if (request.readsState !== false) await flush();
        plan = await request.plan(tx, new Date().toISOString());
      }
      // Nothing to write (an unchanged PUT): no entry. Audit events alone do make one.
      const audit = plan.audit?.length ? plan.audit : undefined;
      if (plan.versions.length === 0 && !audit) {
        outcomes[i] = { ok: true, value: plan.result };
        continue;
      }
      const body: LedgerEntryBody = {
        hospital: hospitalId, seq: seq + 1, time: plan.versions[0]?.lastUpdated ?? new Date().toISOString(), actor: request.actor,
        sourceIp: request.sourceIp, requestId: request.requestId, requestHash: request.requestHash, interaction: plan.interaction,
        versions: plan.versions, ...(plan.responses ? { responses: plan.responses } : {}), ...(audit ? { audit } : {}),
      };
      const sealed = sealEntry(prevHash, body);
      pending.push({ sealed, body });
      if (request.requestId) inBatch.set(request.requestId, body);
      seq = sealed.seq;
      prevHash = sealed.hash;
      outcomes[i] = { ok: true, value: plan.result };
    } catch (error) {
      // plan() threw before anything of this write reached the database (it only reads), so the
      // transaction is still clean. A failure of the INSERTs themselves aborts the transaction and
      // is handled by the caller, which retries each write alone.
      if (isDatabaseError(error)) throw error;
      outcomes[i] = { ok: false, error };
    }
  }
  await flush();
  return { outcomes, lastSeq: seq > firstSeq ? seq : undefined };
}

/**
 * Plans the writes that read nothing (plain creates) and inserts their search index rows, all before
 * the chain lock. What stays under the lock is the idempotency check, sealing, the ledger rows and
 * the version rows. A write that turns out to be a replay has its early index rows removed again.
 */
async function planCreatesEarly(tx: Queryable, hospitalId: string, requests: WriteRequest<unknown>[], outcomes: Outcome[]) {
  const plans = new Map<WriteRequest<unknown>, WritePlan<unknown>>();
  const indexed = new Set<VersionWrite>();
  const rows: object[] = [];
  const time = new Date().toISOString();
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i];
    if (request.readsState !== false) continue;
    try {
      const plan = await request.plan(tx, time);
      plans.set(request, plan);
      for (const v of plan.versions) {
        if (v.versionId !== 1) continue;
        rows.push(...indexRowsOf(hospitalId, v));
        indexed.add(v);
      }
    } catch (error) {
      if (isDatabaseError(error)) throw error;
      outcomes[i] = { ok: false, error };
    }
  }
  await insertIndexRows(tx, rows);
  const discard = async (request: WriteRequest<unknown>) => {
    const versions = plans.get(request)?.versions.filter((v) => indexed.has(v)) ?? [];
    for (const v of versions) {
      await tx.query('DELETE FROM search_index WHERE hospital_id = $1 AND resource_type = $2 AND resource_id = $3', [hospitalId, v.resourceType, v.id]);
    }
  };
  return { plans, indexed, discard };
}

/** Which of these requests' idempotency keys were already applied, and by which entry (one query). */
async function appliedRequestIds(tx: Queryable, hospitalId: string, requests: WriteRequest<unknown>[]): Promise<Map<string, number>> {
  const ids = requests.map((r) => r.requestId).filter((id): id is string => id !== null);
  if (ids.length === 0) return new Map();
  const rows = await tx.query<{ request_id: string; seq: number }>(
    'SELECT request_id, seq FROM request_key WHERE hospital_id = $1 AND request_id = ANY($2::text[])',
    [hospitalId, ids],
    'request-keys',
  );
  return new Map(rows.map((r) => [r.request_id, r.seq]));
}

function isDatabaseError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'severity' in error && 'code' in error && !('outcome' in error);
}
