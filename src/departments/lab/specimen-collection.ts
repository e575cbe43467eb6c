/**
 * Collection: the phlebotomist draws the tubes for some of a patient's waiting orders. One Specimen
 * per container type (the orders that share a SpecimenDefinition share a tube), each with the next
 * accession number of the day; every order gains the specimen in ServiceRequest.specimen. All of
 * it is ONE ledger entry, planned under the hospital's chain lock, so
 *   - the orders are checked against the state the entry lands on: an order collected by someone
 *     else a moment ago is a 409 naming it, and nothing is written;
 *   - accession numbers never repeat, however many desks collect at once (the day's last number is
 *     read under the same lock that orders the writes);
 *   - a retry with the same X-Request-Id (a double click, a lost answer) returns the same specimens.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { currentVersion, type StoredVersion } from '../../fhir/repository/current-version.js';
import { lastByIdPrefix } from '../../fhir/repository/id-prefix.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { validated } from '../../fhir/repository/validated.js';
import { planCreate, planUpdate } from '../../fhir/repository/version-plans.js';
import { FhirError, issue, type OperationOutcomeIssue } from '../../fhir/outcome.js';
import { specimenByKey, type SpecimenKey } from '../../hospital/seed/lab-catalogue.js';
import type { Queryable } from '../../store/database.js';
import type { LedgerEntryBody, VersionWrite } from '../../store/ledger-entry.js';
import { refId } from '../opd/opd-codes.js';
import { withoutMeta } from '../opd/opd-store.js';
import { accessionDay, accessionInId, accessionOf, DAILY_LIMIT, parseAccession, specimenDayPrefix } from './accession.js';
import type { CollectionRequest } from './lab-api.js';
import { testOfOrder } from './lab-catalogue-view.js';
import { isLabOrder } from './lab-orders.js';
import { readRequest } from './specimen-input.js';
import { isLive, specimenResource } from './specimen-resource.js';

type Ref = { reference: string; display?: string };
const MAX_ORDERS = 50;

export function readCollectionRequest(body: Record<string, unknown>): CollectionRequest {
  return readRequest(body, ['patient', 'orders', 'collectedAt'], (r) => {
    const patient = r.id('patient', 'Patient', true)!;
    const orders = r.ids('orders', 'ServiceRequest', MAX_ORDERS);
    const collectedAt = r.instant('collectedAt');
    return { patient, orders, ...(collectedAt ? { collectedAt } : {}) };
  });
}

/** The specimens an order already has that still stand (not rejected). */
export async function liveSpecimensOf(tx: Queryable, hospitalId: string, order: FhirResource): Promise<FhirResource[]> {
  const ids = ((order.specimen as Array<{ reference?: string }> | undefined) ?? []).map((s) => refId(s));
  const found = await Promise.all(ids.map((id) => currentVersion(tx, hospitalId, 'Specimen', id)));
  return found.flatMap((f) => (f?.resource && !f.deleted && isLive(f.resource) ? [f.resource] : []));
}

interface CheckedOrder { stored: StoredVersion; order: FhirResource; specimen: SpecimenKey }

/** Every order checked against the state under the lock: 422 for a wrong one, 409 for one already drawn. */
async function checkOrders(tx: Queryable, hospitalId: string, request: CollectionRequest): Promise<CheckedOrder[]> {
  const problems: OperationOutcomeIssue[] = [];
  const patient = await currentVersion(tx, hospitalId, 'Patient', request.patient);
  if (!patient || patient.deleted) problems.push(issue('not-found', `patient: Patient/${request.patient} does not exist`, 'patient'));
  const checked: CheckedOrder[] = [];
  const drawn: OperationOutcomeIssue[] = [];
  for (const [i, id] of request.orders.entries()) {
    const field = `orders[${i}]`;
    const stored = await currentVersion(tx, hospitalId, 'ServiceRequest', id);
    const order = stored && !stored.deleted ? stored.resource : null;
    const test = order ? testOfOrder(order) : undefined;
    if (!stored || !order) problems.push(issue('not-found', `${field}: ServiceRequest/${id} does not exist`, field));
    else if (!isLabOrder(order) || !test) problems.push(issue('business-rule', `${field}: ServiceRequest/${id} is not an order for a test of the lab catalogue`, field));
    else if (refId(order.subject) !== request.patient) problems.push(issue('business-rule', `${field}: ServiceRequest/${id} is another patient's order`, field));
    else if (order.status !== 'active') problems.push(issue('business-rule', `${field}: ServiceRequest/${id} is ${String(order.status)}, not waiting for a sample`, field));
    else if ((await liveSpecimensOf(tx, hospitalId, order)).length > 0) drawn.push(issue('conflict', `${field}: ServiceRequest/${id} (${test.name}) is already collected`, field));
    else checked.push({ stored, order, specimen: test.specimen.key as SpecimenKey });
  }
  if (problems.length > 0) throw new FhirError(422, problems);
  if (drawn.length > 0) throw new FhirError(409, drawn);
  return checked;
}

/** The next `count` accession numbers of the day of `time`, after the last one issued. */
async function nextAccessions(tx: Queryable, hospitalId: string, time: string, count: number): Promise<string[]> {
  const day = accessionDay(time);
  const last = await lastByIdPrefix(tx, hospitalId, 'Specimen', specimenDayPrefix(day));
  const lastSequence = last ? parseAccession(accessionInId(last.id as string) ?? '')?.sequence ?? 0 : 0;
  if (lastSequence + count > DAILY_LIMIT) throw new FhirError(409, issue('business-rule', `today's ${DAILY_LIMIT} accession numbers are used up`));
  return Array.from({ length: count }, (_x, i) => accessionOf(day, lastSequence + 1 + i));
}

/** Draws the tubes: returns the Specimens written (or, on a retry, the ones written the first time). */
export async function collectSpecimens(repo: FhirRepository, ctx: RequestContext, request: CollectionRequest, collector?: Ref): Promise<FhirResource[]> {
  if (!ctx.requestId) throw new FhirError(400, issue('required', 'X-Request-Id is required: the desk sends one per collection, so a retry draws no second set of numbers', 'X-Request-Id'));
  return repo.writer.append<FhirResource[]>({
    hospitalId: ctx.hospitalId, actor: ctx.actor, sourceIp: ctx.sourceIp, requestId: ctx.requestId, requestHash: ctx.requestHash,
    plan: async (tx, time) => {
      const orders = await checkOrders(tx, ctx.hospitalId, request);
      const byType = new Map<SpecimenKey, CheckedOrder[]>();
      for (const o of orders) byType.set(o.specimen, [...(byType.get(o.specimen) ?? []), o]);
      const accessions = await nextAccessions(tx, ctx.hospitalId, time, byType.size);
      const versions: VersionWrite[] = [];
      const specimens: FhirResource[] = [];
      [...byType.entries()].forEach(([key, group], i) => {
        const specimen = validated(specimenResource({
          accession: accessions[i], type: specimenByKey(key), patient: request.patient, orders: group.map((o) => o.order.id as string),
          collectedAt: request.collectedAt ?? time, ...(collector ? { collector } : {}),
        }), 'Specimen');
        const planned = planCreate(specimen, time, specimen.id).version;
        versions.push(planned);
        specimens.push(planned.resource as FhirResource);
        for (const o of group) {
          const next = { ...withoutMeta(o.order), specimen: [...((o.order.specimen as unknown[] | undefined) ?? []), { reference: `Specimen/${specimen.id as string}` }] };
          versions.push(planUpdate(validated(next, 'ServiceRequest'), o.order.id as string, o.stored, time).version);
        }
      });
      return {
        interaction: 'transaction', versions,
        responses: versions.map((v) => ({ status: v.versionId === 1 ? '201 Created' : '200 OK', location: `${v.resourceType}/${v.id}/_history/${v.versionId}` })),
        result: specimens,
      };
    },
    replay: async (_tx, entry: LedgerEntryBody) => {
      if (entry.requestHash !== ctx.requestHash) throw new FhirError(422, issue('business-rule', `X-Request-Id "${ctx.requestId}" was already used for a different request`, 'X-Request-Id'));
      return entry.versions.filter((v) => v.resourceType === 'Specimen').map((v) => v.resource as FhirResource);
    },
  });
}
