/** Routes on a resource type: create (incl. If-None-Exist), search (GET and POST _search), conditional update, type history. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../outcome.js';
import type { FhirRepository } from '../repository/repository.js';
import { history } from '../repository/history.js';
import { checkType, isStrict, queryPairs, requestContext, sendFhir, sendWrite } from './request-context.js';

type Params = { type: string };

export function typeRoutes(app: FastifyInstance, repo: FhirRepository) {
  app.post<{ Params: Params }>('/:type', async (request, reply) => {
    const type = checkType(request.params.type);
    const body = request.body as { resourceType?: unknown } | undefined;
    if (body && typeof body === 'object' && body.resourceType !== type) {
      throw badRequest(`the body is a ${String(body.resourceType)}, but was posted to ${type}`, 'resourceType');
    }
    const ifNoneExist = request.headers['if-none-exist'];
    const result = await repo.create(requestContext(request), body, { ifNoneExist: typeof ifNoneExist === 'string' ? ifNoneExist : undefined });
    return sendWrite(request, reply, result);
  });

  app.get<{ Params: Params }>('/:type', async (request, reply) => {
    const type = checkType(request.params.type);
    return sendFhir(reply, 200, await repo.search(requestContext(request), type, queryPairs(request), isStrict(request)));
  });

  app.post<{ Params: Params }>('/:type/_search', async (request, reply) => {
    const type = checkType(request.params.type);
    const form = typeof request.body === 'string' ? [...new URLSearchParams(request.body)] : [];
    return sendFhir(reply, 200, await repo.search(requestContext(request), type, [...queryPairs(request), ...form], isStrict(request)));
  });

  app.put<{ Params: Params }>('/:type', async (request, reply) => {
    const type = checkType(request.params.type);
    const criteria = request.url.split('?')[1];
    if (!criteria) throw badRequest(`PUT ${type} needs search criteria (conditional update) or an id in the URL`);
    return sendWrite(request, reply, await repo.conditionalUpdate(requestContext(request), type, criteria, request.body));
  });

  app.get<{ Params: Params }>('/:type/_history', async (request, reply) => {
    const type = checkType(request.params.type);
    const params = new URLSearchParams(request.url.split('?')[1] ?? '');
    return sendFhir(reply, 200, await history(repo.db, requestContext(request), { resourceType: type, params }));
  });
}
