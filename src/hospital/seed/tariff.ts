/**
 * The hospital tariff: one ChargeItemDefinition per billable service, in rupees, at prices an Indian
 * public hospital charges (token registration fee, subsidised consultations, bed-days and lab tests).
 * Each line's `code` is the service-master code that the order side uses too (a lab test's
 * ActivityDefinition carries the same LAB-… code), so billing finds the price of what was ordered.
 */
import { concept, type Coding, type Resource } from './fhir-shapes.js';
import { DEPARTMENTS, type DepartmentKey } from './departments.js';
import { LAB_TESTS, labServiceCode } from './lab-catalogue.js';
import { WARDS } from './locations.js';
import { CANONICAL_BASE, LOCAL_CODE, SYSTEM } from './systems.js';

/** The date this tariff took effect: fixed, so the seed is the same on every run. */
export const TARIFF_EFFECTIVE_FROM = '2025-04-01';

export const OPD_REGISTRATION_FEE_INR = 10;

/**
 * OPD consultation per department: a subsidised flat fee, double for the super-speciality
 * (Cardiology). Emergency care is not charged at the point of care; its line exists at ₹0 so the
 * bill still records the visit.
 */
export const CONSULTATION_FEES_INR: Partial<Record<DepartmentKey, number>> = {
  'general-medicine': 50, 'general-surgery': 50, paediatrics: 50, 'obstetrics-gynaecology': 50,
  orthopaedics: 50, ophthalmology: 50, ent: 50, cardiology: 100, emergency: 0,
};

/** Bed charge per day, by ward id: the general-ward rate, and a higher ICU rate. */
export const BED_CHARGES_INR_PER_DAY: Record<string, number> = {
  'ward-medical-male': 35, 'ward-medical-female': 35, 'ward-surgical': 35, 'ward-paediatric': 35, 'ward-icu': 500,
};

/** Price of each orderable lab test or panel, by catalogue key. */
export const LAB_PRICES_INR: Record<string, number> = {
  cbc: 150, esr: 30, 'pt-inr': 150, aptt: 150, 'blood-group': 50,
  lft: 300, kft: 250, electrolytes: 200, creatinine: 60, 'lipid-profile': 300,
  'glucose-fasting': 40, 'glucose-random': 40, 'glucose-postprandial': 40, hba1c: 350,
  'thyroid-profile': 400, tsh: 200, crp: 200, 'urine-routine': 50,
  // HIV testing is free under the national programme (ICTC); the line exists so the bill shows it.
  hbsag: 150, 'anti-hcv': 250, hiv: 0, 'dengue-ns1': 300, widal: 100,
};

export interface TariffLine {
  code: string;
  title: string;
  priceInr: number;
  description: string;
  /** Further codings of the same service (a lab test's LOINC order code). */
  alsoCodedAs?: Coding[];
}

function price<K extends string>(table: Partial<Record<K, number>>, key: K, what: string): number {
  const value = table[key];
  if (value === undefined) throw new Error(`tariff: no price for ${what} '${key}'`);
  return value;
}

/** Every tariff line, built from the tables above; throws if a service has no price. */
export function tariffLines(): TariffLine[] {
  const lines: TariffLine[] = [
    { code: 'OPD-REG', title: 'OPD registration', priceInr: OPD_REGISTRATION_FEE_INR, description: 'New OPD registration (UHID and OPD card), valid for the visit' },
  ];
  for (const department of DEPARTMENTS) {
    if (department.kind === 'diagnostic') continue;
    const emergency = department.kind === 'emergency';
    lines.push({
      code: emergency ? 'EMERG-CONS' : `OPD-CONS-${department.code}`,
      title: emergency ? 'Emergency consultation' : `Consultation — ${department.name}`,
      priceInr: price(CONSULTATION_FEES_INR, department.key, 'consultation'),
      description: `Consultation in ${department.name}, per visit`,
    });
  }
  for (const ward of WARDS) {
    lines.push({
      code: `BED-${ward.id.replace(/^ward-/, '').toUpperCase()}`,
      title: `Bed charge — ${ward.name}`,
      priceInr: price(BED_CHARGES_INR_PER_DAY, ward.id, 'ward'),
      description: `Bed charge in ${ward.name}, per day (midnight census)`,
    });
  }
  for (const test of LAB_TESTS) {
    lines.push({
      code: labServiceCode(test),
      title: `Laboratory — ${test.name}`,
      priceInr: price(LAB_PRICES_INR, test.key, 'lab test'),
      description: `${test.name}, per test`,
      alsoCodedAs: test.loinc ? [{ system: SYSTEM.loinc, code: test.loinc.code, display: test.loinc.display }] : undefined,
    });
  }
  return lines;
}

export function chargeItemDefinitionId(code: string): string {
  return `tariff-${code.toLowerCase()}`;
}

export function chargeItemDefinition(line: TariffLine): Resource {
  const id = chargeItemDefinitionId(line.code);
  return {
    resourceType: 'ChargeItemDefinition',
    id,
    url: `${CANONICAL_BASE}/ChargeItemDefinition/${id}`,
    title: line.title,
    status: 'active',
    description: line.description,
    effectivePeriod: { start: TARIFF_EFFECTIVE_FROM },
    code: concept([{ system: LOCAL_CODE.service, code: line.code, display: line.title }, ...(line.alsoCodedAs ?? [])], line.title),
    propertyGroup: [{
      priceComponent: [{ type: 'base', amount: { value: line.priceInr, currency: 'INR' } }],
    }],
  };
}

export function tariff(): Resource[] {
  return tariffLines().map(chargeItemDefinition);
}
