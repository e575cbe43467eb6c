/**
 * The continuity server serves a restored copy while the main system is down. Writing to it would
 * fork the hospital's history (the main system's ledger and the vault would not know those
 * entries), so every FHIR write is refused with 503 and an OperationOutcome saying why. A search
 * sent as POST …/_search is a read and passes.
 */
import type { FastifyRequest } from 'fastify';
import { FhirError, issue } from '../fhir/outcome.js';

export const READ_ONLY_MESSAGE = 'read-only continuity server: the main system is down; writes are refused';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** An onRequest hook refusing writes under `prefix` (run after authentication). */
export function refuseWrites(prefix: string) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!WRITES.has(request.method) || !request.url.startsWith(prefix)) return;
    if (request.method === 'POST' && /\/_search(?:\?|$)/.test(request.url)) return;
    throw new FhirError(503, issue('transient', READ_ONLY_MESSAGE));
  };
}
