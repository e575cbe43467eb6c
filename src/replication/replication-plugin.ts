/**
 * The ledger feed that vaults pull from (read-only), and where they report what they made durable.
 * Only a token of scope 'replication' opens it; it can read the ledger of its own hospital and
 * nothing else, and nothing here can change or delete anything in a vault.
 *
 *   GET  /replication/R1/:hospital/info
 *   GET  /replication/R1/:hospital/entries?after=SEQ&limit=N&waitMs=W   (NDJSON, long poll)
 *   POST /replication/R1/:hospital/durable   { vaultId, seq, hash }
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../store/database.js';
import { readEntries } from '../store/ledger-reader.js';
import { FhirError, badRequest, issue } from '../fhir/outcome.js';
import { fhirErrorHandler } from '../fhir/rest/error-handler.js';
import type { LedgerFeed } from './ledger-feed.js';
import type { VaultAcknowledgements } from './vault-acknowledgements.js';

export const REPLICATION_BASE = '/replication/R1';
const MAX_LIMIT = 5000;
const MAX_WAIT_MS = 25000;

export async function replicationPlugin(app: FastifyInstance, options: { db: Database; feed: LedgerFeed; acks: VaultAcknowledgements }) {
  const { db, feed, acks } = options;
  app.setErrorHandler(fhirErrorHandler);

  app.get<{ Params: { hospital: string } }>('/:hospital/info', async (request) => {
    const hospitalId = ownHospital(request);
    const [first] = await db.query('SELECT hash FROM ledger_entry WHERE hospital_id = $1 AND seq = 1', [hospitalId]);
    const [head] = await db.query('SELECT seq, hash FROM ledger_entry WHERE hospital_id = $1 ORDER BY seq DESC LIMIT 1', [hospitalId], 'ledger-head');
    return { hospital: hospitalId, genesisHash: first?.hash ?? null, headSeq: head?.seq ?? 0, headHash: head?.hash ?? null };
  });

  app.get<{ Params: { hospital: string }; Querystring: Record<string, string> }>('/:hospital/entries', async (request, reply) => {
    const hospitalId = ownHospital(request);
    const after = whole(request.query.after ?? '0', 'after');
    const limit = Math.min(whole(request.query.limit ?? '1000', 'limit'), MAX_LIMIT);
    const waitMs = Math.min(whole(request.query.waitMs ?? '0', 'waitMs'), MAX_WAIT_MS);
    let rows = await readEntries(db, hospitalId, after, limit);
    if (rows.length === 0 && waitMs > 0) {
      const closed = new AbortController();
      request.raw.once('close', () => closed.abort());
      await feed.waitForEntriesAfter(hospitalId, after, waitMs, closed.signal);
      rows = await readEntries(db, hospitalId, after, limit);
    }
    reply.type('application/x-ndjson');
    return rows.map((r) => `${JSON.stringify({ seq: r.seq, prev_hash: r.prev_hash, hash: r.hash, body: r.body })}\n`).join('');
  });

  app.post<{ Params: { hospital: string }; Body: { vaultId?: unknown; seq?: unknown; hash?: unknown } }>('/:hospital/durable', async (request, reply) => {
    const hospitalId = ownHospital(request);
    const { vaultId, seq, hash } = request.body ?? {};
    if (typeof vaultId !== 'string' || !Number.isSafeInteger(seq) || typeof hash !== 'string') {
      throw badRequest('durable needs { vaultId: string, seq: integer, hash: string }');
    }
    // A vault claiming an entry we do not have, or with another hash, is misconfigured or lying.
    const [row] = await db.query('SELECT hash FROM ledger_entry WHERE hospital_id = $1 AND seq = $2', [hospitalId, seq]);
    if (!row || row.hash !== hash) throw new FhirError(409, issue('conflict', `entry ${seq as number} with that hash is not in this ledger`));
    acks.record(hospitalId, vaultId, seq as number, hash);
    return reply.code(204).send();
  });
}

/** A vault's credential belongs to one hospital; it reads that hospital's ledger only. */
function ownHospital(request: FastifyRequest): string {
  const { hospital } = request.params as { hospital: string };
  if (!request.principal || request.principal.hospitalId !== hospital) {
    throw new FhirError(403, issue('forbidden', 'this credential is not for that hospital'));
  }
  return hospital;
}

function whole(value: string, name: string): number {
  if (!/^\d{1,15}$/.test(value)) throw badRequest(`${name} must be a whole number`);
  return Number(value);
}
