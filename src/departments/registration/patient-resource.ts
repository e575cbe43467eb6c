/** The FHIR Patient a desk registration becomes. */
import type { FhirResource } from '../../fhir/repository/context.js';
import { ABHA_SYSTEM } from './abha-number.js';
import type { DeskRegistration } from './desk-patient.js';
import { UHID_SYSTEM } from './uhid.js';

/**
 * Marks a birthDate worked out from a told age. R4 has no core element or extension for an estimated
 * birth date, so this is Nirantar's own, on the birthDate primitive (`_birthDate.extension`): it
 * travels with the value it qualifies, and a reader that does not know it still gets the date.
 */
export const ESTIMATED_BIRTH_DATE_EXTENSION = 'https://nirantar.health/fhir/StructureDefinition/birth-date-estimated';

const IDENTIFIER_TYPE = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';

// The relationships a desk is told most, as HL7 v3 RoleCodes; anything else is kept as text.
const RELATIONSHIP_CODES: Record<string, [string, string]> = {
  father: ['FTH', 'father'], mother: ['MTH', 'mother'], husband: ['HUSB', 'husband'], wife: ['WIFE', 'wife'], spouse: ['SPS', 'spouse'],
  son: ['SON', 'natural son'], daughter: ['DAU', 'natural daughter'], brother: ['BRO', 'brother'], sister: ['SIS', 'sister'],
  grandfather: ['GRFTH', 'grandfather'], grandmother: ['GRMTH', 'grandmother'], guardian: ['GUARD', 'guardian'],
};

export function patientResource(r: DeskRegistration, uhid: string): FhirResource {
  const name: Record<string, unknown> = { use: 'official' };
  if (r.name.text) name.text = r.name.text;
  if (r.name.family) name.family = r.name.family;
  if (r.name.given.length > 0) name.given = r.name.given;
  const patient: FhirResource = {
    resourceType: 'Patient',
    identifier: [
      { use: 'usual', type: { coding: [{ system: IDENTIFIER_TYPE, code: 'MR', display: 'Medical record number' }], text: 'UHID' }, system: UHID_SYSTEM, value: uhid },
      ...(r.abha ? [{ use: 'official', type: { text: 'ABHA number' }, system: ABHA_SYSTEM, value: r.abha }] : []),
    ],
    active: true,
    name: [name],
    gender: r.sex,
    birthDate: r.birthDate,
  };
  if (r.birthDateEstimated) patient._birthDate = { extension: [{ url: ESTIMATED_BIRTH_DATE_EXTENSION, valueBoolean: true }] };
  if (r.phone) patient.telecom = [{ system: 'phone', value: r.phone, use: 'mobile' }];
  if (r.address) {
    const a = r.address;
    const address: Record<string, unknown> = { use: 'home', type: 'physical', country: 'IN' };
    if (a.line.length > 0) address.line = a.line;
    if (a.city) address.city = a.city;
    if (a.district) address.district = a.district;
    if (a.state) address.state = a.state;
    if (a.pincode) address.postalCode = a.pincode;
    patient.address = [address];
  }
  if (r.guardian) {
    const g = r.guardian;
    const code = g.relationship ? RELATIONSHIP_CODES[g.relationship] : undefined;
    patient.contact = [{
      ...(g.relationship ? { relationship: [{ ...(code ? { coding: [{ system: ROLE_CODE, code: code[0], display: code[1] }] } : {}), text: g.relationship }] } : {}),
      name: { text: g.name },
      ...(g.phone ? { telecom: [{ system: 'phone', value: g.phone, use: 'mobile' }] } : {}),
    }];
  }
  if (r.photo) patient.photo = [{ contentType: r.photo.contentType, data: r.photo.data }];
  return patient;
}

/** True when the Patient's birthDate carries the estimated-from-age flag. */
export function birthDateEstimated(patient: FhirResource): boolean {
  const ext = (patient._birthDate as { extension?: Array<{ url?: string; valueBoolean?: boolean }> } | undefined)?.extension;
  return ext?.some((e) => e.url === ESTIMATED_BIRTH_DATE_EXTENSION && e.valueBoolean === true) ?? false;
}
