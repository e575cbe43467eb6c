/**
 * The names OPD writes into FHIR resources: identifier systems, extensions, codes, ids. Desks,
 * tests and the queue board agree on these strings.
 */
import { createHash } from 'node:crypto';
import { badRequest } from '../../fhir/outcome.js';

const LOCAL = 'https://nirantar.health';
const SD = `${LOCAL}/fhir/StructureDefinition`;

/** The token of a visit: unique per department per day. */
export const tokenSystem = (department: string, date: string) => `${LOCAL}/opd-token/${department}/${date}`;

export const EXTENSION = {
  /** On Schedule: weekdays, start, end, slotMinutes. */
  opdHours: `${SD}/opd-hours`,
  /** On Encounter: the patient was called to a room (at, room). FHIR R4 has no 'called' status. */
  called: `${SD}/opd-called`,
  /** On Basic (leave, holiday): the dates it covers. */
  period: `${SD}/opd-closure-period`,
} as const;

export const OPD_CODE_SYSTEM = `${LOCAL}/CodeSystem/opd`;
export const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const APPOINTMENT_TYPE = 'http://terminology.hl7.org/CodeSystem/v2-0276';

/** A department key, given as `ent`, `dept-ent` or `Organization/dept-ent`. */
export function departmentKey(raw: unknown, field = 'department'): string {
  const text = typeof raw === 'string' ? raw.replace(/^Organization\//, '').replace(/^dept-/, '') : '';
  if (!/^[a-z0-9-]{1,40}$/.test(text)) throw badRequest(`${field} names a department such as "general-medicine"`, field);
  return text;
}

export const departmentOrg = (key: string) => `dept-${key}`;
export const opdRoom = (key: string) => `opd-room-${key}`;

/** A resource id given as `x` or `Type/x`. */
export function idOf(raw: unknown, type: string, field: string): string {
  const text = typeof raw === 'string' ? raw.replace(new RegExp(`^${type}/`), '') : '';
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(text)) throw badRequest(`${field} must name a ${type} (its id or ${type}/<id>)`, field);
  return text;
}

export function shortHash(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** One schedule per doctor per department; readable when short enough, hashed otherwise. */
export function scheduleId(practitioner: string, department: string): string {
  const readable = `sch-${practitioner}-${department}`;
  return readable.length <= 46 ? readable : `sch-${shortHash(`${practitioner}|${department}`)}`;
}

export const slotId = (schedule: string, compactStart: string) => `slot-${schedule}-${compactStart}`;

/** Visits are numbered by token: ids in code-unit order are the day's queue in token order. */
export const visitPrefix = (department: string, date: string) => `opd-${department}-${date.replace(/-/g, '')}-`;
export const visitId = (department: string, date: string, token: number) => `${visitPrefix(department, date)}${String(token).padStart(5, '0')}`;

export const ref = (type: string, id: string, display?: string) => ({ reference: `${type}/${id}`, ...(display ? { display } : {}) });
export const refId = (reference: unknown): string => String((reference as { reference?: string } | undefined)?.reference ?? '').split('/').pop() ?? '';
