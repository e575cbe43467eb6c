/**
 * The doctor's consultation: what the doctor records during an OPD visit, turned into FHIR and
 * written as ONE transaction (one ledger entry, all or nothing):
 *
 *   vitals       an Observation per sign, FHIR vital signs profile (category vital-signs, LOINC, UCUM):
 *                pulse 8867-4 /min · blood pressure panel 85354-9 with systolic 8480-6 and diastolic
 *                8462-4 mm[Hg] · temperature 8310-5 Cel · SpO2 2708-6 + 59408-5 % · respiratory rate
 *                9279-1 /min · weight 29463-7 kg · height 8302-2 cm
 *   diagnoses    a Condition each (category encounter-diagnosis; code.text, and an ICD-10 coding
 *                http://hl7.org/fhir/sid/icd-10 when given); the Encounter lists them in .diagnosis
 *   labOrders    a ServiceRequest each (active order, category laboratory SNOMED 108252007, code of the
 *                catalogue's ActivityDefinition, instantiatesCanonical its url), for the laboratory
 *   medications  a MedicationRequest each (medicationCodeableConcept.text; dosage as text, the
 *                frequency in timing.code.text, the days as timing.repeat.boundsDuration and
 *                dispenseRequest.expectedSupplyDuration, the dose as given in an extension)
 *   complaints, advice, followUpDays
 *                one ClinicalImpression (status completed): description = the complaints, summary =
 *                the advice, follow-up as an extension (a Duration in days); problem = the Conditions
 *
 * Every resource names the Patient (subject) and the Encounter (encounter/context), the doctor's
 * Practitioner where FHIR has a place for it, and the entry's time.
 *
 * The visit must be in consultation (Encounter in-progress); that is decided under the ledger's chain
 * lock, in the same step as the write, so a visit closed meanwhile gets a 409 and nothing. A retry with
 * the same X-Request-Id returns the first answer (the same resources) and writes nothing. Recording
 * again with a new X-Request-Id ADDS to the visit (more vitals, diagnoses, orders, medications, one
 * more ClinicalImpression); nothing earlier is replaced: the summary shows the latest value of each
 * vital sign, every diagnosis, order and medication, and the complaints and advice in the order given.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { currentVersion } from '../../fhir/repository/current-version.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { validated } from '../../fhir/repository/validated.js';
import { planCreate, planUpdate } from '../../fhir/repository/version-plans.js';
import { FhirError, issue, type OperationOutcomeIssue } from '../../fhir/outcome.js';
import { LOCAL_CODE } from '../../hospital/seed/systems.js';
import type { LedgerEntryBody, VersionWrite } from '../../store/ledger-entry.js';
import { idOf, ref, refId, shortHash } from './opd-codes.js';
import { load, withoutMeta } from './opd-store.js';
import { itemOf } from './queue.js';

const LOCAL_SD = 'https://nirantar.health/fhir/StructureDefinition';
export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const SNOMED = 'http://snomed.info/sct';
export const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
export const CONSULTATION_EXTENSION = {
  /** On ClinicalImpression: come back after this many days (valueDuration, UCUM d). */
  followUp: `${LOCAL_SD}/opd-follow-up`,
  /** On MedicationRequest.dosageInstruction: the dose as the doctor wrote it ("500 mg", "1 tab"). */
  doseText: `${LOCAL_SD}/opd-dose-text`,
} as const;

export type VitalKey = 'pulse' | 'systolic' | 'diastolic' | 'temperature' | 'spo2' | 'respiratoryRate' | 'weightKg' | 'heightCm';

interface VitalRule {
  /** Plausible in a living patient of any age; outside is a typing slip. */
  min: number;
  max: number;
  whole: boolean;
  unit: string;
  hint?: string;
}

export const VITAL_RULES: Record<VitalKey, VitalRule> = {
  pulse: { min: 20, max: 300, whole: true, unit: 'beats/min' },
  systolic: { min: 40, max: 300, whole: true, unit: 'mmHg' },
  diastolic: { min: 10, max: 200, whole: true, unit: 'mmHg' },
  temperature: { min: 25, max: 45, whole: false, unit: '°C', hint: ' (in °C; 98.6 is °F)' },
  spo2: { min: 20, max: 100, whole: true, unit: '%' },
  respiratoryRate: { min: 4, max: 100, whole: true, unit: 'breaths/min' },
  weightKg: { min: 0.2, max: 400, whole: false, unit: 'kg' },
  heightCm: { min: 20, max: 275, whole: false, unit: 'cm' },
};

/** One vital sign as FHIR writes it: its LOINC codes, UCUM unit and the vital signs profile. */
interface VitalCode {
  key: Exclude<VitalKey, 'systolic' | 'diastolic'> | 'bloodPressure';
  codings: Array<{ code: string; display: string }>;
  text: string;
  unit?: { unit: string; code: string };
  profile: string;
}

const PROFILE = 'http://hl7.org/fhir/StructureDefinition';
export const VITAL_CODES: VitalCode[] = [
  { key: 'pulse', codings: [{ code: '8867-4', display: 'Heart rate' }], text: 'Pulse', unit: { unit: 'beats/minute', code: '/min' }, profile: `${PROFILE}/heartrate` },
  { key: 'bloodPressure', codings: [{ code: '85354-9', display: 'Blood pressure panel with all children optional' }], text: 'Blood pressure', profile: `${PROFILE}/bp` },
  { key: 'temperature', codings: [{ code: '8310-5', display: 'Body temperature' }], text: 'Temperature', unit: { unit: 'Cel', code: 'Cel' }, profile: `${PROFILE}/bodytemp` },
  // The R4 oxygen saturation profile fixes 2708-6; 59408-5 says it was measured by pulse oximetry.
  { key: 'spo2', codings: [{ code: '2708-6', display: 'Oxygen saturation in Arterial blood' }, { code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' }], text: 'SpO2', unit: { unit: '%', code: '%' }, profile: `${PROFILE}/oxygensat` },
  { key: 'respiratoryRate', codings: [{ code: '9279-1', display: 'Respiratory rate' }], text: 'Respiratory rate', unit: { unit: 'breaths/minute', code: '/min' }, profile: `${PROFILE}/resprate` },
  { key: 'weightKg', codings: [{ code: '29463-7', display: 'Body weight' }], text: 'Weight', unit: { unit: 'kg', code: 'kg' }, profile: `${PROFILE}/bodyweight` },
  { key: 'heightCm', codings: [{ code: '8302-2', display: 'Body height' }], text: 'Height', unit: { unit: 'cm', code: 'cm' }, profile: `${PROFILE}/bodyheight` },
];
export const BP_COMPONENTS = { systolic: { code: '8480-6', display: 'Systolic blood pressure' }, diastolic: { code: '8462-4', display: 'Diastolic blood pressure' } } as const;

export type Vitals = Partial<Record<VitalKey, number>>;
export interface Diagnosis { text: string; icd10?: string }
export interface Medication { text: string; dose?: string; frequency?: string; days?: number }

export interface ConsultationRequest {
  vitals: Vitals;
  complaints?: string;
  diagnoses: Diagnosis[];
  advice?: string;
  labOrders: Array<{ test: string }>;
  medications: Medication[];
  followUpDays?: number;
}

const ICD10_CODE = /^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/;
const MAX_TEXT = 4000;
const MAX_ITEMS = 50;

/**
 * The request body checked field by field. Every problem is reported at once, each issue naming its
 * field (`vitals.pulse`, `diagnoses[1].icd10`, `labOrders[0].test`), as one 400.
 */
export function readConsultation(body: Record<string, unknown>): ConsultationRequest {
  const problems: OperationOutcomeIssue[] = [];
  const bad = (field: string, text: string) => { problems.push(issue('invalid', `${field}: ${text}`, field)); };
  const known = new Set(['vitals', 'complaints', 'diagnoses', 'advice', 'labOrders', 'medications', 'followUpDays']);
  for (const key of Object.keys(body)) if (!known.has(key)) bad(key, `is not a field of a consultation (${[...known].join(', ')})`);

  const text = (value: unknown, field: string, required = false): string | undefined => {
    if (value === undefined || value === null) {
      if (required) bad(field, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') { bad(field, 'must be text'); return undefined; }
    const trimmed = value.trim();
    if (trimmed === '') {
      if (required) bad(field, 'must not be empty');
      return undefined;
    }
    if (trimmed.length > MAX_TEXT) { bad(field, `is longer than ${MAX_TEXT} characters`); return undefined; }
    return trimmed;
  };
  const list = (value: unknown, field: string): unknown[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) { bad(field, 'must be a list'); return []; }
    if (value.length > MAX_ITEMS) { bad(field, `has more than ${MAX_ITEMS} items`); return []; }
    return value;
  };
  const object = (value: unknown, field: string): Record<string, unknown> | undefined => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) { bad(field, 'must be an object'); return undefined; }
    return value as Record<string, unknown>;
  };

  const vitals: Vitals = {};
  if (body.vitals !== undefined && body.vitals !== null) {
    const raw = object(body.vitals, 'vitals');
    for (const key of Object.keys(raw ?? {})) {
      const field = `vitals.${key}`;
      const rule = VITAL_RULES[key as VitalKey];
      const value = raw![key];
      if (!rule) { bad(field, `is not a vital sign this form records (${Object.keys(VITAL_RULES).join(', ')})`); continue; }
      if (value === undefined || value === null) continue;
      if (typeof value !== 'number' || !Number.isFinite(value)) { bad(field, 'must be a number'); continue; }
      if (rule.whole && !Number.isInteger(value)) { bad(field, `must be a whole number of ${rule.unit}`); continue; }
      if (value < rule.min || value > rule.max) {
        bad(field, `${value} ${rule.unit} is outside ${rule.min}-${rule.max} ${rule.unit}${rule.hint ?? ''}; check the reading`);
        continue;
      }
      vitals[key as VitalKey] = value;
    }
    const { systolic, diastolic } = vitals;
    if ((systolic === undefined) !== (diastolic === undefined)) {
      const missing = systolic === undefined ? 'systolic' : 'diastolic';
      if (!problems.some((p) => p.expression?.[0] === `vitals.${missing}`)) bad(`vitals.${missing}`, 'blood pressure needs both systolic and diastolic');
    } else if (systolic !== undefined && diastolic !== undefined && diastolic >= systolic) {
      bad('vitals.diastolic', `${diastolic} mmHg is not below the systolic ${systolic} mmHg`);
    }
  }

  const diagnoses: Diagnosis[] = list(body.diagnoses, 'diagnoses').flatMap((raw, i) => {
    const d = object(raw, `diagnoses[${i}]`);
    if (!d) return [];
    for (const key of Object.keys(d)) if (key !== 'text' && key !== 'icd10') bad(`diagnoses[${i}].${key}`, 'is not a field of a diagnosis (text, icd10)');
    const t = text(d.text, `diagnoses[${i}].text`, true);
    let icd10: string | undefined;
    if (d.icd10 !== undefined && d.icd10 !== null && d.icd10 !== '') {
      const code = typeof d.icd10 === 'string' ? d.icd10.trim().toUpperCase() : '';
      if (!ICD10_CODE.test(code)) bad(`diagnoses[${i}].icd10`, `${JSON.stringify(d.icd10)} is not an ICD-10 code (a letter and two digits, A00-Z99, with an optional .x, e.g. J06.9)`);
      else icd10 = code;
    }
    return t ? [{ text: t, ...(icd10 ? { icd10 } : {}) }] : [];
  });

  const labOrders = list(body.labOrders, 'labOrders').flatMap((raw, i) => {
    const o = object(raw, `labOrders[${i}]`);
    if (!o) return [];
    for (const key of Object.keys(o)) if (key !== 'test') bad(`labOrders[${i}].${key}`, 'is not a field of a lab order (test)');
    const raw2 = o.test;
    const test = typeof raw2 === 'string' ? raw2.trim().replace(/^ActivityDefinition\//, '') : '';
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(test)) { bad(`labOrders[${i}].test`, 'must name a test of the lab catalogue (its ActivityDefinition id, e.g. lab-cbc)'); return []; }
    return [{ test }];
  });
  labOrders.forEach((o, i) => {
    if (labOrders.findIndex((p) => p.test === o.test) < i) bad(`labOrders[${i}].test`, `${o.test} is ordered twice`);
  });

  const medications: Medication[] = list(body.medications, 'medications').flatMap((raw, i) => {
    const m = object(raw, `medications[${i}]`);
    if (!m) return [];
    for (const key of Object.keys(m)) if (!['text', 'dose', 'frequency', 'days'].includes(key)) bad(`medications[${i}].${key}`, 'is not a field of a medication (text, dose, frequency, days)');
    const t = text(m.text, `medications[${i}].text`, true);
    const dose = text(m.dose, `medications[${i}].dose`);
    const frequency = text(m.frequency, `medications[${i}].frequency`);
    let days: number | undefined;
    if (m.days !== undefined && m.days !== null) {
      if (typeof m.days !== 'number' || !Number.isInteger(m.days) || m.days < 1 || m.days > 365) bad(`medications[${i}].days`, 'must be a whole number of days, 1-365');
      else days = m.days;
    }
    return t ? [{ text: t, ...(dose ? { dose } : {}), ...(frequency ? { frequency } : {}), ...(days ? { days } : {}) }] : [];
  });

  let followUpDays: number | undefined;
  if (body.followUpDays !== undefined && body.followUpDays !== null) {
    const f = body.followUpDays;
    if (typeof f !== 'number' || !Number.isInteger(f) || f < 1 || f > 365) bad('followUpDays', 'must be a whole number of days, 1-365');
    else followUpDays = f;
  }
  const complaints = text(body.complaints, 'complaints');
  const advice = text(body.advice, 'advice');

  if (problems.length > 0) throw new FhirError(400, problems);
  const request: ConsultationRequest = {
    vitals, diagnoses, labOrders, medications,
    ...(complaints ? { complaints } : {}), ...(advice ? { advice } : {}), ...(followUpDays ? { followUpDays } : {}),
  };
  if (Object.keys(vitals).length + diagnoses.length + labOrders.length + medications.length === 0 && !complaints && !advice && !followUpDays) {
    throw new FhirError(400, issue('required', 'nothing to record: give vitals, complaints, diagnoses, advice, labOrders, medications or followUpDays'));
  }
  return request;
}

/** The resource types a consultation writes (for the permission checks before it runs). */
export function typesWritten(c: ConsultationRequest): string[] {
  return [
    ...(Object.keys(c.vitals).length > 0 ? ['Observation'] : []),
    ...(c.diagnoses.length > 0 ? ['Condition', 'Encounter'] : []),
    ...(c.labOrders.length > 0 ? ['ServiceRequest'] : []),
    ...(c.medications.length > 0 ? ['MedicationRequest'] : []),
    ...(hasImpression(c) ? ['ClinicalImpression'] : []),
  ];
}

const hasImpression = (c: ConsultationRequest) => c.complaints !== undefined || c.advice !== undefined || c.followUpDays !== undefined;

/** The catalogue's ActivityDefinitions the orders name; 400 naming the order for one that is not there. */
export async function labTestsOf(repo: FhirRepository, ctx: RequestContext, c: ConsultationRequest): Promise<FhirResource[]> {
  const found = await Promise.all(c.labOrders.map((o) => load(repo, ctx, 'ActivityDefinition', o.test)));
  const problems: OperationOutcomeIssue[] = [];
  const tests = found.map((f, i) => {
    const field = `labOrders[${i}].test`;
    if (!f) problems.push(issue('invalid', `${field}: ${c.labOrders[i].test} is not a test of the lab catalogue`, field));
    else if (!isLabTest(f.resource)) problems.push(issue('invalid', `${field}: ActivityDefinition/${c.labOrders[i].test} is not a laboratory test`, field));
    else if (f.resource.status !== 'active' || f.resource.kind !== 'ServiceRequest') problems.push(issue('invalid', `${field}: ${c.labOrders[i].test} cannot be ordered (status ${String(f.resource.status)})`, field));
    return f?.resource as FhirResource;
  });
  if (problems.length > 0) throw new FhirError(400, problems);
  return tests;
}

/** A test of the lab catalogue: its ActivityDefinition names a laboratory section (hospital/seed/lab-definitions.ts). */
const isLabTest = (definition: FhirResource) =>
  ((definition.topic as Array<{ coding?: Array<{ system?: string }> }> | undefined) ?? []).some((t) => t.coding?.some((c) => c.system === LOCAL_CODE.labSection));

export interface ConsultationResult {
  visit: string;
  /** 'Type/id' of each resource written, in the order of the request. */
  written: string[];
  resources: FhirResource[];
}

interface Built {
  versions: VersionWrite[];
  resources: FhirResource[];
}

/** The resources of a consultation, built for a visit at `time`. Ids: `<kind>-<hash of the request>-<nn>`, so their order is the request's. */
export function buildConsultation(c: ConsultationRequest, encounter: FhirResource, tests: FhirResource[], time: string, idBase: string, doctor?: { reference: string; display?: string }): FhirResource[] {
  const subject = encounter.subject as { reference: string; display?: string };
  const visit = ref('Encounter', encounter.id as string);
  const id = (kind: string, n: number) => `${kind}-${idBase}-${String(n).padStart(2, '0')}`;
  const out: FhirResource[] = [];
  let n = 0;
  const quantity = (value: number, unit: { unit: string; code: string }) => ({ value, unit: unit.unit, system: UCUM, code: unit.code });
  for (const v of VITAL_CODES) {
    const common = {
      resourceType: 'Observation', id: id('vs', ++n), meta: { profile: [`${PROFILE}/vitalsigns`, v.profile] }, status: 'final',
      category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }], text: 'Vital Signs' }],
      code: { coding: v.codings.map((c) => ({ system: LOINC, ...c })), text: v.text },
      subject, encounter: visit, effectiveDateTime: time, issued: time, ...(doctor ? { performer: [doctor] } : {}),
    };
    if (v.key === 'bloodPressure') {
      if (c.vitals.systolic === undefined || c.vitals.diastolic === undefined) { n--; continue; }
      const mmHg = { unit: 'mmHg', code: 'mm[Hg]' };
      out.push({
        ...common,
        component: (['systolic', 'diastolic'] as const).map((k) => ({
          code: { coding: [{ system: LOINC, ...BP_COMPONENTS[k] }], text: BP_COMPONENTS[k].display },
          valueQuantity: quantity(c.vitals[k]!, mmHg),
        })),
      });
      continue;
    }
    const value = c.vitals[v.key];
    if (value === undefined) { n--; continue; }
    out.push({ ...common, valueQuantity: quantity(value, v.unit!) });
  }
  const conditions = c.diagnoses.map((d, i): FhirResource => ({
    resourceType: 'Condition', id: id('dx', i + 1),
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'provisional' }] },
    category: [{ coding: [{ system: CONDITION_CATEGORY, code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }] }],
    code: { ...(d.icd10 ? { coding: [{ system: ICD10, code: d.icd10 }] } : {}), text: d.text },
    subject, encounter: visit, recordedDate: time, ...(doctor ? { recorder: doctor, asserter: doctor } : {}),
  }));
  out.push(...conditions);
  c.labOrders.forEach((_o, i) => {
    const test = tests[i];
    out.push({
      resourceType: 'ServiceRequest', id: id('lab', i + 1),
      ...(typeof test.url === 'string' ? { instantiatesCanonical: [test.url] } : {}),
      status: 'active', intent: 'order', priority: 'routine',
      category: [{ coding: [{ system: SNOMED, code: '108252007', display: 'Laboratory procedure' }], text: 'Laboratory' }],
      code: test.code, subject, encounter: visit, authoredOn: time, ...(doctor ? { requester: doctor } : {}),
    });
  });
  c.medications.forEach((m, i) => {
    const sig = [m.dose, m.frequency, m.days ? `for ${m.days} day${m.days === 1 ? '' : 's'}` : undefined].filter(Boolean).join(', ');
    const days = m.days ? { value: m.days, unit: 'days', system: UCUM, code: 'd' } : undefined;
    out.push({
      resourceType: 'MedicationRequest', id: id('rx', i + 1), status: 'active', intent: 'order',
      medicationCodeableConcept: { text: m.text }, subject, encounter: visit, authoredOn: time, ...(doctor ? { requester: doctor } : {}),
      ...(sig || m.dose ? {
        dosageInstruction: [{
          ...(m.dose ? { extension: [{ url: CONSULTATION_EXTENSION.doseText, valueString: m.dose }] } : {}),
          sequence: 1, text: sig || m.dose,
          ...(m.frequency || days ? { timing: { ...(m.frequency ? { code: { text: m.frequency } } : {}), ...(days ? { repeat: { boundsDuration: days } } : {}) } } : {}),
        }],
      } : {}),
      ...(days ? { dispenseRequest: { expectedSupplyDuration: days } } : {}),
    });
  });
  if (hasImpression(c)) {
    out.push({
      resourceType: 'ClinicalImpression', id: id('ci', 1), status: 'completed',
      ...(c.followUpDays ? { extension: [{ url: CONSULTATION_EXTENSION.followUp, valueDuration: { value: c.followUpDays, unit: 'days', system: UCUM, code: 'd' } }] } : {}),
      code: { text: 'OPD consultation' },
      ...(c.complaints ? { description: c.complaints } : {}),
      subject, encounter: visit, effectiveDateTime: time, date: time, ...(doctor ? { assessor: doctor } : {}),
      ...(conditions.length > 0 ? { problem: conditions.map((x) => ref('Condition', x.id as string)) } : {}),
      ...(c.advice ? { summary: c.advice } : {}),
      ...(c.followUpDays ? { note: [{ text: `Follow up after ${c.followUpDays} day${c.followUpDays === 1 ? '' : 's'}` }] } : {}),
    });
  }
  return out.map((r) => JSON.parse(JSON.stringify(r)) as FhirResource); // drops undefined members
}

/** Records the consultation: one ledger entry (a transaction), or the first answer again on a retry. */
export async function recordConsultation(
  repo: FhirRepository, ctx: RequestContext, visitId: string, c: ConsultationRequest, tests: FhirResource[], doctor?: { reference: string; display?: string },
): Promise<ConsultationResult> {
  if (!ctx.requestId) throw new FhirError(400, issue('required', 'X-Request-Id is required: the console sends one per consultation, so a retry records it once', 'X-Request-Id'));
  const idBase = shortHash(`${ctx.hospitalId}|${ctx.requestId}`, 20);
  return repo.writer.append<ConsultationResult>({
    hospitalId: ctx.hospitalId, actor: ctx.actor, sourceIp: ctx.sourceIp, requestId: ctx.requestId, requestHash: ctx.requestHash,
    plan: async (tx, time) => {
      const current = await currentVersion(tx, ctx.hospitalId, 'Encounter', visitId);
      const encounter = current && !current.deleted ? current.resource : null;
      if (!current || !encounter) throw new FhirError(404, issue('not-found', `Encounter/${visitId} does not exist`));
      if (encounter.status !== 'in-progress') {
        const queued = itemOf(encounter).state; // waiting, called, done, cancelled
        const state = encounter.status === 'arrived' ? `${queued} (arrived), not yet in consultation: start the visit first` : `${queued} (${String(encounter.status)}), not in consultation`;
        throw new FhirError(409, issue('business-rule', `Encounter/${visitId} is ${state}`));
      }
      const built = buildConsultation(c, encounter, tests, time, idBase, doctor);
      const written: Built = { versions: [], resources: [] };
      for (const r of built) {
        const planned = planCreate(validated(r, r.resourceType), time, r.id as string);
        written.versions.push(planned.version);
        written.resources.push(planned.version.resource as FhirResource);
      }
      const conditions = built.filter((r) => r.resourceType === 'Condition');
      if (conditions.length > 0) {
        // The visit lists its diagnoses (Encounter.diagnosis), as FHIR readers look for them.
        const diagnosis = [...((encounter.diagnosis as unknown[] | undefined) ?? []), ...conditions.map((x) => ({ condition: ref('Condition', x.id as string) }))];
        const planned = planUpdate(validated({ ...withoutMeta(encounter), diagnosis }, 'Encounter'), visitId, current, time);
        written.versions.push(planned.version);
        written.resources.push(planned.version.resource as FhirResource);
      }
      return {
        interaction: 'transaction', versions: written.versions,
        responses: written.versions.map((v) => ({ status: v.versionId === 1 ? '201 Created' : '200 OK', location: `${v.resourceType}/${v.id}/_history/${v.versionId}`, etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated })),
        result: resultOf(visitId, written.resources),
      };
    },
    replay: async (_tx, entry: LedgerEntryBody) => {
      if (entry.requestHash !== ctx.requestHash) {
        throw new FhirError(422, issue('business-rule', `X-Request-Id "${ctx.requestId}" was already used for a different request`, 'X-Request-Id'));
      }
      return resultOf(visitId, entry.versions.map((v) => v.resource as FhirResource));
    },
  });
}

function resultOf(visit: string, resources: FhirResource[]): ConsultationResult {
  return { visit, written: resources.map((r) => `${r.resourceType}/${r.id as string}`), resources };
}

/** The doctor of the record: the principal's Practitioner, else the visit's. */
export async function doctorOf(repo: FhirRepository, ctx: RequestContext, encounter: FhirResource, practitioner: string | null | undefined): Promise<{ reference: string; display?: string } | undefined> {
  const own = practitioner ? idOf(practitioner, 'Practitioner', 'practitioner') : refId((encounter.participant as Array<{ individual?: unknown }> | undefined)?.[0]?.individual);
  if (!own) return undefined;
  const found = await load(repo, ctx, 'Practitioner', own);
  const name = found ? practitionerName(found.resource) : undefined;
  return ref('Practitioner', own, name);
}

export function practitionerName(resource: FhirResource): string | undefined {
  const name = (resource.name as Array<{ text?: string; prefix?: string[]; given?: string[]; family?: string }> | undefined)?.[0];
  if (!name) return undefined;
  return name.text ?? [...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean).join(' ');
}
