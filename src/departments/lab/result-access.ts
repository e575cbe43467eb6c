/**
 * The route-side checks the results routes share: the permission table for what a route reads and
 * writes, the workflow role a step belongs to (a technician validates, a pathologist authorises),
 * the audit record's patients, and the Practitioner a signed-in person acts as.
 */
import type { FastifyRequest } from 'fastify';
import type { AccessInteraction } from '../../audit/access-record.js';
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { currentVersion } from '../../fhir/repository/current-version.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { badRequest, FhirError, issue } from '../../fhir/outcome.js';
import type { AccessControl } from '../../security/access-control.js';
import type { Interaction } from '../../security/permissions/permissions.js';
import type { Principal, Role } from '../../security/principal.js';
import type { Person } from './result-resources.js';

export type Authorize = (request: FastifyRequest, interaction: AccessInteraction, resourceType: string, checks: Array<[string, Interaction]>, roles?: Role[]) => Principal;

export function authorizer(access: AccessControl): Authorize {
  return (request, interaction, resourceType, checks, roles) => {
    const principal = request.principal;
    if (!principal) throw new FhirError(401, issue('login', 'authentication required'));
    request.access = { interaction, resourceType, patients: new Set(), brokeGlass: false };
    for (const [type, check] of checks) access.require(principal, type, check);
    // The workflow step belongs to a role, beyond what the table lets it write.
    if (roles && principal.role !== 'bootstrap' && !roles.includes(principal.role as Role)) {
      throw new FhirError(403, issue('forbidden', `this step is done by a ${roles.join(' or ')}, not a ${principal.role ?? '(no role)'}`));
    }
    return principal;
  };
}

/** Records the patients of resources on the audit record. */
export function recordPatients(request: FastifyRequest, ...references: Array<string | undefined>): void {
  for (const r of references) if (r && r.startsWith('Patient/')) request.access?.patients.add(r);
}

export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw badRequest('the body is a JSON object');
  return (body ?? {}) as Record<string, unknown>;
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function idParam(raw: string, type: string, field = 'id'): string {
  const id = raw.replace(new RegExp(`^${type}/`), '');
  if (!ID.test(id)) throw badRequest(`${field} must name a ${type} (its id)`, field);
  return id;
}

/** The Practitioner the principal acts as, with its name; else the principal itself (a token without one). */
export async function personOf(repo: FhirRepository, ctx: RequestContext, principal: Principal): Promise<Person | undefined> {
  const id = principal.practitioner?.replace(/^Practitioner\//, '');
  if (!id) return undefined;
  const found = await currentVersion(repo.db, ctx.hospitalId, 'Practitioner', id);
  const name = found?.resource && !found.deleted ? practitionerName(found.resource) : undefined;
  return { reference: `Practitioner/${id}`, ...(name ? { display: name } : {}) };
}

export function practitionerName(resource: FhirResource): string | undefined {
  const name = (resource.name as Array<{ text?: string; prefix?: string[]; given?: string[]; family?: string }> | undefined)?.[0];
  if (!name) return undefined;
  return name.text ?? [...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean).join(' ');
}
