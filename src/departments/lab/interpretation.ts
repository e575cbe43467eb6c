/**
 * Interpretation flags of a numeric result: the reference interval that fits the patient (sex and
 * age in completed years), then the critical intervals, which win. A critical interval open below
 * (`{ high: 7 }`: 7 or less) is critically low (LL); one open above (`{ low: 20 }`) critically high
 * (HH). Bounds are inclusive, as the catalogue states them.
 */
import type { Analyte, Interval } from '../../hospital/seed/lab-catalogue.js';
import { ANSWER_SETS } from '../../hospital/seed/lab-result-codes.js';
import type { Flag } from './lab-fhir.js';
import { ageInYears } from './patient-brief.js';

export interface PatientFacts {
  sex?: 'male' | 'female';
  ageYears?: number;
}

export interface Interpretation {
  flag?: Flag;
  critical: boolean;
  /** The reference interval that applied, when one did. */
  reference?: Interval;
}

/** Does the interval's sex and age band apply? An interval with an age band needs a known age. */
export function appliesTo(interval: Interval, patient: PatientFacts): boolean {
  if (interval.sex && interval.sex !== patient.sex) return false;
  const band = interval.ageYears;
  if (band) {
    if (patient.ageYears === undefined) return false;
    if (band.low !== undefined && patient.ageYears < band.low) return false;
    if (band.high !== undefined && patient.ageYears > band.high) return false;
  }
  return true;
}

const inside = (value: number, i: Interval) => (i.low === undefined || value >= i.low) && (i.high === undefined || value <= i.high);

export function referenceFor(analyte: Analyte, patient: PatientFacts): Interval | undefined {
  return (analyte.reference ?? []).find((i) => appliesTo(i, patient));
}

export function interpretNumber(analyte: Analyte, value: number, patient: PatientFacts): Interpretation {
  const reference = referenceFor(analyte, patient);
  const critical = (analyte.critical ?? []).filter((i) => appliesTo(i, patient)).find((i) => inside(value, i));
  if (critical) return { flag: critical.low === undefined ? 'LL' : 'HH', critical: true, reference };
  if (!reference) return { critical: false };
  if (reference.low !== undefined && value < reference.low) return { flag: 'L', critical: false, reference };
  if (reference.high !== undefined && value > reference.high) return { flag: 'H', critical: false, reference };
  return { flag: 'N', critical: false, reference };
}

/** A coded answer is abnormal (A) when the analyte names its normal answers and this is not one. */
export function interpretCode(analyte: Analyte, code: string): Interpretation {
  if (!analyte.normalAnswers) return { critical: false };
  return { flag: ANSWER_SETS[analyte.normalAnswers].includes(code) ? 'N' : 'A', critical: false };
}

/** An interval as the report prints it, with the analyte's decimals: "13.0 – 17.0", "up to 200", "40 or more". */
export function intervalText(interval: Interval, decimals?: number): string {
  const f = (n: number) => (decimals === undefined ? String(n) : n.toFixed(decimals));
  if (interval.low !== undefined && interval.high !== undefined) return `${f(interval.low)} – ${f(interval.high)}`;
  if (interval.high !== undefined) return `up to ${f(interval.high)}`;
  if (interval.low !== undefined) return `${f(interval.low)} or more`;
  return '';
}

/** Sex and completed years on a day, from a Patient. */
export function patientFacts(patient: Record<string, unknown> | undefined, on: string): PatientFacts {
  const sex = patient?.gender === 'male' || patient?.gender === 'female' ? patient.gender : undefined;
  const ageYears = typeof patient?.birthDate === 'string' ? ageInYears(patient.birthDate, on) : undefined;
  return { ...(sex ? { sex } : {}), ...(ageYears !== undefined ? { ageYears } : {}) };
}
