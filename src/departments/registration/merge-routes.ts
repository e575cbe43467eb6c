/**
 * Merging duplicate patients, under the registration desk's prefix (/api/registration; the lead
 * registers this plugin inside it):
 *   POST /merge  {source: 'Patient/<duplicate>', target: 'Patient/<kept>'}  (X-Request-Id required)
 * Only an admin merges. The permission table gives admin `update` on the patient's identity but not
 * on clinical types, yet a merge rewrites the references of Encounters, Observations, Appointments ...
 * on the hospital's behalf: so the route checks the role explicitly (admin) as well as the table
 * (Patient update). Per-type clinical permissions are deliberately not asked for: the merge changes
 * no clinical content, only which Patient record it points at. The audit record names both patients.
 */
import type { FastifyInstance } from 'fastify';
import { FhirError, issue } from '../../fhir/outcome.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { fhirErrorHandler } from '../../fhir/rest/error-handler.js';
import { requestContext } from '../../fhir/rest/request-context.js';
import type { AccessControl } from '../../security/access-control.js';
import { MAX_MERGE_REFERENCES, mergePatients, readMergeRequest } from './merge.js';

export interface PatientMergeRoutesOptions {
  repo: FhirRepository;
  access: AccessControl;
  /** The most resources one merge rewrites (default MAX_MERGE_REFERENCES, 5000). */
  maxReferences?: number;
}

export async function patientMergeRoutes(app: FastifyInstance, options: PatientMergeRoutesOptions) {
  const { repo, access } = options;
  const maxReferences = options.maxReferences ?? MAX_MERGE_REFERENCES;

  app.post('/merge', { errorHandler: fhirErrorHandler }, async (request, reply) => {
    const principal = request.principal;
    if (!principal) throw new FhirError(401, issue('login', 'authentication required'));
    request.access = { interaction: 'operation', resourceType: 'Patient', patients: new Set(), brokeGlass: false };
    if (principal.role !== 'admin') throw new FhirError(403, issue('forbidden', 'only an admin may merge patients'));
    access.require(principal, 'Patient', 'update');
    if (typeof request.headers['x-request-id'] !== 'string') {
      throw new FhirError(400, issue('required', 'X-Request-Id is required: a retried merge must not be applied twice', 'X-Request-Id'));
    }
    const merge = readMergeRequest(request.body);
    request.access.patients.add(`Patient/${merge.source}`);
    request.access.patients.add(`Patient/${merge.target}`);
    const result = await mergePatients(repo, requestContext(request), merge, maxReferences);
    return reply.code(200).send(result);
  });
}
