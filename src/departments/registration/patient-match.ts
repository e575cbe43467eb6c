/**
 * Patient/$match (FHIR R4 operation-patient-match): a Parameters with `resource` (the Patient as far
 * as it is known), optional `count` and `onlyCertainMatches`; the answer is a searchset Bundle, best
 * first, each entry with search.score (0..1) and the match-grade extension.
 */
import { badRequest } from '../../fhir/outcome.js';
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { findCandidates, personOf } from './match-candidates.js';
import { normalisedPhone } from './indian-phone.js';

export const MATCH_GRADE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/match-grade';
const DEFAULT_COUNT = 10;
const MAX_COUNT = 50;

interface Parameter { name?: string; resource?: FhirResource; valueInteger?: number; valueBoolean?: boolean }

export async function patientMatch(repo: FhirRepository, ctx: RequestContext, body: unknown): Promise<FhirResource> {
  const parameters = body as { resourceType?: string; parameter?: Parameter[] } | undefined;
  if (parameters?.resourceType !== 'Parameters' || !Array.isArray(parameters.parameter)) {
    throw badRequest('Patient/$match takes a Parameters resource with a `resource` parameter', 'Parameters');
  }
  const get = (name: string) => parameters.parameter!.find((p) => p?.name === name);
  const patient = get('resource')?.resource;
  if (!patient || patient.resourceType !== 'Patient') throw badRequest('the `resource` parameter must be a Patient', 'Parameters.parameter.resource');
  const countParam = get('count')?.valueInteger;
  if (countParam !== undefined && (!Number.isInteger(countParam) || countParam < 1)) throw badRequest('`count` must be a positive integer', 'Parameters.parameter.count');
  const count = Math.min(countParam ?? DEFAULT_COUNT, MAX_COUNT);
  const onlyCertain = get('onlyCertainMatches')?.valueBoolean === true;

  const query = personOf(patient);
  if (query.phone) query.phone = normalisedPhone(query.phone);
  let matches = await findCandidates(repo, ctx, query, count);
  if (onlyCertain) matches = matches.filter((m) => m.grade === 'certain');
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.length,
    entry: matches.map((m) => ({
      fullUrl: `${ctx.baseUrl}/Patient/${m.patient.id}`,
      resource: m.patient,
      search: { mode: 'match', score: m.score, extension: [{ url: MATCH_GRADE_EXTENSION, valueCode: m.grade }] },
    })),
  };
}
