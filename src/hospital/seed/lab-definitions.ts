/**
 * Builds the laboratory's FHIR definitions from the catalogue tables: a SpecimenDefinition per
 * container, an ObservationDefinition per analyte (unit, reference and critical intervals), and an
 * ActivityDefinition per orderable test or panel, which the lab desk turns into ServiceRequests.
 */
import type { Analyte, Interval, LabTest, SpecimenType, Unit } from './lab-catalogue-types.js';
import { ANALYTES, LAB_TESTS, SPECIMEN_TYPES, labServiceCode } from './lab-catalogue.js';
import { answerValueSetId } from './lab-result-codes.js';
import { concept, ref, type Coding, type Resource } from './fhir-shapes.js';
import { labSectionLocationId } from './locations.js';
import { CANONICAL_BASE, LOCAL_CODE, SYSTEM } from './systems.js';

function quantity(value: number, unit?: Unit): Record<string, unknown> {
  return unit ? { value, unit: unit.display, system: SYSTEM.ucum, code: unit.ucum } : { value };
}

const YEARS: Unit = { ucum: 'a', display: 'years' };

function qualifiedInterval(category: 'reference' | 'critical', interval: Interval, unit?: Unit): Record<string, unknown> {
  const range: Record<string, unknown> = {};
  if (interval.low !== undefined) range.low = quantity(interval.low, unit);
  if (interval.high !== undefined) range.high = quantity(interval.high, unit);
  const result: Record<string, unknown> = { category, range };
  if (interval.sex) result.gender = interval.sex;
  if (interval.ageYears) {
    const age: Record<string, unknown> = {};
    if (interval.ageYears.low !== undefined) age.low = quantity(interval.ageYears.low, YEARS);
    if (interval.ageYears.high !== undefined) age.high = quantity(interval.ageYears.high, YEARS);
    result.age = age;
  }
  return result;
}

/** The code of an analyte: its LOINC code, or a local one where no LOINC code was verified. */
export function analyteCoding(analyte: Analyte): Coding {
  if (analyte.loinc) return { system: SYSTEM.loinc, code: analyte.loinc, display: analyte.display };
  if (!analyte.localCode) throw new Error(`lab catalogue: analyte '${analyte.key}' has neither LOINC nor local code`);
  return { system: LOCAL_CODE.labAnalyte, code: analyte.localCode, display: analyte.display };
}

const DATA_TYPE = { quantity: 'Quantity', coded: 'CodeableConcept', text: 'string' } as const;

export function observationDefinition(analyte: Analyte): Resource {
  const resource: Resource = {
    resourceType: 'ObservationDefinition',
    id: analyte.key,
    category: [concept({ system: SYSTEM.observationCategory, code: 'laboratory', display: 'Laboratory' })],
    code: concept(analyteCoding(analyte), analyte.name),
    permittedDataType: [DATA_TYPE[analyte.result]],
    multipleResultsAllowed: false,
    preferredReportName: analyte.name,
  };
  if (analyte.result === 'quantity') {
    const details: Record<string, unknown> = {};
    if (analyte.unit) {
      details.unit = concept({ system: SYSTEM.ucum, code: analyte.unit.ucum, display: analyte.unit.display }, analyte.unit.display);
    }
    if (analyte.decimals !== undefined) details.decimalPrecision = analyte.decimals;
    resource.quantitativeDetails = details;
  }
  const intervals = [
    ...(analyte.reference ?? []).map((i) => qualifiedInterval('reference', i, analyte.unit)),
    ...(analyte.critical ?? []).map((i) => qualifiedInterval('critical', i, analyte.unit)),
  ];
  if (intervals.length > 0) resource.qualifiedInterval = intervals;
  if (analyte.answers) resource.validCodedValueSet = ref('ValueSet', answerValueSetId(analyte.answers));
  if (analyte.normalAnswers) resource.normalCodedValueSet = ref('ValueSet', answerValueSetId(analyte.normalAnswers));
  return resource;
}

export function specimenDefinition(specimen: SpecimenType): Resource {
  const container: Record<string, unknown> = {
    description: specimen.container,
    cap: { text: specimen.capColour },
    minimumVolumeQuantity: { value: specimen.minimumVolumeMl, unit: 'mL', system: SYSTEM.ucum, code: 'mL' },
  };
  if (specimen.additive) container.additive = [{ additiveCodeableConcept: { text: specimen.additive } }];
  return {
    resourceType: 'SpecimenDefinition',
    id: specimen.key,
    typeCollected: concept({ system: SYSTEM.specimenType, ...specimen.collected }, specimen.name),
    collection: [{ text: specimen.collection }],
    typeTested: [{
      isDerived: specimen.tested.code !== specimen.collected.code,
      type: concept({ system: SYSTEM.specimenType, ...specimen.tested }),
      preference: 'preferred',
      container,
      rejectionCriterion: specimen.rejection.map((text) => ({ text })),
      handling: [{ instruction: specimen.handling }],
    }],
  };
}

function pascalCase(key: string): string {
  return key.replace(/(^|-)(\w)/g, (_m, _dash, c: string) => c.toUpperCase());
}

export function activityDefinition(test: LabTest): Resource {
  const id = `lab-${test.key}`;
  const codings: Coding[] = [];
  if (test.loinc) codings.push({ system: SYSTEM.loinc, code: test.loinc.code, display: test.loinc.display });
  codings.push({ system: LOCAL_CODE.service, code: labServiceCode(test), display: test.name });
  const notes = [`Turnaround: ${test.turnaroundHours} hours from receipt in the laboratory.`];
  if (test.preparation) notes.push(`Patient preparation: ${test.preparation}.`);
  return {
    resourceType: 'ActivityDefinition',
    id,
    url: `${CANONICAL_BASE}/ActivityDefinition/${id}`,
    name: `Lab${pascalCase(test.key)}`,
    title: test.name,
    status: 'active',
    description: notes.join(' '),
    topic: [{ coding: [{ system: LOCAL_CODE.labSection, code: test.section }] }],
    kind: 'ServiceRequest',
    code: concept(codings, test.name),
    priority: 'routine',
    location: ref('Location', labSectionLocationId(test.section)),
    specimenRequirement: [ref('SpecimenDefinition', test.specimen)],
    observationResultRequirement: test.analytes.map((key) => ref('ObservationDefinition', key)),
  };
}

/** Every laboratory definition: specimens, analytes, then orderables. */
export function labDefinitions(): Resource[] {
  return [
    ...SPECIMEN_TYPES.map(specimenDefinition),
    ...ANALYTES.map(observationDefinition),
    ...LAB_TESTS.map(activityDefinition),
  ];
}
