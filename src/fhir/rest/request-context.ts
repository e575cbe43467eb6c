/** Turns an HTTP request into the repository's RequestContext, and answers the FHIR way. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson, sha256Hex } from '../../store/ledger-entry.js';
import { badRequest, FhirError, issue } from '../outcome.js';
import type { RequestContext, FhirResource } from '../repository/context.js';
import { isSupportedResourceType } from '../resource-types.js';
import type { WriteResult } from '../repository/repository.js';

export const FHIR_BASE = '/fhir/R4';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function requestContext(request: FastifyRequest): RequestContext {
  const principal = request.principal;
  if (!principal) throw new FhirError(401, issue('login', 'authentication required'));
  const header = request.headers['x-request-id'];
  const requestId = typeof header === 'string' ? header : null;
  if (requestId !== null && !REQUEST_ID.test(requestId)) {
    throw badRequest('X-Request-Id must be 1-128 characters of letters, digits and ._:-');
  }
  const requestHash = requestId ? sha256Hex(`${request.method} ${request.url}\n${request.body === undefined ? '' : canonicalJson(request.body)}`) : null;
  return {
    hospitalId: principal.hospitalId,
    actor: principal.principal,
    sourceIp: request.ip ?? null,
    requestId,
    requestHash,
    baseUrl: `${request.protocol}://${request.headers.host ?? 'localhost'}${FHIR_BASE}`,
  };
}

export function checkType(type: string): string {
  if (!isSupportedResourceType(type)) throw new FhirError(404, issue('not-supported', `unknown resource type "${type}"`));
  return type;
}

export function checkId(type: string, id: string): string {
  if (!FHIR_ID.test(id)) throw badRequest(`"${id}" is not a valid id (1-64 letters, digits, '-' and '.')`, `${type}.id`);
  return id;
}

export function sendFhir(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).type('application/fhir+json; charset=utf-8').send(body);
}

/** Sends the result of a write with ETag, Last-Modified, Location and the Prefer'd body. */
export function sendWrite(request: FastifyRequest, reply: FastifyReply, result: WriteResult) {
  const ctxBase = `${request.protocol}://${request.headers.host ?? 'localhost'}${FHIR_BASE}`;
  reply.header('ETag', `W/"${result.versionId}"`);
  reply.header('Last-Modified', new Date(result.lastUpdated).toUTCString());
  if (result.status === 201) reply.header('Location', `${ctxBase}/${result.resourceType}/${result.id}/_history/${result.versionId}`);
  const prefer = String(request.headers.prefer ?? '');
  if (/return=minimal/.test(prefer)) return reply.code(result.status).send();
  if (/return=OperationOutcome/.test(prefer)) {
    return sendFhir(reply, result.status, { resourceType: 'OperationOutcome', issue: [issue('informational', `${result.resourceType}/${result.id} version ${result.versionId} saved`, undefined, 'information')] });
  }
  return sendFhir(reply, result.status, result.resource as FhirResource);
}

/** The body as a resource, when it looks like one (the repository validates it properly). */
export function asResource(body: unknown): FhirResource | undefined {
  const r = body as FhirResource | undefined;
  return r && typeof r === 'object' && !Array.isArray(r) && typeof r.resourceType === 'string' ? r : undefined;
}

export function ifMatchHeader(request: FastifyRequest): string | undefined {
  const v = request.headers['if-match'];
  return typeof v === 'string' ? v : undefined;
}

/** Query string pairs in order, as the search module wants them. */
export function queryPairs(request: FastifyRequest): Array<[string, string]> {
  const q = request.url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(request.url.slice(q + 1))];
}

export function isStrict(request: FastifyRequest): boolean {
  return /handling\s*=\s*strict/.test(String(request.headers.prefer ?? ''));
}
