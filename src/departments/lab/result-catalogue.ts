/**
 * The catalogue as result entry needs it: which test an order is for, and that test's analytes. Read
 * from the seed's tables (the same ones the FHIR definitions were built from), so no store round trip
 * per result.
 */
import { analyteByKey, LAB_TESTS, labServiceCode, type Analyte, type LabTest } from '../../hospital/seed/lab-catalogue.js';
import { CANONICAL_BASE, LOCAL_CODE } from '../../hospital/seed/systems.js';
import type { FhirResource } from '../../fhir/repository/context.js';

const byKey = new Map(LAB_TESTS.map((t) => [t.key, t]));
const byServiceCode = new Map(LAB_TESTS.map((t) => [labServiceCode(t), t]));
const CANONICAL_PREFIX = `${CANONICAL_BASE}/ActivityDefinition/lab-`;

/** The catalogue test of a lab ServiceRequest: by instantiatesCanonical, else by its service code. */
export function testOfOrder(order: FhirResource): LabTest | undefined {
  for (const url of (order.instantiatesCanonical as string[] | undefined) ?? []) {
    if (url.startsWith(CANONICAL_PREFIX)) {
      const test = byKey.get(url.slice(CANONICAL_PREFIX.length).split('|')[0]);
      if (test) return test;
    }
  }
  const codings = ((order.code as { coding?: Array<{ system?: string; code?: string }> } | undefined)?.coding) ?? [];
  for (const c of codings) if (c.system === LOCAL_CODE.service && c.code && byServiceCode.has(c.code)) return byServiceCode.get(c.code);
  return undefined;
}

/** A catalogue test by its key, its ActivityDefinition id (lab-cbc) or its service code (LAB-CBC). */
export function testByName(name: string): LabTest | undefined {
  const text = name.trim();
  return byKey.get(text) ?? byKey.get(text.replace(/^(ActivityDefinition\/)?lab-/, '')) ?? byServiceCode.get(text.toUpperCase());
}

export const analytesOf = (test: LabTest): Analyte[] => test.analytes.map(analyteByKey);

export function analyteOfTest(test: LabTest, key: string): Analyte | undefined {
  return test.analytes.includes(key) ? analyteByKey(key) : undefined;
}

export const activityDefinitionId = (test: LabTest) => `lab-${test.key}`;
