/**
 * AuditEvent through the FHIR API: search (GET and POST _search) and read, answered from the audit
 * trail's projection, not from the generic store (AuditEvents are in the ledger, but not as resource
 * versions). Nobody writes an AuditEvent through the API: every write interaction is 405.
 *
 * Registered inside the FHIR plugin (its error handler turns the FhirErrors thrown here into
 * OperationOutcomes, its parser hands a form body over as a string), where these static routes take
 * precedence over the generic /:type ones. Who may read the trail is decided before these handlers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../store/database.js';
import { badRequest, FhirError, issue, notFound } from '../fhir/outcome.js';
import { auditSearchset } from './audit-bundle.js';
import { findAuditEvents, readAuditEvent } from './audit-query.js';
import { parseAuditSearch } from './audit-search-params.js';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export async function auditEventRoutes(app: FastifyInstance, options: { db: Queryable }) {
  const { db } = options;

  const search = async (request: FastifyRequest, pairs: Array<[string, string]>) => {
    const { query, linkParams } = parseAuditSearch(pairs);
    const page = await findAuditEvents(db, { hospitalId: hospitalOf(request), ...query });
    return auditSearchset({ base: fhirBase(request), events: page.events, linkParams, count: query.count, cursor: query.after, next: page.next });
  };

  app.get('/AuditEvent', async (request, reply) => reply.type(FHIR_JSON).send(await search(request, queryPairs(request))));

  app.post('/AuditEvent/_search', async (request, reply) => {
    const body = request.body;
    const form = typeof body === 'string' ? [...new URLSearchParams(body)] : [];
    if (body !== undefined && typeof body !== 'string') throw badRequest('POST AuditEvent/_search takes application/x-www-form-urlencoded parameters');
    return reply.type(FHIR_JSON).send(await search(request, [...queryPairs(request), ...form]));
  });

  app.get<{ Params: { id: string } }>('/AuditEvent/:id', async (request, reply) => {
    const { id } = request.params;
    if (!FHIR_ID.test(id)) throw badRequest(`"${id}" is not a valid id (1-64 letters, digits, '-' and '.')`, 'AuditEvent.id');
    const event = await readAuditEvent(db, hospitalOf(request), id);
    if (!event) throw notFound(`AuditEvent/${id} does not exist`);
    return reply.type(FHIR_JSON).send(event);
  });

  const serverOnly = async (_request: FastifyRequest, reply: FastifyReply) => {
    reply.header('Allow', 'GET');
    throw new FhirError(405, issue('not-supported', 'AuditEvents are written by the server only'));
  };
  for (const method of ['POST', 'PUT', 'DELETE'] as const) app.route({ method, url: '/AuditEvent', handler: serverOnly });
  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) app.route({ method, url: '/AuditEvent/:id', handler: serverOnly });
  // An AuditEvent is never changed, so it has no history to show (its ledger entry is its record).
  const noHistory = async (_request: FastifyRequest, reply: FastifyReply) => {
    reply.header('Allow', 'GET');
    throw new FhirError(405, issue('not-supported', 'AuditEvents have no history: they are never changed; search them by date instead'));
  };
  app.get('/AuditEvent/_history', noHistory);
  app.get('/AuditEvent/:id/_history', noHistory);
}

function hospitalOf(request: FastifyRequest): string {
  const hospitalId = request.principal?.hospitalId;
  if (!hospitalId) throw new FhirError(401, issue('login', 'authentication required'));
  return hospitalId;
}

function queryPairs(request: FastifyRequest): Array<[string, string]> {
  const q = request.url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(request.url.slice(q + 1))];
}

/** The FHIR base URL this request came through: everything before /AuditEvent. */
function fhirBase(request: FastifyRequest): string {
  const path = request.url.split('?')[0];
  return `${request.protocol}://${request.headers.host ?? 'localhost'}${path.slice(0, path.indexOf('/AuditEvent'))}`;
}
