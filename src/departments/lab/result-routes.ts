/**
 * The results half of the laboratory's desk API under /api/lab (lab-api.ts has the bodies): result
 * entry, technical validation, authorisation, amendment, reports and their PDF, and critical alerts;
 * device-routes.ts adds the gateway's intake and the review list. Work is done in the modules; this
 * file checks who may do what (the permission table, and the role a workflow step belongs to) and
 * names the patients concerned for the audit trail.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { badRequest, FhirError, issue } from '../../fhir/outcome.js';
import { fhirErrorHandler } from '../../fhir/rest/error-handler.js';
import { requestContext } from '../../fhir/rest/request-context.js';
import { labReportPdf } from '../../printing/lab-report.js';
import { breakGlassReason } from '../../security/access-control.js';
import { dayBounds, isDate } from '../opd/india-time.js';
import { acknowledgeAlert, alertView, listAlerts, loadAlert } from './critical-alerts.js';
import { deviceRoutes } from './device-routes.js';
import type { LabRouteOptions } from './lab-route-options.js';
import { reportList, readSection, readStage, worklist } from './reports-query.js';
import { reportView } from './report-view.js';
import { amendReport, authoriseReport, readAmendment, validateReport } from './report-workflow.js';
import { authorizer, bodyOf, idParam, personOf, recordPatients } from './result-access.js';
import { enterResults, readResultEntry } from './result-entry.js';
import { loadReportWork } from './result-work.js';

type Query = Record<string, string | undefined>;
type Params = { id: string };
const REPORT_STATUSES = ['partial', 'preliminary', 'final', 'amended'];

export async function labResultRoutes(app: FastifyInstance, options: LabRouteOptions): Promise<void> {
  const { repo, access } = options;
  app.setErrorHandler(fhirErrorHandler);
  const authorize = authorizer(access);

  /** The report as a view, with its patient within the reader's scope (a doctor's department). */
  const viewOf = async (request: FastifyRequest, ctx: RequestContext, id: string) => {
    const { work, order } = await loadReportWork(repo.db, ctx.hospitalId, id);
    request.access!.resourceId = id;
    request.access!.breakGlassReason = breakGlassReason(request);
    await access.checkRead(request, order.report!.resource as FhirResource & { resourceType: string });
    return reportView(repo.db, ctx, work, order);
  };
  const performer = async (request: FastifyRequest, ctx: RequestContext) => {
    const person = await personOf(repo, ctx, request.principal!);
    if (!person) throw new FhirError(403, issue('forbidden', 'this step is signed by a person: your account names no Practitioner'));
    return person;
  };

  app.get<{ Querystring: Query }>('/worklist', async (request) => {
    // The bench's list spans every patient in the lab: for lab staff, not for a department-scoped role.
    authorize(request, 'search', 'DiagnosticReport', [['ServiceRequest', 'search'], ['Specimen', 'search'], ['Observation', 'search'], ['DiagnosticReport', 'search']], ['lab-technician', 'pathologist']);
    const items = await worklist(repo, requestContext(request), { section: readSection(request.query.section), stage: readStage(request.query.stage) });
    recordPatients(request, ...items.map((i) => `Patient/${i.patient.id}`));
    return items;
  });

  app.post<{ Params: Params }>('/specimens/:id/results', async (request) => {
    authorize(request, 'transaction', 'Observation', [['Specimen', 'read'], ['Observation', 'create'], ['Observation', 'update'], ['DiagnosticReport', 'create'], ['DiagnosticReport', 'update']]);
    const entry = readResultEntry(bodyOf(request));
    const ctx = requestContext(request);
    const id = idParam(request.params.id, 'Specimen');
    request.access!.resourceId = id;
    const reports = await enterResults(repo, ctx, id, entry, await personOf(repo, ctx, request.principal!));
    const views = [];
    for (const r of reports) views.push(await viewOf(request, ctx, r));
    return views;
  });

  app.post<{ Params: Params }>('/reports/:id/validate', async (request) => {
    authorize(request, 'update', 'DiagnosticReport', [['DiagnosticReport', 'update']], ['lab-technician']);
    const ctx = requestContext(request);
    const id = await validateReport(repo, ctx, idParam(request.params.id, 'DiagnosticReport'), await performer(request, ctx));
    return viewOf(request, ctx, id);
  });

  app.post<{ Params: Params }>('/reports/:id/authorise', async (request) => {
    authorize(request, 'update', 'DiagnosticReport', [['DiagnosticReport', 'update'], ['Observation', 'update'], ['ServiceRequest', 'update']], ['pathologist']);
    const ctx = requestContext(request);
    const id = await authoriseReport(repo, ctx, idParam(request.params.id, 'DiagnosticReport'), await performer(request, ctx));
    return viewOf(request, ctx, id);
  });

  app.post<{ Params: Params }>('/reports/:id/amend', async (request) => {
    authorize(request, 'update', 'DiagnosticReport', [['DiagnosticReport', 'update'], ['Observation', 'update']], ['pathologist']);
    const amendment = readAmendment(bodyOf(request));
    const ctx = requestContext(request);
    const id = await amendReport(repo, ctx, idParam(request.params.id, 'DiagnosticReport'), amendment, await performer(request, ctx));
    return viewOf(request, ctx, id);
  });

  app.get<{ Querystring: Query }>('/reports', async (request) => {
    authorize(request, 'search', 'DiagnosticReport', [['DiagnosticReport', 'search'], ['Observation', 'search']]);
    const { status, patient, date } = request.query;
    if (status && !REPORT_STATUSES.includes(status)) throw badRequest(`status is one of ${REPORT_STATUSES.join(', ')}`, 'status');
    if (date && !isDate(date)) throw badRequest('date is a date, YYYY-MM-DD', 'date');
    const bounds = date ? dayBounds(date) : undefined;
    const ctx = requestContext(request);
    const visible = async (report: FhirResource) => {
      try { await access.checkRead(request, report as FhirResource & { resourceType: string }); return true; } catch { return false; }
    };
    return reportList(repo, ctx, {
      ...(status ? { status } : {}), ...(patient ? { patient: idParam(patient, 'Patient', 'patient') } : {}),
      ...(bounds ? { start: bounds.start, end: bounds.end } : {}),
    }, visible);
  });

  app.get<{ Params: Params }>('/reports/:id', async (request) => {
    authorize(request, 'read', 'DiagnosticReport', [['DiagnosticReport', 'read'], ['Observation', 'read']]);
    return viewOf(request, requestContext(request), idParam(request.params.id, 'DiagnosticReport'));
  });

  app.get<{ Params: Params }>('/reports/:id/report.pdf', async (request, reply) => {
    authorize(request, 'read', 'DiagnosticReport', [['DiagnosticReport', 'read'], ['Observation', 'read']]);
    const ctx = requestContext(request);
    const view = await viewOf(request, ctx, idParam(request.params.id, 'DiagnosticReport'));
    const printedBy = (await personOf(repo, ctx, request.principal!))?.display;
    // The printer refuses a report it cannot print truthfully (a final report naming no authoriser,
    // e.g. one written straight through the FHIR API): say so to the desk instead of a 500.
    const pdf = await labReportPdf({ hospitalName: await hospitalName(ctx), report: view, printedAt: new Date(), ...(printedBy ? { printedBy } : {}) })
      .catch((err: unknown) => {
        if (err instanceof RangeError) throw new FhirError(422, issue('business-rule', `this report cannot be printed: ${err.message}`));
        throw err;
      });
    return reply.type('application/pdf')
      .header('content-disposition', `inline; filename="lab-report-${view.specimen.accession.replace(/[^0-9A-Za-z-]/g, '')}-${view.order.test}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(pdf));
  });

  // Critical values: a doctor sees (and acknowledges) those sent to them; the lab sees all.
  app.get<{ Querystring: Query }>('/critical-alerts', async (request) => {
    // A doctor reads the Communications sent to them; the lab, which raises them, lists them all
    // without a general read of Communication (which also holds the access watch's security alerts).
    const doctor = request.principal?.role === 'doctor';
    const principal = authorize(request, 'search', 'Communication', doctor ? [['Communication', 'search']] : [['Communication', 'create'], ['Observation', 'search']]);
    const status = request.query.status ?? 'open';
    if (status !== 'open' && status !== 'all') throw badRequest('status is open or all', 'status');
    const ctx = requestContext(request);
    let recipient: string | undefined;
    if (doctor) {
      const me = await personOf(repo, ctx, principal);
      if (!me) return [];
      recipient = me.reference;
    }
    const alerts = await listAlerts(repo, ctx, { open: status === 'open', ...(recipient ? { recipient } : {}) });
    const views = [];
    for (const a of alerts) { recordPatients(request, (a.subject as { reference?: string } | undefined)?.reference); views.push(await alertView(repo, ctx, a)); }
    return views;
  });

  app.post<{ Params: Params }>('/critical-alerts/:id/acknowledge', async (request) => {
    authorize(request, 'update', 'Communication', [['Communication', 'update']], ['doctor']);
    const body = bodyOf(request);
    if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > 1000)) throw badRequest('note is text (at most 1000 characters)', 'note');
    const ctx = requestContext(request);
    const id = idParam(request.params.id, 'Communication');
    request.access!.resourceId = id;
    const alert = await loadAlert(repo, ctx, id);
    recordPatients(request, (alert.subject as { reference?: string } | undefined)?.reference);
    await acknowledgeAlert(repo, ctx, id, await performer(request, ctx), typeof body.note === 'string' && body.note.trim() ? body.note.trim() : undefined);
    return alertView(repo, ctx, await loadAlert(repo, ctx, id));
  });

  await deviceRoutes(app, { repo, authorize });

  const names = new Map<string, string>();
  async function hospitalName(ctx: RequestContext): Promise<string> {
    const cached = names.get(ctx.hospitalId);
    if (cached) return cached;
    const bundle = await repo.search(ctx, 'Organization', [['type', 'http://terminology.hl7.org/CodeSystem/organization-type|prov'], ['_count', '20']]) as { entry?: Array<{ resource?: { name?: string; partOf?: unknown }; search?: { mode?: string } }> };
    const own = (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource).find((o) => o && !o.partOf && typeof o.name === 'string');
    const name = own?.name ?? ctx.hospitalId;
    names.set(ctx.hospitalId, name);
    return name;
  }
}
