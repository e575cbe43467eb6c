/**
 * The device gateway's intake under /api/lab (role device; the bodies are the gateway's own types,
 * src/devices/lab-device-types.ts) and the review list of results that matched nothing (lab staff).
 * Bodies are checked for shape here, naming the field, before anything is read or written.
 */
import type { FastifyInstance } from 'fastify';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { badRequest } from '../../fhir/outcome.js';
import { requestContext } from '../../fhir/rest/request-context.js';
import type { DeviceHostQuery, DeviceOrderMessage, DeviceResultReport } from '../../devices/lab-device-types.js';
import { receiveDeviceOrders } from './device-orders.js';
import { answerHostQuery } from './device-query.js';
import { receiveDeviceResults } from './device-results.js';
import { bodyOf, idParam, type Authorize } from './result-access.js';
import { reportView } from './report-view.js';
import { assignReviewItem, discardReviewItem, openReviewItems, reviewView } from './review.js';
import { loadReportWork } from './result-work.js';

export interface DeviceRouteDeps {
  repo: FhirRepository;
  authorize: Authorize;
}

const MAX_OBSERVATIONS = 2000;

function text(value: unknown, field: string, required = true): string {
  if (value === undefined && !required) return '';
  if (typeof value !== 'string') throw badRequest(`${field} is text`, field);
  return value;
}

function list(value: unknown, field: string, max = MAX_OBSERVATIONS): unknown[] {
  if (!Array.isArray(value)) throw badRequest(`${field} is a list`, field);
  if (value.length > max) throw badRequest(`${field} has more than ${max} items`, field);
  return value;
}

function readResultReport(body: Record<string, unknown>): DeviceResultReport {
  text(body.instrument, 'instrument');
  text(body.messageId, 'messageId');
  list(body.patientIds ?? [], 'patientIds').forEach((p, i) => text(p, `patientIds[${i}]`));
  list(body.observations, 'observations').forEach((raw, i) => {
    const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const test = (o.test ?? {}) as Record<string, unknown>;
    text(test.code, `observations[${i}].test.code`);
    text(o.value, `observations[${i}].value`);
    const specimen = (o.specimen ?? {}) as Record<string, unknown>;
    list(specimen.candidates, `observations[${i}].specimen.candidates`, 50).forEach((c, j) => text(c, `observations[${i}].specimen.candidates[${j}]`));
    if (o.issues !== undefined) list(o.issues, `observations[${i}].issues`, 50).forEach((c, j) => text(c, `observations[${i}].issues[${j}]`));
    for (const k of ['units', 'observedAt', 'resultStatus', 'performingDevice'] as const) text(o[k], `observations[${i}].${k}`, false);
    text(specimen.accessionNumber, `observations[${i}].specimen.accessionNumber`, false);
  });
  const report = body as unknown as DeviceResultReport;
  return { ...report, observations: report.observations.map((o) => ({ ...o, issues: o.issues ?? [], values: o.values ?? [o.value] })) };
}

function readOrderMessage(body: Record<string, unknown>): DeviceOrderMessage {
  text(body.messageId, 'messageId');
  text(body.sender, 'sender', false);
  list(body.orders, 'orders', 200).forEach((raw, i) => {
    const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    text(o.control, `orders[${i}].control`);
    list(o.tests, `orders[${i}].tests`, 100).forEach((t, j) => text((t as Record<string, unknown> | null)?.code, `orders[${i}].tests[${j}].code`));
    list(o.patientIds, `orders[${i}].patientIds`, 20).forEach((p, j) => text(p, `orders[${i}].patientIds[${j}]`));
    if (typeof o.specimen !== 'object' || o.specimen === null) throw badRequest(`orders[${i}].specimen is an object`, `orders[${i}].specimen`);
  });
  return { ...(body as unknown as DeviceOrderMessage), sender: typeof body.sender === 'string' ? body.sender : '' };
}

function readHostQuery(body: Record<string, unknown>): DeviceHostQuery {
  text(body.instrument, 'instrument');
  list(body.specimenIds, 'specimenIds', 500).forEach((s, i) => text(s, `specimenIds[${i}]`));
  return body as unknown as DeviceHostQuery;
}

export async function deviceRoutes(app: FastifyInstance, deps: DeviceRouteDeps): Promise<void> {
  const { repo, authorize } = deps;

  app.post('/device/results', async (request) => {
    authorize(request, 'transaction', 'Observation', [['Observation', 'create'], ['Observation', 'update'], ['DiagnosticReport', 'create'], ['DiagnosticReport', 'update'], ['Specimen', 'search']], ['device']);
    const report = readResultReport(bodyOf(request));
    return receiveDeviceResults(repo, requestContext(request), report, request.access!.patients);
  });

  app.post('/device/orders', async (request) => {
    authorize(request, 'create', 'ServiceRequest', [['ServiceRequest', 'create'], ['Patient', 'search']], ['device']);
    return receiveDeviceOrders(repo, requestContext(request), readOrderMessage(bodyOf(request)));
  });

  app.post('/device/query', async (request) => {
    authorize(request, 'search', 'Specimen', [['Specimen', 'search'], ['ServiceRequest', 'read']], ['device']);
    return { orders: await answerHostQuery(repo, requestContext(request), readHostQuery(bodyOf(request))) };
  });

  app.get('/review', async (request) => {
    authorize(request, 'search', 'Observation', [['Observation', 'search']], ['lab-technician', 'pathologist']);
    return (await openReviewItems(repo, requestContext(request))).map(reviewView);
  });

  app.post<{ Params: { id: string } }>('/review/:id/assign', async (request) => {
    authorize(request, 'update', 'Observation', [['Observation', 'create'], ['Observation', 'update'], ['DiagnosticReport', 'update']], ['lab-technician', 'pathologist']);
    const body = bodyOf(request);
    const specimen = idParam(text(body.specimen, 'specimen'), 'Specimen', 'specimen');
    const analyte = text(body.analyte, 'analyte').trim();
    if (!analyte) throw badRequest('analyte names an analyte of the catalogue (e.g. hemoglobin)', 'analyte');
    const ctx = requestContext(request);
    const reportId = await assignReviewItem(repo, ctx, idParam(request.params.id, 'Observation'), specimen, analyte);
    const { work, order } = await loadReportWork(repo.db, ctx.hospitalId, reportId);
    const patient = (work.specimen.resource.subject as { reference?: string } | undefined)?.reference;
    if (patient) request.access!.patients.add(patient);
    return reportView(repo.db, ctx, work, order);
  });

  app.post<{ Params: { id: string } }>('/review/:id/discard', async (request) => {
    authorize(request, 'update', 'Observation', [['Observation', 'update']], ['lab-technician', 'pathologist']);
    const reason = text(bodyOf(request).reason, 'reason').trim();
    if (!reason || reason.length > 1000) throw badRequest('reason says why the result is discarded (1-1000 characters)', 'reason');
    return reviewView(await discardReviewItem(repo, requestContext(request), idParam(request.params.id, 'Observation'), reason));
  });
}
