/**
 * Who a lab item is about, in the few words a desk prints: name, UHID, sex and age. Age in completed
 * years on the day (India), because reference intervals and the phlebotomist both go by it.
 */
import type { FhirResource } from '../../fhir/repository/context.js';
import { currentVersion } from '../../fhir/repository/current-version.js';
import type { Queryable } from '../../store/database.js';
import { indiaDate } from '../opd/india-time.js';
import { UHID_SYSTEM } from '../registration/uhid.js';
import type { PatientBrief } from './lab-api.js';

type HumanName = { text?: string; prefix?: string[]; given?: string[]; family?: string; use?: string };

export function patientName(patient: FhirResource): string {
  const names = (patient.name as HumanName[] | undefined) ?? [];
  const name = names.find((n) => n.use === 'official') ?? names.find((n) => n.use !== 'old') ?? names[0];
  if (!name) return '(no name)';
  return name.text ?? ([...(name.given ?? []), name.family].filter(Boolean).join(' ') || '(no name)');
}

/** Completed years from `birthDate` (YYYY, YYYY-MM or YYYY-MM-DD) to `on` (YYYY-MM-DD). */
export function ageInYears(birthDate: string, on: string): number | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(birthDate);
  if (!m) return undefined;
  const [year, month, day] = on.split('-').map(Number);
  const birthMonth = m[2] ? Number(m[2]) : 1;
  const birthDay = m[3] ? Number(m[3]) : 1;
  const years = year - Number(m[1]) - (month < birthMonth || (month === birthMonth && day < birthDay) ? 1 : 0);
  return years >= 0 ? years : undefined;
}

export function patientBrief(patient: FhirResource, on: string = indiaDate()): PatientBrief {
  const uhid = ((patient.identifier as Array<{ system?: string; value?: string }> | undefined) ?? []).find((i) => i.system === UHID_SYSTEM)?.value;
  const age = typeof patient.birthDate === 'string' ? ageInYears(patient.birthDate, on) : undefined;
  return {
    id: patient.id as string, name: patientName(patient), uhid: uhid ?? '',
    ...(typeof patient.gender === 'string' ? { gender: patient.gender } : {}),
    ...(age !== undefined ? { ageYears: age } : {}),
  };
}

/** The briefs of several patients (ids), read once each; a missing patient is left out. */
export async function patientBriefs(db: Queryable, hospitalId: string, ids: Iterable<string>): Promise<Map<string, PatientBrief>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map((id) => currentVersion(db, hospitalId, 'Patient', id)));
  const briefs = new Map<string, PatientBrief>();
  found.forEach((f, i) => { if (f && !f.deleted && f.resource) briefs.set(unique[i], patientBrief(f.resource)); });
  return briefs;
}
