/**
 * The registration slip handed to a patient at the desk (A5): the hospital, the UHID in large print,
 * as a Code 128 barcode (for the scanners at every desk) and as a QR code (for phones), and who the
 * patient is: name, sex, age and date of birth, phone, ABHA number, when they were registered (India
 * time). The barcodes carry the UHID's 12 digits without the hyphens: Code 128 packs digit pairs
 * (subset C), so the bars are wider and scan better, and the desks read a UHID with or without them.
 *
 * Pure: the PDF depends only on the Patient and the options (its date is the registration time).
 */
import type { FhirResource } from '../../fhir/repository/context.js';
import { indiaDate, indiaDateTime, indiaDay } from '../../printing/india-time.js';
import { GREY, PageLayout } from '../../printing/layout.js';
import { ABHA_SYSTEM } from './abha-number.js';
import { ageInYears } from './desk-dates.js';
import { birthDateEstimated } from './patient-resource.js';
import { UHID_SYSTEM } from './uhid.js';

export interface RegistrationSlipOptions {
  hospitalName: string;
  /** When the patient was registered (the first version of the Patient). */
  registeredAt: Date | string;
}

/** What the slip shows, as text. */
export interface SlipData {
  hospitalName: string;
  uhid: string;
  /** The UHID's digits, as the barcodes carry them. */
  uhidDigits: string;
  name: string;
  sex: string;
  age: string;
  phone?: string;
  abha?: string;
  registered: string;
  registeredAt: Date;
}

type Identifier = { system?: string; value?: string };
type HumanName = { text?: string; family?: string; given?: string[]; prefix?: string[]; use?: string };

const SEX_TEXT: Record<string, string> = { male: 'Male', female: 'Female', other: 'Other', unknown: 'Unknown' };

export function slipData(patient: FhirResource, options: RegistrationSlipOptions): SlipData {
  const identifiers = (patient.identifier as Identifier[] | undefined) ?? [];
  const uhid = identifiers.find((i) => i.system === UHID_SYSTEM)?.value;
  if (!uhid) throw new Error(`Patient/${String(patient.id)} has no UHID`);
  const registeredAt = new Date(options.registeredAt);
  if (Number.isNaN(registeredAt.getTime())) throw new RangeError(`registeredAt is not a date and time: "${String(options.registeredAt)}"`);
  const phone = (patient.telecom as Array<{ system?: string; value?: string }> | undefined)?.find((t) => t.system === 'phone')?.value;
  return {
    hospitalName: options.hospitalName,
    uhid,
    uhidDigits: uhid.replace(/\D/g, ''),
    name: nameOf(patient),
    sex: SEX_TEXT[String(patient.gender)] ?? 'Unknown',
    age: ageText(patient, indiaDay(registeredAt)),
    phone: phone ? phoneText(phone) : undefined,
    abha: identifiers.find((i) => i.system === ABHA_SYSTEM)?.value,
    registered: indiaDateTime(registeredAt),
    registeredAt,
  };
}

/** The slip as a one-page A5 PDF. */
export async function registrationSlipPdf(patient: FhirResource, options: RegistrationSlipOptions): Promise<Uint8Array> {
  const d = slipData(patient, options);
  const page = await PageLayout.create({ size: 'A5', title: `Registration slip ${d.uhid}`, subject: d.name, date: d.registeredAt });
  const { bold, regular, mono } = page.fonts;
  const left = 12;
  const right = 148 - 12;

  let y = page.text(d.hospitalName, left, 10, { size: 14, font: bold, maxWidth: right - left });
  page.text('PATIENT REGISTRATION SLIP', left, y + 1, { size: 9, color: GREY });
  page.rule(25, left, right);

  page.text('UHID', left, 29, { size: 9, color: GREY });
  page.text(d.uhid, left, 34, { size: 24, font: mono });
  page.code128(d.uhidDigits, left - 3, 46, 92, 16);
  page.qrCode(d.uhidDigits, right - 30, 27, 32);
  page.rule(68, left, right);

  y = 73;
  y = page.field('Name', d.name, left, y, { size: 13 }) + 2;
  y = page.field('Sex', d.sex, left, y) + 2;
  y = page.field('Age / DOB', d.age, left, y) + 2;
  if (d.phone) y = page.field('Phone', d.phone, left, y) + 2;
  if (d.abha) y = page.field('ABHA number', d.abha, left, y) + 2;
  y = page.field('Registered', d.registered, left, y) + 2;
  page.rule(y + 3, left, right);
  page.text('Please bring this slip, or tell your UHID, at every visit.', left, y + 6, { size: 9, font: regular, color: GREY });
  return page.save();
}

function nameOf(patient: FhirResource): string {
  const names = (patient.name as HumanName[] | undefined) ?? [];
  const n = names.find((x) => x.use === 'official') ?? names[0];
  if (!n) return '(no name)';
  const parts = [...(n.given ?? []), n.family].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return parts.length > 0 ? parts.join(' ') : n.text ?? '(no name)';
}

/** "38 years (DOB 12-04-1987)"; a baby in months; an age told rather than a known date says so. */
function ageText(patient: FhirResource, asOf: string): string {
  const birthDate = typeof patient.birthDate === 'string' ? patient.birthDate : undefined;
  if (!birthDate) return 'not known';
  // FHIR allows a year or a year and month: count from the middle of it.
  const full = birthDate.length === 4 ? `${birthDate}-07-01` : birthDate.length === 7 ? `${birthDate}-15` : birthDate;
  const years = ageInYears(full, asOf);
  let age: string;
  if (years >= 5) age = `${years} years`;
  else {
    const [by, bm, bd] = full.split('-').map(Number);
    const [ty, tm, td] = asOf.split('-').map(Number);
    const months = Math.max(0, (ty - by) * 12 + (tm - bm) - (td < bd ? 1 : 0));
    age = months < 12 ? `${months} month${months === 1 ? '' : 's'}` : `${Math.floor(months / 12)} years ${months % 12} months`;
  }
  return birthDateEstimated(patient) ? `${age} (as told; DOB about ${birthDate.slice(0, 4)})` : `${age} (DOB ${indiaDate(birthDate)})`;
}

/** +919876543210 -> +91 98765 43210 */
function phoneText(phone: string): string {
  const m = /^\+91(\d{5})(\d{5})$/.exec(phone);
  return m ? `+91 ${m[1]} ${m[2]}` : phone;
}
