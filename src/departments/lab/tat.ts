/**
 * GET /tat: the timelines of the lab orders placed on an India day, read from what each step wrote:
 *   ordered     ServiceRequest.authoredOn
 *   collected   Specimen.collection.collectedDateTime (the sample standing for the order)
 *   received    Specimen.receivedTime
 *   result      the earliest Observation.issued among the order's results (basedOn the order)
 *   validated   the DiagnosticReport's TECHNICAL_VALIDATION extension, its `time`
 *   authorised  DiagnosticReport.issued once final (or amended)
 * and the targets from the catalogue's turnaroundHours. The arithmetic is tat-figures.ts.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { currentVersion } from '../../fhir/repository/current-version.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { dayBounds } from '../opd/india-time.js';
import { refId } from '../opd/opd-codes.js';
import { searchAll } from '../opd/opd-store.js';
import type { TurnaroundFigures } from './lab-api.js';
import { testOfOrder } from './lab-catalogue-view.js';
import { LAB_CATEGORY_SNOMED, reportId, TECHNICAL_VALIDATION } from './lab-fhir.js';
import { collectedAtOf, isLive } from './specimen-resource.js';
import { turnaroundFigures, type OrderTimeline } from './tat-figures.js';

const CLOSED_ORDER = new Set(['revoked', 'entered-in-error']);
const VOID_RESULT = new Set(['cancelled', 'entered-in-error']);
const BATCH = 50;

const millis = (value: unknown): number | undefined => {
  const t = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(t) ? undefined : t;
};

/** When the report was technically validated (extension TECHNICAL_VALIDATION, its `time`). */
export function validatedAtOf(report: FhirResource): string | undefined {
  const ext = ((report.extension as Array<{ url?: string; extension?: Array<{ url?: string; valueDateTime?: string }> }> | undefined) ?? [])
    .find((e) => e.url === TECHNICAL_VALIDATION);
  return ext?.extension?.find((e) => e.url === 'time')?.valueDateTime;
}

/** The earliest result time of each order, from the Observations based on it. */
async function firstResults(repo: FhirRepository, ctx: RequestContext, orders: string[]): Promise<Map<string, number>> {
  const first = new Map<string, number>();
  for (let i = 0; i < orders.length; i += BATCH) {
    const refs = orders.slice(i, i + BATCH).map((id) => `ServiceRequest/${id}`).join(',');
    for (const o of await searchAll(repo, ctx, 'Observation', [['based-on', refs]])) {
      const at = millis(o.issued);
      if (at === undefined || VOID_RESULT.has(String(o.status))) continue;
      for (const basis of (o.basedOn as unknown[] | undefined) ?? []) {
        const order = refId(basis);
        if (!first.has(order) || at < first.get(order)!) first.set(order, at);
      }
    }
  }
  return first;
}

async function timelineOf(repo: FhirRepository, ctx: RequestContext, order: FhirResource, resultAt: number | undefined): Promise<OrderTimeline> {
  const id = order.id as string;
  const test = testOfOrder(order);
  const specimenIds = ((order.specimen as unknown[] | undefined) ?? []).map(refId);
  const specimens = (await Promise.all(specimenIds.map((s) => currentVersion(repo.db, ctx.hospitalId, 'Specimen', s))))
    .flatMap((f) => (f?.resource && !f.deleted && isLive(f.resource) ? [f.resource] : []));
  // The sample that stands for the order: the latest drawn, if a recollection ever overlapped.
  const specimen = specimens.sort((a, b) => String(collectedAtOf(a)).localeCompare(String(collectedAtOf(b)))).at(-1);
  const stored = await currentVersion(repo.db, ctx.hospitalId, 'DiagnosticReport', reportId(id));
  const report = stored && !stored.deleted ? stored.resource ?? undefined : undefined;
  const released = report && (report.status === 'final' || report.status === 'amended');
  return {
    order: id, test: test?.name ?? String((order.code as { text?: string } | undefined)?.text ?? ''), ...(test ? { targetHours: test.turnaroundHours } : {}), ...(report ? { report: report.id as string } : {}),
    orderedAt: millis(order.authoredOn),
    collectedAt: specimen ? millis(collectedAtOf(specimen)) : undefined,
    receivedAt: specimen ? millis(specimen.receivedTime) : undefined,
    resultAt,
    validatedAt: report ? millis(validatedAtOf(report)) : undefined,
    authorisedAt: released ? millis(report.issued) : undefined,
  };
}

export async function turnaround(repo: FhirRepository, ctx: RequestContext, date: string): Promise<TurnaroundFigures> {
  const { start, end } = dayBounds(date);
  const orders = (await searchAll(repo, ctx, 'ServiceRequest', [
    ['category', `${LAB_CATEGORY_SNOMED.system}|${LAB_CATEGORY_SNOMED.code}`], ['authored', `ge${start}`], ['authored', `lt${end}`],
  ])).filter((o) => !CLOSED_ORDER.has(String(o.status)));
  const results = await firstResults(repo, ctx, orders.map((o) => o.id as string));
  const timelines = await Promise.all(orders.map((o) => timelineOf(repo, ctx, o, results.get(o.id as string))));
  return turnaroundFigures(date, timelines);
}
