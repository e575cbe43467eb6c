/** GET /api/status: the ledger head and the vault's position and lag, for the IT desk and monitoring. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../store/database.js';
import { fhirErrorHandler } from '../fhir/rest/error-handler.js';
import type { VaultAcknowledgements } from './vault-acknowledgements.js';

export async function statusPlugin(app: FastifyInstance, options: { db: Database; acks: VaultAcknowledgements }) {
  app.setErrorHandler(fhirErrorHandler);
  app.get('/status', async (request) => {
    const hospitalId = request.principal!.hospitalId;
    const [head] = await options.db.query('SELECT seq, hash FROM ledger_entry WHERE hospital_id = $1 ORDER BY seq DESC LIMIT 1', [hospitalId], 'ledger-head');
    const durable = options.acks.durableSeq(hospitalId);
    const [oldest] = await options.db.query('SELECT recorded_at FROM ledger_entry WHERE hospital_id = $1 AND seq = $2', [hospitalId, durable + 1]);
    return {
      hospital: hospitalId,
      ledger: { headSeq: head?.seq ?? 0, headHash: head?.hash ?? null },
      vault: options.acks.status(hospitalId, head?.seq ?? 0, oldest ? new Date(oldest.recorded_at) : null),
    };
  });
}
