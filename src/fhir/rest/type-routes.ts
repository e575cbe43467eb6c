/** Routes on a resource type: create (incl. If-None-Exist), search (GET and POST _search), conditional update, type history. */
import type { FastifyInstance } from 'fastify';
import type { AccessControl } from '../../security/access-control.js';
import { badRequest, FhirError, issue } from '../outcome.js';
import type { FhirRepository } from '../repository/repository.js';
import { history } from '../repository/history.js';
import { patientMatch } from '../../departments/registration/patient-match.js';
import { asResource, checkType, isStrict, queryPairs, requestContext, sendFhir, sendWrite } from './request-context.js';

type Params = { type: string };

export function typeRoutes(app: FastifyInstance, repo: FhirRepository, access: AccessControl) {
  app.post<{ Params: Params }>('/:type', async (request, reply) => {
    const type = checkType(request.params.type);
    const body = request.body as { resourceType?: unknown } | undefined;
    if (body && typeof body === 'object' && body.resourceType !== type) {
      throw badRequest(`the body is a ${String(body.resourceType)}, but was posted to ${type}`, 'resourceType');
    }
    const ifNoneExist = request.headers['if-none-exist'];
    await access.checkWrite(request, asResource(body), null);
    const result = await repo.create(requestContext(request), body, { ifNoneExist: typeof ifNoneExist === 'string' ? ifNoneExist : undefined });
    access.recordWritten(request, result.resource);
    return sendWrite(request, reply, result);
  });

  app.get<{ Params: Params }>('/:type', async (request, reply) => {
    const type = checkType(request.params.type);
    const bundle = await repo.search(requestContext(request), type, queryPairs(request), isStrict(request));
    await access.filterBundle(request, bundle as never, 'search');
    return sendFhir(reply, 200, bundle);
  });

  app.post<{ Params: Params }>('/:type/_search', async (request, reply) => {
    const type = checkType(request.params.type);
    const form = typeof request.body === 'string' ? [...new URLSearchParams(request.body)] : [];
    const bundle = await repo.search(requestContext(request), type, [...queryPairs(request), ...form], isStrict(request));
    await access.filterBundle(request, bundle as never, 'search');
    return sendFhir(reply, 200, bundle);
  });

  // Patient/$match (the registration desk's duplicate check, for FHIR clients): only Patient has it.
  app.post<{ Params: Params }>('/:type/$match', async (request, reply) => {
    const type = checkType(request.params.type);
    if (type !== 'Patient') throw new FhirError(404, issue('not-supported', `$match is an operation on Patient, not ${type}`));
    const bundle = await patientMatch(repo, requestContext(request), request.body);
    await access.filterBundle(request, bundle as never, 'search');
    return sendFhir(reply, 200, bundle);
  });

  app.put<{ Params: Params }>('/:type', async (request, reply) => {
    const type = checkType(request.params.type);
    const criteria = request.url.split('?')[1];
    if (!criteria) throw badRequest(`PUT ${type} needs search criteria (conditional update) or an id in the URL`);
    await access.checkWrite(request, asResource(request.body), null);
    const result = await repo.conditionalUpdate(requestContext(request), type, criteria, request.body);
    access.recordWritten(request, result.resource);
    return sendWrite(request, reply, result);
  });

  app.get<{ Params: Params }>('/:type/_history', async (request, reply) => {
    const type = checkType(request.params.type);
    const params = new URLSearchParams(request.url.split('?')[1] ?? '');
    const bundle = await history(repo.db, requestContext(request), { resourceType: type, params });
    await access.filterBundle(request, bundle as never, 'history');
    return sendFhir(reply, 200, bundle);
  });
}
