/**
 * The registration desk's API, under /api/registration (the lead registers it with that prefix):
 *   POST /uhid-blocks            a block of UHIDs for a desk (to issue offline)
 *   GET  /uhid-blocks?desk=      the blocks issued
 *   POST /patients               register a patient from the desk's form (X-Request-Id required)
 *   GET  /duplicates?name=&...   who this may already be, while the clerk types
 * The auth hook has set request.principal; each route checks the permission table, and records the
 * patients it touched on request.access for the audit trail.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessInteraction } from '../../audit/access-record.js';
import { FhirError, issue, badRequest } from '../../fhir/outcome.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import type { FhirResource } from '../../fhir/repository/context.js';
import { fhirErrorHandler } from '../../fhir/rest/error-handler.js';
import { requestContext, sendWrite } from '../../fhir/rest/request-context.js';
import type { AccessControl } from '../../security/access-control.js';
import type { Interaction } from '../../security/permissions/permissions.js';
import type { Database } from '../../store/database.js';
import { readDuplicateQuery } from './duplicate-query.js';
import { findCandidates } from './match-candidates.js';
import { registerPatient } from './register-patient.js';
import { ServerUhids } from './server-uhids.js';
import { UHID_SYSTEM } from './uhid.js';
import { DEFAULT_BLOCK_SIZE, DESK_NAME, issueUhidBlock, listUhidBlocks, MAX_BLOCK_SIZE } from './uhid-blocks.js';

export interface RegistrationPluginOptions {
  repo: FhirRepository;
  db: Database;
  access: AccessControl;
  /** UHIDs for registrations that come without one; one per server process (default: a new one). */
  serverUhids?: ServerUhids;
}

const MAX_CANDIDATES = 10;

export async function registrationPlugin(app: FastifyInstance, options: RegistrationPluginOptions) {
  const { repo, db, access } = options;
  const serverUhids = options.serverUhids ?? new ServerUhids(repo);
  app.setErrorHandler(fhirErrorHandler);

  /** The permission check and the audit record's subject, before a route acts. */
  const authorize = (request: FastifyRequest, interaction: AccessInteraction, check: Interaction) => {
    const principal = request.principal;
    if (!principal) throw new FhirError(401, issue('login', 'authentication required'));
    request.access = { interaction, resourceType: 'Patient', patients: new Set(), brokeGlass: false };
    access.require(principal, 'Patient', check);
    return principal;
  };

  app.post('/uhid-blocks', async (request, reply) => {
    authorize(request, 'operation', 'create');
    const body = (request.body ?? {}) as { desk?: unknown; size?: unknown };
    const desk = typeof body.desk === 'string' ? body.desk : '';
    if (!DESK_NAME.test(desk)) throw badRequest('desk names the desk: 1-64 letters, digits and ._:-', 'desk');
    const size = body.size === undefined ? DEFAULT_BLOCK_SIZE : Number(body.size);
    if (!Number.isInteger(size) || size < 1 || size > MAX_BLOCK_SIZE) throw badRequest(`size is a whole number from 1 to ${MAX_BLOCK_SIZE}`, 'size');
    const block = await issueUhidBlock(repo, requestContext(request), desk, size);
    return reply.code(201).send(block);
  });

  app.get<{ Querystring: { desk?: string } }>('/uhid-blocks', async (request) => {
    const principal = authorize(request, 'operation', 'search');
    const desk = request.query.desk || undefined;
    if (desk !== undefined && !DESK_NAME.test(desk)) throw badRequest('desk names the desk: 1-64 letters, digits and ._:-', 'desk');
    return { blocks: await listUhidBlocks(db, principal.hospitalId, desk) };
  });

  app.post('/patients', async (request, reply: FastifyReply) => {
    authorize(request, 'create', 'create');
    if (typeof request.headers['x-request-id'] !== 'string') {
      throw new FhirError(400, issue('required', 'X-Request-Id is required: the desk sends one per registration, so a double-clicked submit makes one patient', 'X-Request-Id'));
    }
    const result = await registerPatient({ repo, db, serverUhids }, requestContext(request), request.body);
    access.recordWritten(request, result.resource);
    return sendWrite(request, reply, result);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/duplicates', async (request) => {
    authorize(request, 'search', 'search');
    const query = readDuplicateQuery(request.query);
    const ctx = requestContext(request);
    const found = await findCandidates(repo, ctx, query, MAX_CANDIDATES);
    // Through the same filter as a FHIR search: a scoped role sees only its patients, and the
    // audit record names every patient shown.
    const bundle = { entry: found.map((m) => ({ resource: m.patient as FhirResource & { id: string }, search: { mode: 'match' }, m })) };
    await access.filterBundle(request, bundle, 'search');
    return {
      candidates: bundle.entry.filter((e) => e.m).map(({ m }) => ({
        id: m.patient.id,
        uhid: uhidOfPatient(m.patient),
        name: m.person.name, sex: m.person.sex, birthDate: m.person.birthDate, birthDateEstimated: m.person.birthDateEstimated,
        phone: m.person.phone, score: m.score, grade: m.grade, reasons: m.reasons,
      })),
    };
  });
}

function uhidOfPatient(patient: FhirResource): string | undefined {
  return (patient.identifier as Array<{ system?: string; value?: string }> | undefined)?.find((i) => i.system === UHID_SYSTEM)?.value;
}
