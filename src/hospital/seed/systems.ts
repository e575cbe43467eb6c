/**
 * Every code system and identifier system the seed uses, in one place, so desks and tests agree on
 * the strings. Local systems live under https://nirantar.health/: identifier systems directly under
 * it (…/uhid, …/hospital), code systems under …/CodeSystem/.
 */

const LOCAL = 'https://nirantar.health';

/** Identifier systems (the namespace a human-facing number is unique in). */
export const IDENTIFIER = {
  /** Patient UHID, allocated by registration (the seed has no patients). */
  uhid: `${LOCAL}/uhid`,
  hospital: `${LOCAL}/hospital`,
  department: `${LOCAL}/department`,
  /** Employee code of a staff member. */
  staff: `${LOCAL}/staff`,
} as const;

/** Local code systems. */
export const LOCAL_CODE = {
  department: `${LOCAL}/CodeSystem/department`,
  staffRole: `${LOCAL}/CodeSystem/staff-role`,
  /** The hospital's service master: one code per billable/orderable service (tariff and orders). */
  service: `${LOCAL}/CodeSystem/service`,
  /** Lab analytes that have no LOINC code we could verify. */
  labAnalyte: `${LOCAL}/CodeSystem/lab-analyte`,
  /** Answers of qualitative lab tests (reactive, positive, 1+ …). */
  labResult: `${LOCAL}/CodeSystem/lab-result`,
  labSection: `${LOCAL}/CodeSystem/lab-section`,
} as const;

/** Canonical URL base for definitional resources (ActivityDefinition.url, ChargeItemDefinition.url …). */
export const CANONICAL_BASE = `${LOCAL}/fhir`;

/** External code systems. */
export const SYSTEM = {
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  snomed: 'http://snomed.info/sct',
  locationPhysicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
  bedStatus: 'http://terminology.hl7.org/CodeSystem/v2-0116',
  roleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  organizationType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  practitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
  specimenType: 'http://terminology.hl7.org/CodeSystem/v2-0487',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
} as const;
