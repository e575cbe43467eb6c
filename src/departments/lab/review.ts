/**
 * Device results that matched nothing wait here for a person (lab-fhir.ts "Observation (review)"):
 * an Observation with status registered, no subject, tagged DEVICE_REVIEW_TAG, its id and identifier
 * from the result's hash, the instrument's value as text and the reason in a note. A technician
 * assigns it to a specimen and analyte (it becomes that analyte's result, like the device had matched
 * it; the review item is closed as cancelled, pointing at the result) or discards it with a reason
 * (entered-in-error). Either way it stays in the record.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { validated } from '../../fhir/repository/validated.js';
import { planCreate, planUpdate } from '../../fhir/repository/version-plans.js';
import { FhirError, issue } from '../../fhir/outcome.js';
import type { VersionWrite } from '../../store/ledger-entry.js';
import type { DeviceObservation } from '../../devices/lab-device-types.js';
import type { ReviewItem } from './lab-api.js';
import { ACCESSION_SYSTEM, DEVICE_RESULT_SYSTEM, DEVICE_REVIEW_TAG, OBSERVATION_CATEGORY_LAB, observationId } from './lab-fhir.js';
import { unitsAgree } from './instrument-codes.js';
import { appendLab, requireRequestId } from './result-ledger.js';
import { planResults } from './result-writes.js';
import { live, loadSpecimenWork, specimenState } from './result-work.js';
import { parseValue } from './value-parsing.js';

export const reviewId = (hash: string) => `lab-review-${hash.slice(0, 40)}`;
const UNITS_NOTE = 'Units as sent: ';

/** A device time (YYYYMMDDHHMMSS[±ZZZZ]) as FHIR dateTime, when it is one. */
export function deviceTime(text: string | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?([+-]\d{4})?/.exec(text ?? '');
  if (!m) return undefined;
  if (!m[4]) return `${m[1]}-${m[2]}-${m[3]}`;
  const zone = m[7] ? `${m[7].slice(0, 3)}:${m[7].slice(3)}` : '+05:30';
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${zone}`;
}

/** Instrument text made safe for a FHIR string/code: no control characters, single spaces, bounded. */
export function clean(text: string | undefined, max = 500): string {
  const printable = [...(text ?? '')].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join('');
  return printable.replace(/\s+/g, ' ').trim().slice(0, max);
}

export function planReviewItem(input: { hash: string; instrument: string; accession: string; observation: DeviceObservation; reason: string; time: string }): VersionWrite {
  const { observation: obs } = input;
  const time = deviceTime(obs.observedAt);
  // An instrument clock can send anything; only a real date goes into effectiveDateTime.
  const effective = time && !Number.isNaN(Date.parse(time.length === 10 ? `${time}T00:00:00Z` : time)) ? time : undefined;
  const code = clean(obs.test.code, 200) || '(none)';
  const display = clean(obs.test.text, 200);
  const resource = {
    resourceType: 'Observation',
    id: reviewId(input.hash),
    meta: { tag: [DEVICE_REVIEW_TAG] },
    identifier: [{ system: DEVICE_RESULT_SYSTEM, value: input.hash }],
    status: 'registered',
    category: [{ coding: [OBSERVATION_CATEGORY_LAB] }],
    code: { coding: [{ code, ...(display ? { display } : {}) }], text: display || code },
    ...(effective ? { effectiveDateTime: effective } : {}),
    issued: input.time,
    valueString: clean(obs.value, 4000) || '(empty)',
    note: [{ text: clean(input.reason, 2000) || 'unmatched' }, ...(clean(obs.units) ? [{ text: `${UNITS_NOTE}${clean(obs.units)}` }] : [])],
    ...(clean(input.accession) ? { specimen: { identifier: { system: ACCESSION_SYSTEM, value: clean(input.accession, 64) }, display: clean(input.accession, 64) } } : {}),
    device: { display: clean(input.instrument, 200) || 'unnamed instrument' },
  };
  return planCreate(validated(resource, 'Observation'), input.time, resource.id).version;
}

export function reviewView(o: FhirResource): ReviewItem {
  const notes = ((o.note as Array<{ text?: string }> | undefined) ?? []).map((n) => n.text ?? '');
  const units = notes.find((n) => n.startsWith(UNITS_NOTE))?.slice(UNITS_NOTE.length);
  const accession = (o.specimen as { identifier?: { value?: string } } | undefined)?.identifier?.value;
  return {
    id: o.id as string, instrument: (o.device as { display?: string } | undefined)?.display ?? '',
    ...(accession ? { accession } : {}),
    testCode: (o.code as { coding?: Array<{ code?: string }> }).coding?.[0]?.code ?? '',
    value: String(o.valueString ?? ''), ...(units ? { units } : {}),
    reason: notes[0] ?? '', receivedAt: String(o.issued ?? ''),
  };
}

export async function openReviewItems(repo: FhirRepository, ctx: RequestContext): Promise<FhirResource[]> {
  const bundle = await repo.search(ctx, 'Observation', [['_tag', `${DEVICE_REVIEW_TAG.system}|${DEVICE_REVIEW_TAG.code}`], ['status', 'registered'], ['_count', '1000']]) as { entry?: Array<{ resource?: FhirResource; search?: { mode?: string } }> };
  return (bundle.entry ?? []).filter((e) => e.resource && (e.search?.mode ?? 'match') === 'match').map((e) => e.resource!)
    .sort((a, b) => String(a.issued).localeCompare(String(b.issued)));
}

const closed = (o: FhirResource, status: string, text: string, time: string): FhirResource => {
  const { meta, ...rest } = o;
  return { ...rest, meta: { tag: (meta as { tag?: unknown[] } | undefined)?.tag }, status, note: [...((rest.note as unknown[] | undefined) ?? []), { text, time }] };
};

async function openItem(tx: Parameters<typeof live>[0], ctx: RequestContext, id: string) {
  const item = await live(tx, ctx.hospitalId, 'Observation', id);
  const tagged = ((item?.resource.meta as { tag?: Array<{ code?: string }> } | undefined)?.tag ?? []).some((t) => t.code === DEVICE_REVIEW_TAG.code);
  if (!item || !tagged) throw new FhirError(404, issue('not-found', `no review item ${id}`));
  if (item.resource.status !== 'registered') throw new FhirError(409, issue('business-rule', `review item ${id} is already closed (${String(item.resource.status)})`));
  return item;
}

/** Assigns a review item to a specimen's analyte; returns the report it now belongs to. */
export function assignReviewItem(repo: FhirRepository, ctx: RequestContext, id: string, specimenId: string, analyteKey: string): Promise<string> {
  requireRequestId(ctx);
  return appendLab(repo, ctx, 'transaction', async (tx, time) => {
    const item = await openItem(tx, ctx, id);
    const work = await loadSpecimenWork(tx, ctx.hospitalId, specimenId);
    if (specimenState(work.specimen.resource) !== 'received') throw new FhirError(409, issue('business-rule', `specimen: Specimen/${specimenId} is not a received sample`, 'specimen'));
    const order = work.orders.find((o) => o.analytes.some((a) => a.key === analyteKey) && o.order.resource.status === 'active');
    if (!order) throw new FhirError(400, issue('invalid', `analyte: no open order on Specimen/${specimenId} measures ${analyteKey}`, 'analyte'));
    const released = order.report?.resource.status;
    if (released === 'final' || released === 'amended') throw new FhirError(409, issue('business-rule', `analyte: the report of ${order.test.name} is released; a pathologist amends it`, 'analyte'));
    const analyte = order.analytes.find((a) => a.key === analyteKey)!;
    const view = reviewView(item.resource);
    if (!unitsAgree(analyte, view.units)) throw new FhirError(400, issue('invalid', `analyte: the value came in ${view.units ?? ''}, not in ${analyte.unit?.display ?? 'no unit'} as ${analyte.name} is reported`, 'analyte'));
    const parsed = parseValue(analyte, view.value, { round: true });
    if (!parsed.ok) throw new FhirError(400, issue('invalid', `analyte: the value ${parsed.problem}`, 'analyte'));
    const hash = ((item.resource.identifier as Array<{ value?: string }> | undefined) ?? [])[0]?.value;
    const planned = planResults(work, [{ order, analyte, parsed: parsed.value, device: view.instrument, ...(hash ? { deviceResult: hash } : {}) }], { time, status: 'preliminary' });
    const target = observationId(order.order.resource.id as string, analyte.key);
    const close = closed(item.resource, 'cancelled', `Assigned to Observation/${target} (specimen ${specimenId})`, time);
    return { versions: [...planned.versions, planUpdate(validated(close, 'Observation'), id, item.version, time).version], result: order.report!.resource.id as string };
  }, (entry) => entry.versions.find((v) => v.resourceType === 'DiagnosticReport')?.id ?? '');
}

export function discardReviewItem(repo: FhirRepository, ctx: RequestContext, id: string, reason: string): Promise<FhirResource> {
  requireRequestId(ctx);
  return appendLab(repo, ctx, 'update', async (tx, time) => {
    const item = await openItem(tx, ctx, id);
    const version = planUpdate(validated(closed(item.resource, 'entered-in-error', `Discarded: ${reason}`, time), 'Observation'), id, item.version, time).version;
    return { versions: [version], result: version.resource as FhirResource };
  }, (entry) => entry.versions[0].resource as FhirResource);
}
