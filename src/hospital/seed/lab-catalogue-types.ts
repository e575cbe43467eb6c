/**
 * The shape of the laboratory catalogue: plain data that the seed turns into FHIR definitions and
 * that the laboratory department can read directly (order entry, worklists, result entry, flags).
 */

/** A reference or critical interval. Bounds are inclusive; a missing bound is open. */
export interface Interval {
  low?: number;
  high?: number;
  sex?: 'male' | 'female';
  /** Age band in completed years, inclusive; missing means any age. */
  ageYears?: { low?: number; high?: number };
}

/** A UCUM unit and how a report prints it. */
export interface Unit {
  ucum: string;
  display: string;
}

/** How an analyte's result is entered: a number, one of a set of coded answers, or free text. */
export type ResultKind = 'quantity' | 'coded' | 'text';

/** A named set of qualitative answers (see lab-result-codes.ts). */
export type AnswerSetKey = 'reactivity' | 'presence' | 'dipstick-grade' | 'abo-rh';

/** One measured quantity (an ObservationDefinition). */
export interface Analyte {
  /** Stable id: ObservationDefinition/<key>. */
  key: string;
  /** What the report prints. */
  name: string;
  /** LOINC code; undefined when we could not verify one (then `localCode` is used). */
  loinc?: string;
  /** LOINC long common name, or the local display. */
  display: string;
  localCode?: string;
  result: ResultKind;
  unit?: Unit;
  decimals?: number;
  reference?: Interval[];
  /** Intervals in which a value must be phoned to the ward at once: `{ high: 7 }` means 7 or below. */
  critical?: Interval[];
  /** For coded results: the answers allowed and, where one is normal, the normal ones. */
  answers?: AnswerSetKey;
  normalAnswers?: 'non-reactive' | 'negative';
}

export type SpecimenKey = 'edta-whole-blood' | 'serum-sst' | 'fluoride-plasma' | 'citrate-plasma' | 'urine-random';

/** A specimen type and its container (a SpecimenDefinition). */
export interface SpecimenType {
  key: SpecimenKey;
  name: string;
  /** HL7 v2 table 0487 code of what is collected and of what is tested. */
  collected: { code: string; display: string };
  tested: { code: string; display: string };
  container: string;
  capColour: string;
  additive?: string;
  minimumVolumeMl: number;
  collection: string;
  handling: string;
  /** Why a sample is sent back. */
  rejection: string[];
}

export type LabSection = 'haematology' | 'biochemistry' | 'clinical-pathology' | 'serology';

/** An orderable test or panel (an ActivityDefinition, a tariff line). */
export interface LabTest {
  /** Stable id: ActivityDefinition/lab-<key>; service code LAB-<KEY>. */
  key: string;
  name: string;
  /** LOINC order code when one fits the panel as we run it; otherwise only the local service code. */
  loinc?: { code: string; display: string };
  /** Why no LOINC order code, when there is none. */
  noLoincBecause?: string;
  section: LabSection;
  specimen: SpecimenKey;
  analytes: string[];
  /** Routine turnaround, hours from receipt in the lab. */
  turnaroundHours: number;
  preparation?: string;
}
