/**
 * The phlebotomy list: every active lab order that has no sample standing for it (never drawn, or
 * its sample was rejected: then it says why, so the phlebotomist tells the patient), grouped per
 * patient with the tubes to draw, one per container type. Stat before urgent before routine, then
 * the longest waiting first, so the sickest and the most patient are called first.
 *
 * `date` is the India day the desk looks at: orders placed up to its end. An order does not drop off
 * at midnight while it still waits for a sample.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { currentVersion } from '../../fhir/repository/current-version.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { dayBounds } from '../opd/india-time.js';
import { refId } from '../opd/opd-codes.js';
import { searchAll } from '../opd/opd-store.js';
import type { OrderBrief, PhlebotomyItem, Priority } from './lab-api.js';
import { testOfOrder } from './lab-catalogue-view.js';
import { LAB_CATEGORY_SNOMED } from './lab-fhir.js';
import { orderBrief } from './lab-orders.js';
import { patientBriefs } from './patient-brief.js';
import { isLive, isRejected, rejectionOf } from './specimen-resource.js';

const RANK: Record<Priority, number> = { stat: 0, urgent: 1, routine: 2 };
const before = (a: OrderBrief, b: OrderBrief) => RANK[a.priority] - RANK[b.priority] || a.orderedAt.localeCompare(b.orderedAt);

/** Why the order is waiting again: the latest rejection of a sample drawn for it, if any. */
function recollectReason(specimens: FhirResource[]): string | undefined {
  const rejections = specimens.filter(isRejected).flatMap((s) => { const r = rejectionOf(s); return r ? [r] : []; });
  const latest = rejections.sort((a, b) => a.at.localeCompare(b.at)).at(-1);
  return latest ? `${latest.display}${latest.note ? `: ${latest.note}` : ''}` : undefined;
}

/** The orders waiting for a sample as of the end of `date`, with the reason of a recollection. */
export async function waitingOrders(repo: FhirRepository, ctx: RequestContext, date: string): Promise<Array<{ order: FhirResource; brief: OrderBrief }>> {
  const orders = await searchAll(repo, ctx, 'ServiceRequest', [
    ['category', `${LAB_CATEGORY_SNOMED.system}|${LAB_CATEGORY_SNOMED.code}`], ['status', 'active'], ['authored', `lt${dayBounds(date).end}`],
  ]);
  const waiting = await Promise.all(orders.map(async (order) => {
    if (!testOfOrder(order)) return [];
    const ids = ((order.specimen as Array<{ reference?: string }> | undefined) ?? []).map((s) => refId(s));
    const found = await Promise.all(ids.map((id) => currentVersion(repo.db, ctx.hospitalId, 'Specimen', id)));
    const specimens = found.flatMap((f) => (f?.resource && !f.deleted ? [f.resource] : []));
    if (specimens.some(isLive)) return [];
    return [{ order, brief: orderBrief(order, recollectReason(specimens)) }];
  }));
  return waiting.flat();
}

export async function phlebotomyList(repo: FhirRepository, ctx: RequestContext, date: string): Promise<PhlebotomyItem[]> {
  const waiting = await waitingOrders(repo, ctx, date);
  // Orders placed together (same time) keep the order they were written in.
  const written = (o: FhirResource) => `${String((o.meta as { lastUpdated?: string } | undefined)?.lastUpdated ?? '')}|${o.id as string}`;
  waiting.sort((a, b) => before(a.brief, b.brief) || written(a.order).localeCompare(written(b.order)));
  const byPatient = new Map<string, Array<{ order: FhirResource; brief: OrderBrief }>>();
  for (const w of waiting) {
    const patient = refId(w.order.subject);
    byPatient.set(patient, [...(byPatient.get(patient) ?? []), w]);
  }
  const briefs = await patientBriefs(repo.db, ctx.hospitalId, byPatient.keys());
  const items = [...byPatient.entries()].flatMap(([patient, list]): PhlebotomyItem[] => {
    const brief = briefs.get(patient);
    if (!brief) return [];
    const containers = new Map<string, PhlebotomyItem['containers'][number]>();
    for (const { order, brief: o } of list) {
      const s = testOfOrder(order)!.specimen;
      const tube = containers.get(s.key) ?? { specimenType: s.key, name: s.name, container: s.container, capColour: s.capColour, orders: [] };
      tube.orders.push(o.id);
      containers.set(s.key, tube);
    }
    return [{ patient: brief, orders: list.map((w) => w.brief), containers: [...containers.values()] }];
  });
  // A patient's place is that of their most pressing order.
  return items.sort((a, b) => before(a.orders[0], b.orders[0]));
}
