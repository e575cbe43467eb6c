/**
 * The checks every specimen route makes before it acts, as the OPD plugin makes them: the
 * permission table for each resource type and interaction the route touches (403 naming the role),
 * the patient scope for what it reads or writes, and the audit record's interaction and patients.
 */
import type { FastifyRequest } from 'fastify';
import type { AccessInteraction } from '../../audit/access-record.js';
import type { FhirResource } from '../../fhir/repository/context.js';
import { badRequest, FhirError, issue } from '../../fhir/outcome.js';
import { breakGlassReason, type AccessControl } from '../../security/access-control.js';
import type { Interaction } from '../../security/permissions/permissions.js';
import type { Principal } from '../../security/principal.js';

type Checked = FhirResource & { resourceType: string };

export class SpecimenAccess {
  constructor(private readonly access: AccessControl) {}

  /** The table's checks and the audit record's subject, before the route acts. */
  authorize(request: FastifyRequest, interaction: AccessInteraction, resourceType: string, checks: Array<[string, Interaction]>): Principal {
    const principal = request.principal;
    if (!principal) throw new FhirError(401, issue('login', 'authentication required'));
    request.access = { interaction, resourceType, patients: new Set(), brokeGlass: false, breakGlassReason: breakGlassReason(request) };
    for (const [type, check] of checks) this.access.require(principal, type, check);
    return principal;
  }

  /** A resource about to be shown: within the caller's scope (or break-glass), its patients recorded. */
  async read(request: FastifyRequest, resource: FhirResource): Promise<void> {
    request.access!.resourceId = resource.id as string;
    await this.access.checkRead(request, resource as Checked);
  }

  /** A write about `resource` (the new content; `existing` what it replaces): within the caller's scope. */
  async write(request: FastifyRequest, resource: FhirResource, existing: FhirResource | null = null): Promise<void> {
    await this.access.checkWrite(request, resource as Checked, existing as Checked | null);
  }

  /** A list of patients (a worklist) shown: each recorded for the trail. */
  shown(request: FastifyRequest, patientIds: Iterable<string>): void {
    for (const id of patientIds) request.access!.patients.add(`Patient/${id}`);
  }
}

/** The JSON object body of a POST ({} when none was sent). */
export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) throw badRequest('the body is a JSON object');
  return (body ?? {}) as Record<string, unknown>;
}
