/**
 * The printed registration slip, under the registration desk's prefix (/api/registration; the lead
 * registers this plugin inside it):
 *   GET /patients/:id/slip.pdf    the patient's registration slip, application/pdf (A5)
 * Reading the slip is reading the Patient: the role needs Patient read, a scoped role only prints its
 * own patients (or breaks glass), and the audit record names the patient. An unknown patient is a 404
 * OperationOutcome.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FhirError, issue } from '../../fhir/outcome.js';
import { versionText } from '../../fhir/repository/current-version.js';
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { fhirErrorHandler } from '../../fhir/rest/error-handler.js';
import { checkId, requestContext } from '../../fhir/rest/request-context.js';
import { breakGlassReason, type AccessControl } from '../../security/access-control.js';
import { registrationSlipPdf } from './registration-slip.js';
import { UHID_SYSTEM } from './uhid.js';

export interface RegistrationSlipRoutesOptions {
  repo: FhirRepository;
  access: AccessControl;
  /** The name printed at the top; by default the hospital's own Organization (type prov, part of none). */
  hospitalName?: string;
}

const ORGANIZATION_TYPE = 'http://terminology.hl7.org/CodeSystem/organization-type';
/** How long a hospital's name is kept before it is read again. */
const NAME_TTL_MS = 5 * 60_000;

export async function registrationSlipRoutes(app: FastifyInstance, options: RegistrationSlipRoutesOptions) {
  const { repo, access } = options;
  const names = new Map<string, { name: string; until: number }>();

  /** The hospital's name: its Organization of type "prov" that is part of no other. */
  const hospitalName = async (ctx: RequestContext): Promise<string> => {
    if (options.hospitalName) return options.hospitalName;
    const cached = names.get(ctx.hospitalId);
    if (cached && cached.until > Date.now()) return cached.name;
    const bundle = await repo.search(ctx, 'Organization', [['type', `${ORGANIZATION_TYPE}|prov`], ['_count', '20']]);
    const orgs = ((bundle.entry ?? []) as Array<{ resource?: FhirResource; search?: { mode?: string } }>)
      .filter((e) => e.search?.mode === 'match' && e.resource)
      .map((e) => e.resource as FhirResource & { name?: string; partOf?: unknown; active?: boolean });
    const own = orgs.find((o) => !o.partOf && o.active !== false && typeof o.name === 'string');
    const name = own?.name ?? ctx.hospitalId;
    names.set(ctx.hospitalId, { name, until: Date.now() + NAME_TTL_MS });
    return name;
  };

  const authorize = (request: FastifyRequest, id: string) => {
    const principal = request.principal;
    if (!principal) throw new FhirError(401, issue('login', 'authentication required'));
    request.access = { interaction: 'read', resourceType: 'Patient', resourceId: id, patients: new Set(), brokeGlass: false, breakGlassReason: breakGlassReason(request) };
    access.require(principal, 'Patient', 'read');
  };

  app.get<{ Params: { id: string } }>('/patients/:id/slip.pdf', { errorHandler: fhirErrorHandler }, async (request, reply) => {
    const id = request.params.id;
    authorize(request, id);
    checkId('Patient', id);
    const ctx = requestContext(request);
    const patient = await repo.read(ctx, 'Patient', id); // 404 OperationOutcome when unknown or deleted
    await access.checkRead(request, patient as FhirResource & { resourceType: string }); // scope; names Patient/<id> for the audit
    const first = await versionText(repo.db, ctx.hospitalId, 'Patient', id, 1);
    const registeredAt = first?.lastUpdated ?? new Date(String((patient.meta as { lastUpdated?: string } | undefined)?.lastUpdated));
    const pdf = await registrationSlipPdf(patient, { hospitalName: await hospitalName(ctx), registeredAt });
    const uhid = String(((patient.identifier ?? []) as Array<{ system?: string; value?: string }>).find((i) => i.system === UHID_SYSTEM)?.value ?? id).replace(/[^0-9A-Za-z-]/g, '');
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="registration-slip-${uhid}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(pdf));
  });
}
