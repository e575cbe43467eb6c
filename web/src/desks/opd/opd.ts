/**
 * What the OPD desks (appointments, queue board, doctor's console) share, as plain data: the API's
 * paths and answers (src/departments/opd/opd-plugin.ts), names of departments and patients, dates.
 * No DOM, no React.
 */
import { UHID_SYSTEM, deskToday } from '../registration/registration-form.js';

export const OPD = '/api/opd';

export interface Department { key: string; name: string }
export interface PatientSummary { id: string; uhid?: string; name: string; detail: string }
export interface FreeSlot { id: string; start: string; end: string; schedule: string; practitioner: string; practitionerName?: string }
export interface Doctor { id: string; name: string }

import type { QueueState } from '../../../../src/departments/opd/opd-api.js';

export type { QueueAnswer, QueueItem, QueueState } from '../../../../src/departments/opd/opd-api.js';

export const STATE_TEXT: Record<QueueState, string> = {
  waiting: 'Waiting', called: 'Called', 'in-consultation': 'In consultation', done: 'Done', cancelled: 'Cancelled',
};

export { deskToday };

type Name = { text?: string; prefix?: string[]; given?: string[]; family?: string };
interface FhirLike { id?: string; name?: Name[] | string; identifier?: Array<{ system?: string; value?: string }>; gender?: string; birthDate?: string; telecom?: Array<{ value?: string }>; [k: string]: unknown }

export function personName(resource: unknown): string {
  const name = (resource as FhirLike | null)?.name;
  if (typeof name === 'string') return name;
  const first = name?.[0];
  if (!first) return '';
  return first.text ?? [...(first.prefix ?? []), ...(first.given ?? []), first.family].filter(Boolean).join(' ');
}

export function patientSummary(resource: unknown): PatientSummary {
  const p = resource as FhirLike;
  return {
    id: String(p.id ?? ''),
    uhid: p.identifier?.find((i) => i.system === UHID_SYSTEM)?.value,
    name: personName(p) || '(no name)',
    detail: [p.gender, p.birthDate, p.telecom?.[0]?.value].filter(Boolean).join(' · '),
  };
}

/** The resources of a FHIR searchset Bundle. */
export const entries = <T = FhirLike>(bundle: unknown): T[] =>
  ((bundle as { entry?: Array<{ resource?: T }> } | null)?.entry ?? []).map((e) => e.resource).filter((r): r is T => r !== undefined);

/** What the clerk typed: a UHID (digits, maybe with letters and dashes) or a name. */
export function patientQuery(text: string): string | null {
  const typed = text.trim();
  if (typed.length < 2) return null;
  if (/\d/.test(typed) && /^[A-Za-z0-9-]+$/.test(typed)) {
    return `/fhir/R4/Patient?identifier=${encodeURIComponent(`${UHID_SYSTEM}|${typed.toUpperCase()}`)}&_count=20`;
  }
  return `/fhir/R4/Patient?name=${encodeURIComponent(typed)}&_count=20`;
}

/** The department key of `Organization/dept-ent`, `dept-ent` or `ent`. */
export const departmentKeyOf = (raw: string | null | undefined): string => (raw ?? '').replace(/^Organization\//, '').replace(/^dept-/, '');

export function departmentsOf(bundle: unknown): Department[] {
  return entries(bundle)
    .filter((o) => typeof o.id === 'string' && o.id.startsWith('dept-') && o.active !== false)
    .map((o) => ({ key: departmentKeyOf(o.id), name: String(o.name ?? o.id) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Doctors who hold OPD in the department: the Practitioner actors of its schedules. */
export function doctorsOf(schedules: unknown[]): Doctor[] {
  const found = new Map<string, Doctor>();
  for (const s of schedules) {
    const actor = ((s as { actor?: Array<{ reference?: string; display?: string }> }).actor ?? []).find((a) => a.reference?.startsWith('Practitioner/'));
    if (!actor?.reference) continue;
    const id = actor.reference.slice('Practitioner/'.length);
    found.set(id, { id, name: actor.display ?? id });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** India time of day, 24-hour: 09:30. */
export function timeText(iso: string | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toLocaleTimeString('en-IN', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** India date and time: 27 Nov 2026, 09:30. */
export function dateTimeText(iso: string | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toLocaleString('en-IN', { timeZone: 'Asia/Kolkata', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** The India date (YYYY-MM-DD) of an instant. */
export const indiaDateOf = (iso: string): string => deskToday(new Date(iso));

/** Waiting minutes as a clerk reads them. */
export const minutesText = (minutes: number): string => (minutes < 1 ? '<1 min' : `${Math.round(minutes)} min`);

/**
 * The clerk's words for a refused write: a taken slot, a past slot and a closed department get
 * their own sentence; anything else is the server's text.
 */
export function refusalText(status: number | undefined, serverText: string | undefined): string {
  const text = serverText ?? 'the server refused the request';
  if (status === 409 && /slot.*(taken|booked|already)|already booked|double/i.test(text)) return `That slot has just been taken by someone else: pick another. (${text})`;
  if (/in the past/i.test(text)) return `That slot has already started or passed: pick a later one. (${text})`;
  if (/closed|no OPD on|no tokens/i.test(text)) return `The department is closed: ${text}`;
  if (status === 403) return `Your role may not do this: ${text}`;
  return text;
}
