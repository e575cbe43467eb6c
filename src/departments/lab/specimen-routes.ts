/**
 * The specimen half of the laboratory's desk API under /api/lab (lab-api.ts has the bodies):
 *   GET  /catalogue                       LabCatalogue (any role that may read the catalogue)
 *   POST /orders                          LabOrderRequest → 201 LabOrderReply (a role that may create ServiceRequests)
 *   GET  /phlebotomy?date=                PhlebotomyItem[] (who may draw samples)
 *   POST /collections                     CollectionRequest → 201 CollectionReply
 *   GET  /specimens?accession= · /specimens/:id · /specimens/:id/label.pdf|label.zpl
 *   POST /specimens/:id/receive           {} → SpecimenView (idempotent)
 *   POST /specimens/:id/reject            RejectionRequest → SpecimenView
 *   GET  /tat?date=                       TurnaroundFigures
 * Who may do what is the permission table's answer for the resources each route reads and writes
 * (specimen-access.ts), never a list of roles here. Writes need an X-Request-Id (receipt, being
 * idempotent by itself, does not); bad input is a 4xx OperationOutcome naming the field, and nothing
 * is written.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FhirResource } from '../../fhir/repository/context.js';
import { currentVersion } from '../../fhir/repository/current-version.js';
import { badRequest, notFound } from '../../fhir/outcome.js';
import { fhirErrorHandler } from '../../fhir/rest/error-handler.js';
import { requestContext } from '../../fhir/rest/request-context.js';
import { specimenLabelPdf, specimenLabelZpl } from '../../printing/specimen-label.js';
import { practitionerName } from '../opd/consultation.js';
import { indiaDate, isDate } from '../opd/india-time.js';
import { idOf } from '../opd/opd-codes.js';
import { parseAccession } from './accession.js';
import type { CollectionReply, LabOrderReply, SpecimenView } from './lab-api.js';
import { labCatalogue } from './lab-catalogue-view.js';
import { ACCESSION_SYSTEM } from './lab-fhir.js';
import { orderBrief, readLabOrderRequest, writeLabOrders } from './lab-orders.js';
import type { LabRouteOptions } from './lab-route-options.js';
import { bodyOf, SpecimenAccess } from './specimen-access.js';
import { collectSpecimens, readCollectionRequest } from './specimen-collection.js';
import { phlebotomyList } from './specimen-phlebotomy.js';
import { readRejectionRequest, receiveSpecimen, rejectSpecimen } from './specimen-receipt.js';
import { specimenViews } from './specimen-view.js';
import { turnaround } from './tat.js';

type Query = Record<string, string | undefined>;
type Params = { id: string };

export async function labSpecimenRoutes(app: FastifyInstance, options: LabRouteOptions): Promise<void> {
  const { repo, db, access } = options;
  const guard = new SpecimenAccess(access);
  const base = app.prefix;
  app.setErrorHandler(fhirErrorHandler);

  const dateOf = (raw: string | undefined) => {
    if (raw === undefined || raw === '') return indiaDate();
    if (!isDate(raw)) throw badRequest('date: is a date, YYYY-MM-DD', 'date');
    return raw;
  };
  /** The caller's own Practitioner, named, for collector/requester/author fields. */
  const staff = async (request: FastifyRequest) => {
    const id = request.principal?.practitioner?.replace(/^Practitioner\//, '');
    if (!id) return undefined;
    const found = await currentVersion(db, request.principal!.hospitalId, 'Practitioner', id);
    const name = found?.resource ? practitionerName(found.resource) : undefined;
    return { reference: `Practitioner/${id}`, ...(name ? { display: name } : {}) };
  };
  const views = (request: FastifyRequest, specimens: FhirResource[]) => specimenViews(db, request.principal!.hospitalId, specimens, base);
  const one = async (request: FastifyRequest, specimen: FhirResource): Promise<SpecimenView> => (await views(request, [specimen]))[0];
  /** The live Specimen the path names (the route checks the caller's scope on it). */
  const specimenAt = async (request: FastifyRequest, raw: string) => {
    const id = idOf(raw, 'Specimen', 'id');
    const found = await currentVersion(db, request.principal!.hospitalId, 'Specimen', id);
    if (!found || found.deleted || !found.resource) throw notFound(`Specimen/${id} does not exist`);
    return found.resource;
  };

  app.get('/catalogue', async (request) => {
    const principal = guard.authorize(request, 'search', 'ActivityDefinition', [['ActivityDefinition', 'search']]);
    return labCatalogue(db, principal.hospitalId);
  });

  app.post('/orders', async (request, reply) => {
    const principal = guard.authorize(request, 'create', 'ServiceRequest', [['ServiceRequest', 'create'], ['ActivityDefinition', 'read']]);
    const order = readLabOrderRequest(bodyOf(request));
    await guard.write(request, { resourceType: 'ServiceRequest', subject: { reference: `Patient/${order.patient}` } });
    // The doctor who orders is its requester; a walk-in's outside prescription typed in by the lab has none of ours.
    const requester = principal.role === 'doctor' ? await staff(request) : undefined;
    const written = await writeLabOrders(repo, requestContext(request), order, requester);
    const body: LabOrderReply = { orders: written.map((o) => orderBrief(o)) };
    return reply.code(201).send(body);
  });

  app.get<{ Querystring: Query }>('/phlebotomy', async (request) => {
    guard.authorize(request, 'search', 'ServiceRequest', [['ServiceRequest', 'search'], ['Specimen', 'create'], ['Patient', 'read']]);
    const list = await phlebotomyList(repo, requestContext(request), dateOf(request.query.date));
    guard.shown(request, list.map((i) => i.patient.id));
    return list;
  });

  app.post('/collections', async (request, reply) => {
    guard.authorize(request, 'transaction', 'Specimen', [['Specimen', 'create'], ['ServiceRequest', 'update'], ['ServiceRequest', 'read']]);
    const collection = readCollectionRequest(bodyOf(request));
    await guard.write(request, { resourceType: 'Specimen', subject: { reference: `Patient/${collection.patient}` } });
    const specimens = await collectSpecimens(repo, requestContext(request), collection, await staff(request));
    const body: CollectionReply = { specimens: await views(request, specimens) };
    return reply.code(201).send(body);
  });

  app.get<{ Querystring: Query }>('/specimens', async (request) => {
    guard.authorize(request, 'search', 'Specimen', [['Specimen', 'search']]);
    const accession = (request.query.accession ?? '').trim();
    if (!parseAccession(accession)) throw badRequest('accession: an accession number is 11 digits whose last is a check digit; rescan or retype it', 'accession');
    const [specimen] = (await repo.search(requestContext(request), 'Specimen', [['accession', `${ACCESSION_SYSTEM}|${accession}`]]) as { entry?: Array<{ resource?: FhirResource }> }).entry ?? [];
    if (!specimen?.resource) throw notFound(`no specimen has accession ${accession}`);
    await guard.read(request, specimen.resource);
    return one(request, specimen.resource);
  });

  app.get<{ Params: Params }>('/specimens/:id', async (request) => {
    guard.authorize(request, 'read', 'Specimen', [['Specimen', 'read']]);
    const specimen = await specimenAt(request, request.params.id);
    await guard.read(request, specimen);
    return one(request, specimen);
  });

  const label = (format: 'pdf' | 'zpl') => app.get<{ Params: Params }>(`/specimens/:id/label.${format}`, async (request, reply) => {
    guard.authorize(request, 'read', 'Specimen', [['Specimen', 'read'], ['Patient', 'read']]);
    const specimen = await specimenAt(request, request.params.id);
    await guard.read(request, specimen);
    const view = await one(request, specimen);
    const input = {
      accession: view.accession, patientName: view.patient.name, uhid: view.patient.uhid || '-',
      test: view.orders.map((o) => o.test.replace(/^lab-/, '').toUpperCase()).join(', ') || view.name,
      container: view.name, collectedAt: view.collectedAt,
    };
    reply.header('content-disposition', `inline; filename="specimen-${view.accession}.${format}"`);
    if (format === 'pdf') return reply.type('application/pdf').send(Buffer.from(await specimenLabelPdf(input)));
    return reply.type('text/plain; charset=utf-8').send(specimenLabelZpl(input));
  });
  label('pdf');
  label('zpl');

  app.post<{ Params: Params }>('/specimens/:id/receive', async (request) => {
    guard.authorize(request, 'update', 'Specimen', [['Specimen', 'update']]);
    const specimen = await specimenAt(request, request.params.id);
    await guard.write(request, specimen, specimen);
    return one(request, await receiveSpecimen(repo, requestContext(request), specimen.id as string));
  });

  app.post<{ Params: Params }>('/specimens/:id/reject', async (request) => {
    guard.authorize(request, 'update', 'Specimen', [['Specimen', 'update']]);
    const rejection = readRejectionRequest(bodyOf(request));
    const specimen = await specimenAt(request, request.params.id);
    await guard.write(request, specimen, specimen);
    return one(request, await rejectSpecimen(repo, requestContext(request), specimen.id as string, rejection, await staff(request)));
  });

  app.get<{ Querystring: Query }>('/tat', async (request) => {
    guard.authorize(request, 'operation', 'ServiceRequest', [['ServiceRequest', 'search'], ['Specimen', 'search'], ['Observation', 'search'], ['DiagnosticReport', 'search']]);
    return turnaround(repo, requestContext(request), dateOf(request.query.date));
  });

}
