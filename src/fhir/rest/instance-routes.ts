/** Routes on one resource: read, vread, update, patch, delete, instance history. */
import type { FastifyInstance } from 'fastify';
import type { AccessControl } from '../../security/access-control.js';
import { badRequest, gone, notFound } from '../outcome.js';
import { currentVersionText, versionText } from '../repository/current-version.js';
import type { FhirRepository } from '../repository/repository.js';
import { history } from '../repository/history.js';
import { parseETag } from '../repository/version-plans.js';
import { asResource, checkId, checkType, ifMatchHeader, requestContext, sendFhir, sendWrite } from './request-context.js';

type Params = { type: string; id: string; vid?: string };

export function instanceRoutes(app: FastifyInstance, repo: FhirRepository, access: AccessControl) {
  app.get<{ Params: Params }>('/:type/:id', async (request, reply) => {
    const type = checkType(request.params.type);
    const id = checkId(type, request.params.id);
    const ctx = requestContext(request);
    const found = await currentVersionText(repo.db, ctx.hospitalId, type, id);
    if (!found) throw notFound(`${type}/${id} does not exist`);
    reply.header('ETag', `W/"${found.versionId}"`).header('Last-Modified', found.lastUpdated.toUTCString());
    if (found.deleted || found.text === null) throw gone(`${type}/${id} was deleted (version ${found.versionId})`);
    await access.checkReadText(request, type, id, found.text);
    return sendFhir(reply, 200, found.text);
  });

  app.get<{ Params: Params }>('/:type/:id/_history/:vid', async (request, reply) => {
    const type = checkType(request.params.type);
    const id = checkId(type, request.params.id);
    if (!/^\d{1,9}$/.test(request.params.vid ?? '')) throw badRequest(`"${request.params.vid}" is not a version id`);
    const ctx = requestContext(request);
    const found = await versionText(repo.db, ctx.hospitalId, type, id, Number(request.params.vid));
    if (!found) throw notFound(`${type}/${id} has no version ${request.params.vid}`);
    reply.header('ETag', `W/"${request.params.vid}"`).header('Last-Modified', found.lastUpdated.toUTCString());
    if (found.deleted || found.text === null) throw gone(`${type}/${id} version ${request.params.vid} is a deletion`);
    await access.checkReadText(request, type, id, found.text);
    return sendFhir(reply, 200, found.text);
  });

  app.get<{ Params: Params }>('/:type/:id/_history', async (request, reply) => {
    const type = checkType(request.params.type);
    const id = checkId(type, request.params.id);
    const ctx = requestContext(request);
    const params = new URLSearchParams(request.url.split('?')[1] ?? '');
    const bundle = await history(repo.db, ctx, { resourceType: type, id, params });
    if ((bundle.entry as unknown[]).length === 0 && !params.has('_since') && !params.has('_offset')) throw notFound(`${type}/${id} does not exist`);
    await access.checkHistory(request, bundle as never);
    return sendFhir(reply, 200, bundle);
  });

  app.put<{ Params: Params }>('/:type/:id', async (request, reply) => {
    const type = checkType(request.params.type);
    const id = checkId(type, request.params.id);
    const ifMatch = ifMatchHeader(request);
    await access.checkWrite(request, asResource(request.body), await access.existingForScope(request, type, id));
    const result = await repo.update(requestContext(request), type, id, request.body, { ifMatch: ifMatch ? parseETag(ifMatch) : undefined });
    access.recordWritten(request, result.resource);
    return sendWrite(request, reply, result);
  });

  app.patch<{ Params: Params }>('/:type/:id', async (request, reply) => {
    const type = checkType(request.params.type);
    const id = checkId(type, request.params.id);
    const ifMatch = ifMatchHeader(request);
    await access.checkWrite(request, undefined, await access.existingForScope(request, type, id));
    const result = await repo.patch(requestContext(request), type, id, request.body, { ifMatch: ifMatch ? parseETag(ifMatch) : undefined });
    access.recordWritten(request, result.resource);
    return sendWrite(request, reply, result);
  });

  app.delete<{ Params: Params }>('/:type/:id', async (request, reply) => {
    const type = checkType(request.params.type);
    const id = checkId(type, request.params.id);
    await access.checkWrite(request, undefined, await access.existingForScope(request, type, id));
    const result = await repo.delete(requestContext(request), type, id);
    if (result) reply.header('ETag', `W/"${result.versionId}"`);
    return reply.code(204).send();
  });
}
