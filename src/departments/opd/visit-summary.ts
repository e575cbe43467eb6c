/**
 * The summary of an OPD visit, read back from FHIR: the Encounter, its Patient and doctor, and what
 * the consultations recorded against it (Observation, Condition, ServiceRequest, MedicationRequest,
 * ClinicalImpression with encounter = the visit). The console shows it, the slip prints it.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { UHID_SYSTEM } from '../registration/uhid.js';
import { CONSULTATION_EXTENSION, ICD10, practitionerName, VITAL_CODES, BP_COMPONENTS, type VitalKey } from './consultation.js';
import { load, searchAll } from './opd-store.js';
import { refId } from './opd-codes.js';
import { departmentOfVisit, itemOf, type QueueState } from './queue.js';
import { displayName } from './schedules.js';

/** The types a summary reads, besides Encounter, Patient and Practitioner. */
export const SUMMARY_TYPES = ['Observation', 'Condition', 'ServiceRequest', 'MedicationRequest', 'ClinicalImpression'] as const;

export interface VisitSummary {
  visit: string;
  status: string;
  state: QueueState;
  token: number;
  department: string;
  departmentName?: string;
  patient: { id: string; reference: string; name: string; uhid?: string; gender?: string; birthDate?: string };
  doctor: { id: string; reference: string; name?: string } | null;
  times: { arrivedAt: string; calledAt?: string; startedAt?: string; finishedAt?: string };
  /** The latest reading of each sign, and when it was taken. */
  vitals: Partial<Record<VitalKey, number>> & { recordedAt?: string };
  /** The complaints of each consultation, in the order recorded, one per line. */
  complaints: string;
  diagnoses: Array<{ id: string; text: string; icd10?: string; recordedAt?: string }>;
  labOrders: Array<{ id: string; test: string; name: string; loinc?: string; status: string; authoredOn?: string }>;
  medications: Array<{ id: string; text: string; dose?: string; frequency?: string; days?: number; instructions?: string; status: string }>;
  /** The advice of each consultation, in the order recorded, one per line. */
  advice: string;
  /** The latest follow-up given, in days; null when none. */
  followUpDays: number | null;
  /** How many consultation records (ClinicalImpressions) the visit has. */
  consultations: number;
  /** The latest change to anything shown (the slip's document date). */
  lastUpdated: string;
}

type Coding = { system?: string; code?: string; display?: string };
type Concept = { coding?: Coding[]; text?: string };
type Quantity = { value?: number };

const updated = (r: FhirResource) => String((r.meta as { lastUpdated?: string } | undefined)?.lastUpdated ?? '');
/** Oldest first; within one consultation, in the request's order (the ids end with its position). */
const inOrder = (a: FhirResource, b: FhirResource) => updated(a).localeCompare(updated(b)) || String(a.id).localeCompare(String(b.id));

export async function visitSummary(repo: FhirRepository, ctx: RequestContext, encounter: FhirResource): Promise<VisitSummary> {
  const visit = encounter.id as string;
  const byType = Object.fromEntries(await Promise.all(SUMMARY_TYPES.map(async (type) => {
    const found = await searchAll(repo, ctx, type, [['encounter', `Encounter/${visit}`]], 2000);
    return [type, found.filter((r) => r.status !== 'entered-in-error').sort(inOrder)] as const;
  }))) as Record<(typeof SUMMARY_TYPES)[number], FhirResource[]>;

  const patientId = refId(encounter.subject);
  const patient = (await load(repo, ctx, 'Patient', patientId))?.resource;
  const doctorId = refId((encounter.participant as Array<{ individual?: unknown }> | undefined)?.[0]?.individual)
    || refId(byType.ClinicalImpression.at(-1)?.assessor) || refId(byType.Condition.at(-1)?.recorder);
  const doctor = doctorId ? (await load(repo, ctx, 'Practitioner', doctorId))?.resource : undefined;
  const item = itemOf(encounter);

  const vitals: VisitSummary['vitals'] = {};
  for (const o of byType.Observation) {
    const codes = ((o.code as Concept | undefined)?.coding ?? []).map((c) => c.code);
    const sign = VITAL_CODES.find((v) => codes.includes(v.codings[0].code));
    if (!sign) continue;
    if (sign.key === 'bloodPressure') {
      for (const k of ['systolic', 'diastolic'] as const) {
        const part = (o.component as Array<{ code?: Concept; valueQuantity?: Quantity }> | undefined)?.find((c) => c.code?.coding?.some((x) => x.code === BP_COMPONENTS[k].code));
        if (typeof part?.valueQuantity?.value === 'number') vitals[k] = part.valueQuantity.value;
      }
    } else {
      const value = (o.valueQuantity as Quantity | undefined)?.value;
      if (typeof value === 'number') vitals[sign.key] = value;
    }
    vitals.recordedAt = String(o.effectiveDateTime ?? updated(o));
  }

  const impressions = byType.ClinicalImpression;
  const followUps = impressions.map((ci) => ((ci.extension as Array<{ url: string; valueDuration?: Quantity }> | undefined) ?? []).find((e) => e.url === CONSULTATION_EXTENSION.followUp)?.valueDuration?.value)
    .filter((d): d is number => typeof d === 'number');
  const all = [encounter, ...Object.values(byType).flat()];

  return {
    visit, status: String(encounter.status), state: item.state, token: item.token,
    department: departmentOfVisit(encounter),
    ...((encounter.serviceProvider as { display?: string } | undefined)?.display ? { departmentName: (encounter.serviceProvider as { display: string }).display } : {}),
    patient: {
      id: patientId, reference: `Patient/${patientId}`,
      name: (patient && displayName(patient)) ?? (encounter.subject as { display?: string } | undefined)?.display ?? `Patient/${patientId}`,
      ...(uhidOf(patient) ? { uhid: uhidOf(patient) } : {}),
      ...(typeof patient?.gender === 'string' ? { gender: patient.gender } : {}),
      ...(typeof patient?.birthDate === 'string' ? { birthDate: patient.birthDate } : {}),
    },
    doctor: doctorId ? { id: doctorId, reference: `Practitioner/${doctorId}`, ...(doctor && practitionerName(doctor) ? { name: practitionerName(doctor) } : {}) } : null,
    times: {
      arrivedAt: item.arrivedAt, ...(item.calledAt ? { calledAt: item.calledAt } : {}),
      ...(item.startedAt ? { startedAt: item.startedAt } : {}), ...(item.finishedAt ? { finishedAt: item.finishedAt } : {}),
    },
    vitals,
    complaints: impressions.map((ci) => ci.description).filter((t): t is string => typeof t === 'string').join('\n'),
    diagnoses: byType.Condition.map((c) => {
      const code = c.code as Concept | undefined;
      const icd10 = code?.coding?.find((x) => x.system === ICD10)?.code;
      return { id: c.id as string, text: code?.text ?? code?.coding?.[0]?.display ?? '', ...(icd10 ? { icd10 } : {}), ...(c.recordedDate ? { recordedAt: String(c.recordedDate) } : {}) };
    }),
    labOrders: byType.ServiceRequest.map((s) => {
      const code = s.code as Concept | undefined;
      const canonical = (s.instantiatesCanonical as string[] | undefined)?.[0] ?? '';
      const loinc = code?.coding?.find((x) => x.system === 'http://loinc.org')?.code;
      return {
        id: s.id as string, test: canonical.split('/').pop() ?? '', name: code?.text ?? code?.coding?.[0]?.display ?? '',
        ...(loinc ? { loinc } : {}), status: String(s.status), ...(s.authoredOn ? { authoredOn: String(s.authoredOn) } : {}),
      };
    }),
    medications: byType.MedicationRequest.map((m) => {
      const dosage = (m.dosageInstruction as Array<{ text?: string; extension?: Array<{ url: string; valueString?: string }>; timing?: { code?: Concept; repeat?: { boundsDuration?: Quantity } } }> | undefined)?.[0];
      const dose = dosage?.extension?.find((e) => e.url === CONSULTATION_EXTENSION.doseText)?.valueString;
      const days = dosage?.timing?.repeat?.boundsDuration?.value ?? (m.dispenseRequest as { expectedSupplyDuration?: Quantity } | undefined)?.expectedSupplyDuration?.value;
      return {
        id: m.id as string, text: (m.medicationCodeableConcept as Concept | undefined)?.text ?? '',
        ...(dose ? { dose } : {}), ...(dosage?.timing?.code?.text ? { frequency: dosage.timing.code.text } : {}),
        ...(typeof days === 'number' ? { days } : {}), ...(dosage?.text ? { instructions: dosage.text } : {}), status: String(m.status),
      };
    }),
    advice: impressions.map((ci) => ci.summary).filter((t): t is string => typeof t === 'string').join('\n'),
    followUpDays: followUps.at(-1) ?? null,
    consultations: impressions.length,
    lastUpdated: all.map(updated).sort().at(-1) ?? '',
  };
}

export function uhidOf(patient: FhirResource | undefined): string | undefined {
  return ((patient?.identifier as Array<{ system?: string; value?: string }> | undefined) ?? []).find((i) => i.system === UHID_SYSTEM)?.value;
}
