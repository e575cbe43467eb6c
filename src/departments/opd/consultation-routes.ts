/**
 * The doctor's consultation, under /api/opd (registered by opdPlugin). Shapes (the browser console is
 * built against these; keep them):
 *
 * POST /visits/:id/consultation      X-Request-Id required. Body (every field optional, at least one):
 *   { vitals?: { pulse?, systolic?, diastolic?, temperature? (°C), spo2?, respiratoryRate?, weightKg?, heightCm? },
 *     complaints?: string,
 *     diagnoses?: [{ text: string, icd10?: string }],
 *     advice?: string,
 *     labOrders?: [{ test: string }],            an ActivityDefinition id of the lab catalogue, e.g. "lab-cbc"
 *     medications?: [{ text: string, dose?: string, frequency?: string, days?: number }],
 *     followUpDays?: number }
 *   → 201 { visit: "<Encounter id>", written: ["Observation/<id>", …, "Encounter/<id>"], resources: [<the FHIR resources written>] }
 *   One FHIR transaction (one ledger entry): an Observation per vital sign (blood pressure is one, with
 *   systolic and diastolic components), a Condition per diagnosis (and the Encounter's .diagnosis
 *   updated to list them), a ServiceRequest per lab order, a MedicationRequest per medication, and one
 *   ClinicalImpression when complaints, advice or followUpDays are given (consultation.ts has the codes).
 *   Errors (OperationOutcome; each issue's expression names the field):
 *     400 a bad field: vitals.pulse out of range, diagnoses[0].text empty, diagnoses[1].icd10 not ICD-10,
 *         labOrders[0].test not in the catalogue, medications[0].days …; every bad field at once; nothing written
 *     400 X-Request-Id missing · 403 not a doctor of the visit's department (or a role that may not write
 *     these) · 404 no such visit · 409 the visit is not in consultation (the diagnostics name its state:
 *     waiting, finished …) · 422 the X-Request-Id was used for a different request.
 *   A retry with the same X-Request-Id returns the first answer and writes nothing. A second consultation
 *   call (a new X-Request-Id) ADDS to the visit: more vitals, diagnoses, orders and medicines, another
 *   ClinicalImpression; nothing recorded earlier is replaced or removed.
 *
 * GET /visits/:id                    → 200 the visit summary (visit-summary.ts, VisitSummary):
 *   { visit, status, state, token, department, departmentName?,
 *     patient: { id, reference, name, uhid?, gender?, birthDate? }, doctor: { id, reference, name? } | null,
 *     times: { arrivedAt, calledAt?, startedAt?, finishedAt? },
 *     vitals: { pulse?, systolic?, diastolic?, temperature?, spo2?, respiratoryRate?, weightKg?, heightCm?, recordedAt? },  latest of each
 *     complaints: string, advice: string,         each consultation's, one per line, oldest first ('' when none)
 *     diagnoses: [{ id, text, icd10?, recordedAt? }],
 *     labOrders: [{ id, test, name, loinc?, status, authoredOn? }],
 *     medications: [{ id, text, dose?, frequency?, days?, instructions?, status }],
 *     followUpDays: number | null, consultations: number, lastUpdated }
 *
 * GET /visits/:id/slip.pdf           → 200 application/pdf, the A5 visit slip / prescription (visit-slip.ts);
 *   the same data gives the same bytes.
 *
 * Permissions: the permission table for every type written or read (Observation, Condition,
 * ServiceRequest, MedicationRequest, ClinicalImpression, Encounter; ActivityDefinition read), the
 * patient scope through access.checkWrite / checkRead (a doctor: patients with visits to their
 * department; a reason in X-Break-Glass-Reason opens a summary or slip outside it), and the
 * consultation itself only by a doctor of the visit's own department. The audit record names the patient.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessInteraction } from '../../audit/access-record.js';
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { badRequest, FhirError, issue } from '../../fhir/outcome.js';
import { requestContext } from '../../fhir/rest/request-context.js';
import { breakGlassReason, type AccessControl } from '../../security/access-control.js';
import type { Interaction } from '../../security/permissions/permissions.js';
import type { Principal } from '../../security/principal.js';
import { doctorOf, labTestsOf, readConsultation, recordConsultation, typesWritten } from './consultation.js';
import { idOf } from './opd-codes.js';
import { departmentOfVisit } from './queue.js';
import { visitSlipPdf } from './visit-slip.js';
import { SUMMARY_TYPES, visitSummary } from './visit-summary.js';

export interface ConsultationRouteDeps {
  repo: FhirRepository;
  access: AccessControl;
  authorize: (request: FastifyRequest, interaction: AccessInteraction, resourceType: string, checks: Array<[string, Interaction]>) => Principal;
  /** The name printed at the top of the slip; by default the hospital's own Organization. */
  hospitalName?: string;
}

const ORGANIZATION_TYPE = 'http://terminology.hl7.org/CodeSystem/organization-type';
const NAME_TTL_MS = 5 * 60_000;

export function consultationRoutes(app: FastifyInstance, deps: ConsultationRouteDeps): void {
  const { repo, access, authorize } = deps;
  const names = new Map<string, { name: string; until: number }>();

  const hospitalName = async (ctx: RequestContext): Promise<string> => {
    if (deps.hospitalName) return deps.hospitalName;
    const cached = names.get(ctx.hospitalId);
    if (cached && cached.until > Date.now()) return cached.name;
    const bundle = await repo.search(ctx, 'Organization', [['type', `${ORGANIZATION_TYPE}|prov`], ['_count', '20']]);
    const own = ((bundle.entry ?? []) as Array<{ resource?: FhirResource & { name?: string; partOf?: unknown; active?: boolean }; search?: { mode?: string } }>)
      .filter((e) => e.search?.mode === 'match' && e.resource).map((e) => e.resource!)
      .find((o) => !o.partOf && o.active !== false && typeof o.name === 'string');
    const name = own?.name ?? ctx.hospitalId;
    names.set(ctx.hospitalId, { name, until: Date.now() + NAME_TTL_MS });
    return name;
  };

  const bodyOf = (request: FastifyRequest): Record<string, unknown> => {
    const body = request.body;
    if (body === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body is a JSON object');
    return body as Record<string, unknown>;
  };

  /** The visit, read for a summary or slip: types the role may read, and the patient within its scope. */
  const readVisit = async (request: FastifyRequest, id: string, resourceType: string) => {
    authorize(request, 'read', resourceType, [['Encounter', 'read'], ['Patient', 'read'], ...SUMMARY_TYPES.map((t): [string, Interaction] => [t, 'read'])]);
    request.access!.resourceId = id;
    request.access!.breakGlassReason = breakGlassReason(request);
    const ctx = requestContext(request);
    const encounter = await repo.read(ctx, 'Encounter', idOf(id, 'Encounter', 'id'));
    await access.checkRead(request, encounter as FhirResource & { resourceType: string });
    return { ctx, encounter };
  };

  app.post<{ Params: { id: string } }>('/visits/:id/consultation', async (request, reply) => {
    const principal = authorize(request, 'transaction', 'Encounter', [['Encounter', 'read']]);
    const consultation = readConsultation(bodyOf(request));
    for (const type of typesWritten(consultation)) access.require(principal, type, type === 'Encounter' ? 'update' : 'create');
    if (consultation.labOrders.length > 0) access.require(principal, 'ActivityDefinition', 'read');
    const ctx = requestContext(request);
    const id = idOf(request.params.id, 'Encounter', 'id');
    request.access!.resourceId = id;
    const encounter = await repo.read(ctx, 'Encounter', id);
    // Only a doctor of the visit's own department records its consultation.
    const department = departmentOfVisit(encounter);
    if (!access.unscoped(principal)) {
      const own = (principal.department ?? '').replace(/^Organization\//, '').replace(/^dept-/, '');
      if (!department || own !== department) {
        throw new FhirError(403, issue('forbidden', `Encounter/${id} is a visit to ${department || 'no department'}; its consultation is recorded by a doctor of that department${own ? ` (yours is ${own})` : ' (your account has none set)'}`));
      }
    }
    // The scope: everything written is about the visit's patient (and names it for the audit trail).
    const subject = encounter.subject as { reference?: string } | undefined;
    await access.checkWrite(request, { resourceType: 'Condition', subject, encounter: { reference: `Encounter/${id}` } }, encounter as FhirResource & { resourceType: string });
    if (subject?.reference) request.access!.patients.add(subject.reference);
    const tests = await labTestsOf(repo, ctx, consultation);
    const doctor = await doctorOf(repo, ctx, encounter, principal.practitioner);
    const result = await recordConsultation(repo, ctx, id, consultation, tests, doctor);
    return reply.code(201).send(result);
  });

  app.get<{ Params: { id: string } }>('/visits/:id', async (request) => {
    const { ctx, encounter } = await readVisit(request, request.params.id, 'Encounter');
    return visitSummary(repo, ctx, encounter);
  });

  app.get<{ Params: { id: string } }>('/visits/:id/slip.pdf', async (request, reply) => {
    const { ctx, encounter } = await readVisit(request, request.params.id, 'Encounter');
    const summary = await visitSummary(repo, ctx, encounter);
    const pdf = await visitSlipPdf(summary, { hospitalName: await hospitalName(ctx) });
    const name = (summary.patient.uhid ?? summary.visit).replace(/[^0-9A-Za-z-]/g, '');
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="opd-slip-${name}-${summary.token}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(pdf));
  });
}
