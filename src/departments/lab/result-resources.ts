/**
 * The FHIR resources of a result, as lab-fhir.ts names them: the Observation of one analyte, the
 * DiagnosticReport of one order, and the Communication of a critical value. Pure builders; the
 * writes are planned in result-writes.ts.
 */
import type { FhirResource } from '../../fhir/repository/context.js';
import { analyteCoding } from '../../hospital/seed/lab-definitions.js';
import type { Analyte, Interval } from '../../hospital/seed/lab-catalogue.js';
import { SYSTEM } from '../../hospital/seed/systems.js';
import {
  AMENDMENT_REASON, CRITICAL_ALERT_CATEGORY, INTERPRETATION_SYSTEM, OBSERVATION_CATEGORY_LAB, REPORT_CATEGORY_LAB,
  criticalAlertId, observationId, reportId, type Flag,
} from './lab-fhir.js';
import { intervalText, type Interpretation } from './interpretation.js';
import type { OrderWork, SpecimenWork } from './result-work.js';
import { collectedAt } from './result-work.js';
import { valueElement, type ParsedValue } from './value-parsing.js';

export interface Person { reference: string; display?: string }

export const FLAG_DISPLAY: Record<Flag, string> = {
  N: 'Normal', H: 'High', L: 'Low', HH: 'Critical high', LL: 'Critical low', A: 'Abnormal',
};

export interface ObservationInput {
  work: SpecimenWork;
  order: OrderWork;
  analyte: Analyte;
  parsed: ParsedValue;
  interpretation: Interpretation;
  status: 'preliminary' | 'final' | 'amended';
  time: string;
  performer?: Person;
  /** The instrument, for a result that came from one. */
  device?: string;
  /** DEVICE_RESULT_SYSTEM identifiers of the device results this analyte has taken. */
  identifiers?: Array<{ system: string; value: string }>;
  note?: string;
  amendmentReason?: string;
}

function quantity(value: number, analyte: Analyte) {
  return { value, ...(analyte.unit ? { unit: analyte.unit.display, system: SYSTEM.ucum, code: analyte.unit.ucum } : {}) };
}

function referenceRange(interval: Interval, analyte: Analyte) {
  return {
    ...(interval.low !== undefined ? { low: quantity(interval.low, analyte) } : {}),
    ...(interval.high !== undefined ? { high: quantity(interval.high, analyte) } : {}),
    ...(interval.ageYears ? {
      age: {
        ...(interval.ageYears.low !== undefined ? { low: { value: interval.ageYears.low, unit: 'years', system: SYSTEM.ucum, code: 'a' } } : {}),
        ...(interval.ageYears.high !== undefined ? { high: { value: interval.ageYears.high, unit: 'years', system: SYSTEM.ucum, code: 'a' } } : {}),
      },
    } : {}),
    text: intervalText(interval, analyte.decimals),
  };
}

export function buildObservation(input: ObservationInput): FhirResource {
  const { work, order, analyte, parsed, interpretation, time } = input;
  const sr = order.order.resource;
  const effective = collectedAt(work.specimen.resource);
  return strip({
    resourceType: 'Observation',
    id: observationId(sr.id as string, analyte.key),
    ...(input.amendmentReason ? { extension: [{ url: AMENDMENT_REASON, valueString: input.amendmentReason }] } : {}),
    ...(input.identifiers?.length ? { identifier: input.identifiers } : {}),
    basedOn: [{ reference: `ServiceRequest/${sr.id as string}` }],
    status: input.status,
    category: [{ coding: [OBSERVATION_CATEGORY_LAB] }],
    code: { coding: [analyteCoding(analyte)], text: analyte.name },
    subject: sr.subject,
    encounter: sr.encounter,
    effectiveDateTime: effective,
    issued: time,
    ...(input.performer ? { performer: [input.performer] } : {}),
    ...valueElement(analyte, parsed),
    ...(interpretation.flag ? { interpretation: [{ coding: [{ system: INTERPRETATION_SYSTEM, code: interpretation.flag, display: FLAG_DISPLAY[interpretation.flag] }] }] } : {}),
    ...(input.note ? { note: [{ text: input.note }] } : {}),
    specimen: { reference: `Specimen/${work.specimen.resource.id as string}` },
    ...(input.device ? { device: { display: input.device } } : {}),
    ...(interpretation.reference ? { referenceRange: [referenceRange(interpretation.reference, analyte)] } : {}),
  });
}

/** The order's report with these results, keeping what the current version says (validation, interpreters, amendments). */
export function buildReport(work: SpecimenWork, order: OrderWork, resultIds: string[], status: string, changes: Record<string, unknown> = {}): FhirResource {
  const sr = order.order.resource;
  const current = order.report?.resource ?? {};
  const { meta: _meta, ...kept } = current as FhirResource;
  return strip({
    ...kept,
    resourceType: 'DiagnosticReport',
    id: reportId(sr.id as string),
    basedOn: [{ reference: `ServiceRequest/${sr.id as string}` }],
    status,
    category: [{ coding: [REPORT_CATEGORY_LAB] }],
    code: sr.code,
    subject: sr.subject,
    encounter: sr.encounter,
    effectiveDateTime: collectedAt(work.specimen.resource),
    specimen: [{ reference: `Specimen/${work.specimen.resource.id as string}` }],
    result: resultIds.map((id) => ({ reference: `Observation/${id}` })),
    ...changes,
  });
}

export function buildCriticalAlert(observation: FhirResource, version: number, report: string, requester: Person | undefined, analyte: Analyte, valueShown: string, flag: Flag, time: string, sender?: Person): FhirResource {
  const unit = analyte.unit ? ` ${analyte.unit.display}` : '';
  return strip({
    resourceType: 'Communication',
    id: criticalAlertId(observation.id as string, String(version)),
    basedOn: observation.basedOn,
    status: 'in-progress',
    category: [{ coding: [CRITICAL_ALERT_CATEGORY] }],
    priority: 'stat',
    subject: observation.subject,
    about: [{ reference: `Observation/${observation.id as string}` }, { reference: `DiagnosticReport/${report}` }],
    encounter: observation.encounter,
    sent: time,
    ...(requester ? { recipient: [requester] } : {}),
    ...(sender ? { sender } : {}),
    payload: [{ contentString: `${analyte.name} ${valueShown}${unit} (${FLAG_DISPLAY[flag].toLowerCase()})` }],
  });
}

/** Drops undefined members, so an absent encounter is absent, not null. */
function strip(resource: Record<string, unknown>): FhirResource {
  return JSON.parse(JSON.stringify(resource)) as FhirResource;
}
