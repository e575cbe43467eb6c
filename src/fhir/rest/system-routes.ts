/** Routes on the base URL: metadata, batch/transaction, system history. */
import type { FastifyInstance } from 'fastify';
import type { FhirRepository } from '../repository/repository.js';
import { history } from '../repository/history.js';
import { capabilityStatement } from '../capability-statement.js';
import { requestContext, sendFhir } from './request-context.js';

export function systemRoutes(app: FastifyInstance, repo: FhirRepository) {
  let capability: unknown;
  app.get('/metadata', async (request, reply) => {
    capability ??= capabilityStatement(`${request.protocol}://${request.headers.host ?? 'localhost'}/fhir/R4`);
    return sendFhir(reply, 200, capability);
  });

  app.post('/', async (request, reply) => sendFhir(reply, 200, await repo.bundle(requestContext(request), request.body)));

  app.get('/_history', async (request, reply) => {
    const params = new URLSearchParams(request.url.split('?')[1] ?? '');
    return sendFhir(reply, 200, await history(repo.db, requestContext(request), { params }));
  });
}
