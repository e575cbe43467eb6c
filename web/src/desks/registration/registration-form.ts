/**
 * The registration form as data: its fields, the checks the desk makes before queuing, the body sent
 * to POST /api/registration/patients, and the query of the duplicate search. No DOM, no React.
 * The checks are the server's own (src/departments/registration: the mobile number, ABHA number and
 * date rules are the very same files, written without Node imports for this), so the clerk hears of
 * a problem at the field, before anything is queued.
 */
import { parseAbhaNumber } from '../../../../src/departments/registration/abha-number.js';
import { ageInYears, isCalendarDate, MAX_AGE_YEARS, todayInIndia } from '../../../../src/departments/registration/desk-dates.js';
import { parseIndianMobile } from '../../../../src/departments/registration/indian-phone.js';

export const UHID_SYSTEM = 'https://nirantar.health/uhid';
export const REGISTER_PATH = '/api/registration/patients';
export const DUPLICATES_PATH = '/api/registration/duplicates';
/** The printable registration slip (PDF) of a patient. */
export const slipPath = (patientId: string) => `${REGISTER_PATH}/${encodeURIComponent(patientId)}/slip.pdf`;

export type Sex = 'male' | 'female' | 'other' | 'unknown';

export interface RegistrationForm {
  given: string;
  family: string;
  sex: Sex | '';
  birthDate: string;
  ageYears: string;
  phone: string;
  line: string;
  city: string;
  district: string;
  state: string;
  pincode: string;
  guardianName: string;
  guardianRelationship: string;
  guardianPhone: string;
  abha: string;
}

export const EMPTY_FORM: RegistrationForm = {
  given: '', family: '', sex: '', birthDate: '', ageYears: '', phone: '', line: '', city: '', district: '', state: '',
  pincode: '', guardianName: '', guardianRelationship: '', guardianPhone: '', abha: '',
};

export type FieldErrors = Partial<Record<keyof RegistrationForm, string>>;

export interface RegistrationBody {
  name: { given?: string; family?: string };
  sex: Sex;
  birthDate?: string;
  ageYears?: number;
  phone?: string;
  address?: { line?: string; city?: string; district?: string; state?: string; pincode?: string };
  guardian?: { name: string; relationship?: string; phone?: string };
  abha?: string;
  /** A UHID from the desk's own block (uhid-block.ts); without it the server numbers the patient. */
  uhid?: string;
}

/** Today at the hospital (India Standard Time), as the server counts it: YYYY-MM-DD. */
export const deskToday = (now?: Date) => todayInIndia(now);

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const mobile = (value: string) => parseIndianMobile(value);
const pincodeOf = (value: string) => value.replace(/\s/g, '');

export function checkRegistration(form: RegistrationForm, today: string): FieldErrors {
  const errors: FieldErrors = {};
  if (!form.given.trim() && !form.family.trim()) errors.given = "Enter the patient's name";
  if (!form.sex) errors.sex = 'Choose the sex';
  const birthDate = form.birthDate.trim();
  const age = form.ageYears.trim();
  if (birthDate) {
    if (!isCalendarDate(birthDate)) errors.birthDate = 'Enter the date of birth as a real date';
    else if (birthDate > today) errors.birthDate = 'The date of birth cannot be in the future';
    else if (ageInYears(birthDate, today) > MAX_AGE_YEARS) errors.birthDate = `That makes the patient older than ${MAX_AGE_YEARS}: check the year`;
  } else if (age) {
    if (!/^\d{1,3}$/.test(age) || Number(age) > MAX_AGE_YEARS) errors.ageYears = `Enter the age in whole years, 0 to ${MAX_AGE_YEARS}`;
  } else {
    errors.birthDate = 'Enter the date of birth, or the age if it is not known';
  }
  for (const field of ['phone', 'guardianPhone'] as const) {
    const parsed = form[field].trim() ? mobile(form[field]) : undefined;
    if (parsed && 'error' in parsed) errors[field] = sentence(parsed.error);
  }
  if (form.pincode.trim() && !/^[1-9]\d{5}$/.test(pincodeOf(form.pincode))) errors.pincode = 'A PIN code has 6 digits and does not start with 0';
  if (!form.guardianName.trim() && (form.guardianRelationship.trim() || form.guardianPhone.trim())) {
    errors.guardianName = "Enter the guardian's name";
  }
  const abha = form.abha.trim() ? parseAbhaNumber(form.abha) : undefined;
  if (abha && 'error' in abha) errors.abha = sentence(abha.error);
  return errors;
}

/** The number in its stored form (+91XXXXXXXXXX) when it is a valid mobile number. */
function validMobile(value: string): string | undefined {
  const parsed = value.trim() ? mobile(value) : undefined;
  return parsed && 'phone' in parsed ? parsed.phone : undefined;
}

/** Only the fields that were filled in; call after checkRegistration found nothing. */
export function registrationBody(form: RegistrationForm): RegistrationBody {
  const text = (value: string) => value.trim() || undefined;
  const compact = <T extends object>(value: T): T | undefined => {
    const kept = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
    return Object.keys(kept).length > 0 ? kept : undefined;
  };
  const abha = form.abha.trim() ? parseAbhaNumber(form.abha) : undefined;
  return {
    name: compact({ given: text(form.given), family: text(form.family) })!,
    sex: form.sex as Sex,
    ...(form.birthDate.trim() ? { birthDate: form.birthDate.trim() } : { ageYears: Number(form.ageYears.trim()) }),
    ...compact({
      phone: validMobile(form.phone),
      address: compact({ line: text(form.line), city: text(form.city), district: text(form.district), state: text(form.state), pincode: text(pincodeOf(form.pincode)) }),
      guardian: form.guardianName.trim()
        ? compact({ name: form.guardianName.trim(), relationship: text(form.guardianRelationship), phone: validMobile(form.guardianPhone) })
        : undefined,
      abha: abha && 'abha' in abha ? abha.abha : undefined,
    }),
  } as RegistrationBody;
}

/** The duplicate search for what has been typed so far, or null when there is too little to search on. */
export function duplicatesQuery(form: RegistrationForm): string | null {
  const name = `${form.given} ${form.family}`.trim().replace(/\s+/g, ' ');
  const usablePhone = validMobile(form.phone);
  if (name.length < 2 && !usablePhone) return null;
  const params = new URLSearchParams();
  if (name) params.set('name', name);
  if (isCalendarDate(form.birthDate.trim())) params.set('birthDate', form.birthDate.trim());
  else if (/^\d{1,3}$/.test(form.ageYears.trim())) params.set('ageYears', form.ageYears.trim());
  if (usablePhone) params.set('phone', usablePhone);
  if (form.sex) params.set('sex', form.sex);
  return params.toString();
}

/** The UHID of a FHIR Patient: its identifier in the UHID system. */
export function uhidOf(patient: unknown): string | undefined {
  const identifiers = (patient as { identifier?: Array<{ system?: string; value?: string }> } | null)?.identifier;
  return Array.isArray(identifiers) ? identifiers.find((i) => i.system === UHID_SYSTEM)?.value : undefined;
}
