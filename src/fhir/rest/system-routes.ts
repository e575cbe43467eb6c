/** Routes on the base URL: metadata, batch/transaction, system history. */
import type { FastifyInstance } from 'fastify';
import type { AccessControl } from '../../security/access-control.js';
import type { FhirRepository } from '../repository/repository.js';
import { history } from '../repository/history.js';
import { capabilityStatement } from '../capability-statement.js';
import { requestContext, sendFhir } from './request-context.js';

export function systemRoutes(app: FastifyInstance, repo: FhirRepository, access: AccessControl) {
  // One CapabilityStatement per role: what this caller's role may do (the permission table).
  const capabilities = new Map<string, unknown>();
  app.get('/metadata', async (request, reply) => {
    const role = request.principal?.role ?? 'none';
    const base = `${request.protocol}://${request.headers.host ?? 'localhost'}/fhir/R4`;
    let statement = capabilities.get(`${role} ${base}`);
    if (!statement) {
      statement = capabilityStatement(base, request.principal?.role ?? null);
      if (capabilities.size > 100) capabilities.clear();
      capabilities.set(`${role} ${base}`, statement);
    }
    return sendFhir(reply, 200, statement);
  });

  app.post('/', async (request, reply) => {
    await access.checkBundle(request, request.body);
    return sendFhir(reply, 200, await repo.bundle(requestContext(request), request.body));
  });

  app.get('/_history', async (request, reply) => {
    const params = new URLSearchParams(request.url.split('?')[1] ?? '');
    const bundle = await history(repo.db, requestContext(request), { params });
    await access.filterBundle(request, bundle as never, 'history');
    return sendFhir(reply, 200, bundle);
  });
}
