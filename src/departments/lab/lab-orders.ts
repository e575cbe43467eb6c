/**
 * Lab orders entered at the lab desk (POST /orders): a walk-in's outside prescription typed in by the
 * lab, or a doctor ordering outside a consultation. They are ServiceRequests in exactly the shape the
 * doctor's consultation writes (opd/consultation.ts), so everything downstream sees one kind of
 * order. All the tests of a request are one ledger entry; a retry with the same X-Request-Id returns
 * the first orders and writes nothing.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { currentVersion } from '../../fhir/repository/current-version.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { validated } from '../../fhir/repository/validated.js';
import { planCreate } from '../../fhir/repository/version-plans.js';
import { FhirError, issue, type OperationOutcomeIssue } from '../../fhir/outcome.js';
import type { LedgerEntryBody } from '../../store/ledger-entry.js';
import { refId, shortHash } from '../opd/opd-codes.js';
import type { LabOrderRequest, OrderBrief, Priority } from './lab-api.js';
import { LAB_CATEGORY_SNOMED } from './lab-fhir.js';
import { catalogueTest, testOfOrder } from './lab-catalogue-view.js';
import { readRequest } from './specimen-input.js';

export const PRIORITIES: readonly Priority[] = ['routine', 'urgent', 'stat'];
const MAX_TESTS = 50;

/** True for a laboratory ServiceRequest (category laboratory procedure). */
export function isLabOrder(order: FhirResource): boolean {
  return order.resourceType === 'ServiceRequest' && ((order.category as Array<{ coding?: Array<{ system?: string; code?: string }> }> | undefined) ?? [])
    .some((c) => c.coding?.some((x) => x.system === LAB_CATEGORY_SNOMED.system && x.code === LAB_CATEGORY_SNOMED.code));
}

export function priorityOf(order: FhirResource): Priority {
  return PRIORITIES.includes(order.priority as Priority) ? order.priority as Priority : 'routine';
}

/** An order as the desks list it. */
export function orderBrief(order: FhirResource, recollect?: string): OrderBrief {
  const test = testOfOrder(order);
  const code = order.code as { text?: string } | undefined;
  const requester = (order.requester as { display?: string } | undefined)?.display;
  return {
    id: order.id as string, test: test?.id ?? '', testName: test?.name ?? code?.text ?? 'Laboratory test',
    priority: priorityOf(order), orderedAt: String(order.authoredOn ?? (order.meta as { lastUpdated?: string } | undefined)?.lastUpdated ?? ''),
    ...(requester ? { requester } : {}), ...(recollect ? { recollect } : {}),
  };
}

/** The body of POST /orders, checked field by field (every problem at once, as one 400). */
export function readLabOrderRequest(body: Record<string, unknown>): LabOrderRequest {
  return readRequest(body, ['patient', 'encounter', 'tests', 'priority'], (r) => {
    const patient = r.id('patient', 'Patient', true)!;
    const encounter = r.id('encounter', 'Encounter');
    const tests = r.ids('tests', 'ActivityDefinition', MAX_TESTS);
    tests.forEach((t, i) => {
      if (!catalogueTest(t)) r.bad(`tests[${i}]`, `${t} is not a test of the lab catalogue (GET /api/lab/catalogue lists them, e.g. lab-cbc)`);
    });
    let priority: Priority | undefined;
    if (body.priority !== undefined && body.priority !== null) {
      if (!PRIORITIES.includes(body.priority as Priority)) r.bad('priority', `must be one of ${PRIORITIES.join(', ')}`);
      else priority = body.priority as Priority;
    }
    return { patient, tests, ...(encounter ? { encounter } : {}), ...(priority ? { priority } : {}) };
  });
}

/**
 * Writes the orders under the chain lock, where the patient, the visit and the catalogue are checked
 * against the state the entry is appended to (a 422 naming the field, and nothing written).
 */
export async function writeLabOrders(
  repo: FhirRepository, ctx: RequestContext, order: LabOrderRequest, requester?: { reference: string; display?: string },
): Promise<FhirResource[]> {
  if (!ctx.requestId) throw new FhirError(400, issue('required', 'X-Request-Id is required: the desk sends one per order, so a retry orders once', 'X-Request-Id'));
  const idBase = shortHash(`${ctx.hospitalId}|${ctx.requestId}`, 20);
  return repo.writer.append<FhirResource[]>({
    hospitalId: ctx.hospitalId, actor: ctx.actor, sourceIp: ctx.sourceIp, requestId: ctx.requestId, requestHash: ctx.requestHash,
    plan: async (tx, time) => {
      const problems: OperationOutcomeIssue[] = [];
      const live = async (type: string, id: string) => {
        const found = await currentVersion(tx, ctx.hospitalId, type, id);
        return found && !found.deleted ? found.resource ?? undefined : undefined;
      };
      const patient = await live('Patient', order.patient);
      if (!patient) problems.push(issue('not-found', `patient: Patient/${order.patient} does not exist`, 'patient'));
      if (order.encounter) {
        const encounter = await live('Encounter', order.encounter);
        if (!encounter) problems.push(issue('not-found', `encounter: Encounter/${order.encounter} does not exist`, 'encounter'));
        else if (refId(encounter.subject) !== order.patient) problems.push(issue('business-rule', `encounter: Encounter/${order.encounter} is another patient's visit`, 'encounter'));
      }
      const definitions = await Promise.all(order.tests.map((t) => live('ActivityDefinition', t)));
      definitions.forEach((d, i) => {
        if (!d || d.status !== 'active') problems.push(issue('business-rule', `tests[${i}]: ${order.tests[i]} is not offered (its catalogue entry is ${d ? `${String(d.status)}` : 'missing'})`, `tests[${i}]`));
      });
      if (problems.length > 0) throw new FhirError(422, problems);
      const versions = order.tests.map((_t, i) => {
        const definition = definitions[i]!;
        const resource = validated({
          resourceType: 'ServiceRequest', id: `lab-${idBase}-${String(i + 1).padStart(2, '0')}`,
          ...(typeof definition.url === 'string' ? { instantiatesCanonical: [definition.url] } : {}),
          status: 'active', intent: 'order', priority: order.priority ?? 'routine',
          category: [{ coding: [{ ...LAB_CATEGORY_SNOMED }], text: 'Laboratory' }],
          code: definition.code, subject: { reference: `Patient/${order.patient}` },
          ...(order.encounter ? { encounter: { reference: `Encounter/${order.encounter}` } } : {}),
          authoredOn: time, ...(requester ? { requester } : {}),
        }, 'ServiceRequest');
        return planCreate(resource, time, resource.id).version;
      });
      return {
        interaction: 'transaction', versions,
        responses: versions.map((v) => ({ status: '201 Created', location: `${v.resourceType}/${v.id}/_history/1` })),
        result: versions.map((v) => v.resource as FhirResource),
      };
    },
    replay: async (_tx, entry: LedgerEntryBody) => {
      if (entry.requestHash !== ctx.requestHash) throw new FhirError(422, issue('business-rule', `X-Request-Id "${ctx.requestId}" was already used for a different request`, 'X-Request-Id'));
      return entry.versions.map((v) => v.resource as FhirResource);
    },
  });
}
