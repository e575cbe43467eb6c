/**
 * A report as the desks and the printed report see it (lab-api.ts ReportView): the order, patient
 * and sample, each analyte's value with its flag and reference interval, who validated and authorised
 * it, and, for an amended report, the earlier released values and the reasons, read from the history
 * (nothing is overwritten, so the history is the record of what was released when).
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { history } from '../../fhir/repository/history.js';
import type { Analyte } from '../../hospital/seed/lab-catalogue.js';
import type { Queryable } from '../../store/database.js';
import { indiaDay } from '../../printing/india-time.js';
import type { OrderBrief, PatientBrief, ReportView, ResultValue, Priority } from './lab-api.js';
import { AMENDMENT_REASON, TECHNICAL_VALIDATION, type Flag } from './lab-fhir.js';
import { intervalText, patientFacts, referenceFor } from './interpretation.js';
import { patientBrief as sharedPatientBrief } from './patient-brief.js';
import { activityDefinitionId } from './result-catalogue.js';
import { accessionOf, collectedAt, type OrderWork, type SpecimenWork } from './result-work.js';
import { valueText } from './value-parsing.js';

type Ref = { reference?: string; display?: string };

/** The patient in brief (patient-brief.ts), or just the id when the Patient cannot be read. */
export function patientBrief(patient: FhirResource | undefined, id: string): PatientBrief {
  return patient ? sharedPatientBrief(patient) : { id, name: '', uhid: '' };
}

export function orderBrief(order: OrderWork): OrderBrief {
  const sr = order.order.resource;
  const requester = sr.requester as Ref | undefined;
  return {
    id: sr.id as string, test: activityDefinitionId(order.test), testName: order.test.name,
    priority: (sr.priority as Priority | undefined) ?? 'routine', orderedAt: String(sr.authoredOn ?? ''),
    ...(requester ? { requester: requester.display ?? requester.reference } : {}),
  };
}

const flagOf = (o: FhirResource): Flag | undefined =>
  (o.interpretation as Array<{ coding?: Array<{ code?: string }> }> | undefined)?.[0]?.coding?.[0]?.code as Flag | undefined;

async function versionsOf(db: Queryable, ctx: RequestContext, type: string, id: string): Promise<FhirResource[]> {
  const bundle = await history(db, ctx, { resourceType: type, id, params: new URLSearchParams({ _count: '1000' }) }) as { entry?: Array<{ resource?: FhirResource }> };
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is FhirResource => !!r).reverse();
}

/** The released values before the current one, oldest first (a value re-sent unchanged counts once). */
async function previousValues(db: Queryable, ctx: RequestContext, analyte: Analyte, observation: FhirResource): Promise<Array<{ value: string; at: string }>> {
  const released = (await versionsOf(db, ctx, 'Observation', observation.id as string)).filter((v) => v.status === 'final' || v.status === 'amended');
  const runs: Array<{ value: string; at: string }> = [];
  for (const v of released) {
    const value = valueText(analyte, v) ?? '';
    if (runs.at(-1)?.value !== value) runs.push({ value, at: String(v.issued ?? (v.meta as { lastUpdated?: string } | undefined)?.lastUpdated ?? '') });
  }
  return runs.slice(0, -1);
}

function resultValue(work: SpecimenWork, order: OrderWork, analyte: Analyte): ResultValue {
  const o = order.observations.get(analyte.key)?.resource;
  const base: ResultValue = { analyte: analyte.key, name: analyte.name, kind: analyte.result, ...(analyte.unit ? { unit: analyte.unit.display } : {}) };
  const reference = referenceFor(analyte, patientFacts(work.patient, indiaDay(collectedAt(work.specimen.resource) ?? new Date())));
  if (!o) return { ...base, ...(reference ? { reference: intervalText(reference, analyte.decimals) } : {}) };
  const flag = flagOf(o);
  const range = (o.referenceRange as Array<{ text?: string }> | undefined)?.[0]?.text;
  return {
    ...base, value: valueText(analyte, o),
    ...(range ? { reference: range } : {}),
    ...(flag ? { flag, critical: flag === 'HH' || flag === 'LL' } : {}),
    status: o.status as ResultValue['status'],
    ...((o.device as Ref | undefined)?.display ? { device: (o.device as Ref).display } : {}),
  };
}

export async function reportView(db: Queryable, ctx: RequestContext, work: SpecimenWork, order: OrderWork): Promise<ReportView> {
  const report = order.report?.resource;
  const specimen = work.specimen.resource;
  const results: ResultValue[] = [];
  for (const analyte of order.analytes) {
    const value = resultValue(work, order, analyte);
    const o = order.observations.get(analyte.key)?.resource;
    if (o?.status === 'amended') {
      const previous = await previousValues(db, ctx, analyte, o);
      if (previous.length > 0) value.previous = previous;
    }
    results.push(value);
  }
  const validation = ((report?.extension as Array<{ url: string; extension?: Array<{ url: string; valueReference?: Ref; valueDateTime?: string }> }> | undefined) ?? [])
    .find((e) => e.url === TECHNICAL_VALIDATION);
  const validator = validation?.extension?.find((e) => e.url === 'validator')?.valueReference;
  const validatedAt = validation?.extension?.find((e) => e.url === 'time')?.valueDateTime;
  const entered = [...order.observations.values()].map((o) => String(o.resource.issued ?? '')).filter(Boolean).sort()[0];
  const view: ReportView = {
    id: report?.id as string ?? '',
    order: orderBrief(order),
    patient: patientBrief(work.patient, String((specimen.subject as Ref | undefined)?.reference ?? '').split('/').pop() ?? ''),
    specimen: {
      id: specimen.id as string, accession: accessionOf(specimen), name: specimenName(specimen),
      collectedAt: collectedAt(specimen) ?? '', ...(typeof specimen.receivedTime === 'string' ? { receivedAt: specimen.receivedTime } : {}),
    },
    section: order.test.section,
    status: (report?.status as ReportView['status'] | undefined) ?? 'partial',
    results,
    ...(entered ? { enteredAt: entered } : {}),
    ...(validator ? { validatedBy: validator.display ?? validator.reference } : {}),
    ...(validatedAt ? { validatedAt } : {}),
    pdf: `/api/lab/reports/${report?.id as string ?? ''}/report.pdf`,
  };
  if (report && (report.status === 'final' || report.status === 'amended')) Object.assign(view, await releaseOf(db, ctx, report.id as string));
  return view;
}

/** Who authorised and when (the first final version), and each amendment with its pathologist. */
async function releaseOf(db: Queryable, ctx: RequestContext, id: string): Promise<Partial<ReportView>> {
  const versions = await versionsOf(db, ctx, 'DiagnosticReport', id);
  const first = versions.find((v) => v.status === 'final');
  const interpreter = (v: FhirResource) => (v.resultsInterpreter as Ref[] | undefined)?.at(-1);
  const out: Partial<ReportView> = {};
  if (first) {
    const by = interpreter(first);
    if (by) out.authorisedBy = by.display ?? by.reference;
    out.authorisedAt = String(first.issued ?? '');
  }
  const amendments: Array<{ reason: string; by: string; at: string }> = [];
  let seen = 0;
  for (const v of versions) {
    const reasons = ((v.extension as Array<{ url: string; valueString?: string }> | undefined) ?? []).filter((e) => e.url === AMENDMENT_REASON);
    if (reasons.length > seen) {
      const by = interpreter(v);
      for (const r of reasons.slice(seen)) amendments.push({ reason: r.valueString ?? '', by: by?.display ?? by?.reference ?? '', at: String(v.issued ?? '') });
      seen = reasons.length;
    }
  }
  if (amendments.length > 0) out.amendments = amendments;
  return out;
}

function specimenName(specimen: FhirResource): string {
  const type = specimen.type as { text?: string; coding?: Array<{ display?: string }> } | undefined;
  return type?.text ?? type?.coding?.find((c) => c.display)?.display ?? '';
}
