/**
 * The registration desk's form, as JSON, read and checked. Every problem is collected, not just the
 * first, so the clerk sees all the fields to fix at once: a 400 OperationOutcome with one issue per
 * field, each naming the field as the form calls it (`phone`, `address.pincode`, `guardian.phone`).
 */
import { Buffer } from 'node:buffer';
import { FhirError, issue, type OperationOutcomeIssue } from '../../fhir/outcome.js';
import { parseAbhaNumber } from './abha-number.js';
import { ageInYears, dateBefore, isCalendarDate, MAX_AGE_YEARS, todayInIndia } from './desk-dates.js';
import { parseIndianMobile } from './indian-phone.js';

export const SEXES = ['male', 'female', 'other', 'unknown'] as const;
export type Sex = (typeof SEXES)[number];

/** Largest photo accepted (decoded): a desk webcam JPEG is 20-60 kB. */
export const MAX_PHOTO_BYTES = 200 * 1024;

export interface DeskRegistration {
  name: { given: string[]; family?: string; text?: string };
  sex: Sex;
  birthDate: string;
  /** True when birthDate was worked out from an age the patient told. */
  birthDateEstimated: boolean;
  phone?: string;
  address?: { line: string[]; city?: string; district?: string; state?: string; pincode?: string };
  guardian?: { name: string; relationship?: string; phone?: string };
  abha?: string;
  photo?: { contentType: 'image/jpeg' | 'image/png'; data: string };
  /** As typed; checked against the issued blocks by the registration. */
  uhid?: string;
}

type Body = Record<string, unknown>;

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim().length > 0 ? v.trim().replace(/\s+/g, ' ') : undefined);

/** Reads the desk's JSON; throws a 400 naming every bad field. `today` is for tests. */
export function readDeskRegistration(body: unknown, today: string = todayInIndia()): DeskRegistration {
  const issues: OperationOutcomeIssue[] = [];
  const bad = (field: string, message: string) => issues.push(issue('invalid', message, field));
  if (!isObject(body)) throw new FhirError(400, issue('invalid', 'the registration is a JSON object with name, sex, birthDate or ageYears, ...'));

  const name = readName(body.name, bad);
  const sex = SEXES.includes(body.sex as Sex) ? (body.sex as Sex) : undefined;
  if (!sex) bad('sex', `sex must be one of ${SEXES.join(', ')}${body.sex === undefined ? '' : `, not "${String(body.sex)}"`}`);
  const birth = readBirth(body, today, bad);

  let phone: string | undefined;
  if (body.phone !== undefined && body.phone !== '') {
    const parsed = parseIndianMobile(String(body.phone));
    if ('error' in parsed) bad('phone', parsed.error);
    else phone = parsed.phone;
  }

  let abha: string | undefined;
  if (body.abha !== undefined && body.abha !== '') {
    const parsed = parseAbhaNumber(String(body.abha));
    if ('error' in parsed) bad('abha', parsed.error);
    else abha = parsed.abha;
  }

  const registration: DeskRegistration = {
    name: name ?? { given: [] }, sex: sex ?? 'unknown', birthDate: birth?.birthDate ?? '', birthDateEstimated: birth?.estimated ?? false,
    phone, abha,
    address: readAddress(body.address, bad),
    guardian: readGuardian(body.guardian, bad),
    photo: readPhoto(body.photo, bad),
    uhid: body.uhid === undefined || body.uhid === '' ? undefined : String(body.uhid),
  };
  if (issues.length > 0) throw new FhirError(400, issues);
  return registration;
}

type Bad = (field: string, message: string) => void;

function readName(value: unknown, bad: Bad): DeskRegistration['name'] | undefined {
  if (typeof value === 'string') value = { text: value };
  if (!isObject(value)) { bad('name', 'name is required: {given, family} or {text}'); return undefined; }
  const given = (Array.isArray(value.given) ? value.given : [value.given]).map(text).filter((g): g is string => g !== undefined);
  const family = text(value.family);
  const whole = text(value.text);
  if (given.length === 0 && !family && !whole) { bad('name', 'name is empty: give the given and family name, or the name as the patient says it'); return undefined; }
  const tooLong = [...given, family, whole].some((p) => p !== undefined && p.length > 100);
  if (tooLong) bad('name', 'a name part is longer than 100 characters');
  if (![...given, family, whole].some((p) => p !== undefined && /\p{L}/u.test(p))) bad('name', 'a name has letters');
  return { given, family, text: whole };
}

function readBirth(body: Body, today: string, bad: Bad): { birthDate: string; estimated: boolean } | undefined {
  const hasDate = body.birthDate !== undefined && body.birthDate !== '';
  const hasAge = body.ageYears !== undefined && body.ageYears !== '';
  if (hasDate && hasAge) { bad('birthDate', 'give the date of birth or the age, not both'); return undefined; }
  if (hasDate) {
    const date = String(body.birthDate);
    if (!isCalendarDate(date)) { bad('birthDate', `birthDate must be a date written YYYY-MM-DD, not "${date}"`); return undefined; }
    if (date > today) { bad('birthDate', `birthDate ${date} is in the future (today is ${today})`); return undefined; }
    if (ageInYears(date, today) > MAX_AGE_YEARS) { bad('birthDate', `birthDate ${date} makes the patient older than ${MAX_AGE_YEARS}`); return undefined; }
    return { birthDate: date, estimated: false };
  }
  if (hasAge) {
    const years = Number(body.ageYears);
    const months = body.ageMonths === undefined || body.ageMonths === '' ? 0 : Number(body.ageMonths);
    let ok = true;
    if (!Number.isInteger(years) || years < 0 || years > MAX_AGE_YEARS) { bad('ageYears', `ageYears must be a whole number from 0 to ${MAX_AGE_YEARS}`); ok = false; }
    if (!Number.isInteger(months) || months < 0 || months > 11) { bad('ageMonths', 'ageMonths must be a whole number from 0 to 11'); ok = false; }
    return ok ? { birthDate: dateBefore(today, years, months), estimated: true } : undefined;
  }
  bad('birthDate', 'the date of birth (birthDate) or the age (ageYears) is required');
  return undefined;
}

function readAddress(value: unknown, bad: Bad): DeskRegistration['address'] {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) { bad('address', 'address is an object {line, city, district, state, pincode}'); return undefined; }
  const line = (Array.isArray(value.line) ? value.line : [value.line]).map(text).filter((l): l is string => l !== undefined);
  const pincode = value.pincode === undefined || value.pincode === '' ? undefined : String(value.pincode).replace(/\s/g, '');
  if (pincode !== undefined && !/^[1-9]\d{5}$/.test(pincode)) bad('address.pincode', `a PIN code has 6 digits and does not start with 0, not "${String(value.pincode)}"`);
  return { line, city: text(value.city), district: text(value.district), state: text(value.state), pincode };
}

function readGuardian(value: unknown, bad: Bad): DeskRegistration['guardian'] {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) { bad('guardian', 'guardian is an object {name, relationship, phone}'); return undefined; }
  const name = text(value.name);
  if (!name) bad('guardian.name', "the guardian's name is required when a guardian is given");
  let phone: string | undefined;
  if (value.phone !== undefined && value.phone !== '') {
    const parsed = parseIndianMobile(String(value.phone));
    if ('error' in parsed) bad('guardian.phone', parsed.error);
    else phone = parsed.phone;
  }
  return { name: name ?? '', relationship: text(value.relationship)?.toLowerCase(), phone };
}

function readPhoto(value: unknown, bad: Bad): DeskRegistration['photo'] {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') { bad('photo', 'photo is a base64 JPEG or PNG'); return undefined; }
  const data = value.replace(/^data:image\/(?:jpeg|png);base64,/, '').replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) { bad('photo', 'photo is not base64'); return undefined; }
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > MAX_PHOTO_BYTES) { bad('photo', `the photo is ${Math.ceil(bytes.length / 1024)} kB; at most ${MAX_PHOTO_BYTES / 1024} kB`); return undefined; }
  const contentType = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff ? 'image/jpeg'
    : bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ? 'image/png' : undefined;
  if (!contentType) { bad('photo', 'the photo is neither a JPEG nor a PNG'); return undefined; }
  return { contentType, data };
}
