/** The registration desk's field checks (the server's, at the field), its request body and its duplicate query. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EMPTY_FORM, checkRegistration, deskToday, duplicatesQuery, registrationBody, uhidOf, type RegistrationForm,
} from '../../web/src/desks/registration/registration-form.js';

const TODAY = '2026-11-27';
const form = (fields: Partial<RegistrationForm>): RegistrationForm => ({ ...EMPTY_FORM, given: 'Asha', sex: 'female', birthDate: '1990-04-12', ...fields });

test('a complete form passes; name, sex and a date of birth or an age are required', () => {
  assert.deepEqual(checkRegistration(form({}), TODAY), {});
  assert.deepEqual(checkRegistration(form({ birthDate: '', ageYears: '34' }), TODAY), {});
  assert.deepEqual(checkRegistration(EMPTY_FORM, TODAY), {
    given: "Enter the patient's name", sex: 'Choose the sex', birthDate: 'Enter the date of birth, or the age if it is not known',
  });
});

test('bad input gets a message at its field', () => {
  const errors = checkRegistration(form({
    birthDate: '2026-11-28', phone: '5123456789', pincode: '11001', guardianPhone: '98765', guardianRelationship: 'father', abha: '12-3456',
  }), TODAY);
  assert.deepEqual(errors, {
    birthDate: 'The date of birth cannot be in the future',
    phone: 'An Indian mobile number starts with 6, 7, 8 or 9',
    pincode: 'A PIN code has 6 digits and does not start with 0',
    guardianPhone: 'A mobile number has 10 digits after +91, but this one has 5',
    guardianName: "Enter the guardian's name",
    abha: 'An ABHA number has 14 digits, but this one has 6',
  });
  assert.equal(checkRegistration(form({ pincode: '012345' }), TODAY).pincode, 'A PIN code has 6 digits and does not start with 0');
  assert.match(checkRegistration(form({ birthDate: '1890-01-01' }), TODAY).birthDate ?? '', /older than 130/);
  assert.equal(checkRegistration(form({ given: '', family: 'Devi' }), TODAY).given, undefined, 'one name is enough');
  assert.equal(checkRegistration(form({ birthDate: '2023-02-29' }), TODAY).birthDate, 'Enter the date of birth as a real date');
  assert.equal(checkRegistration(form({ birthDate: TODAY }), TODAY).birthDate, undefined, 'born today is fine');
  assert.equal(checkRegistration(form({ birthDate: '', ageYears: '131' }), TODAY).ageYears, 'Enter the age in whole years, 0 to 130');
  assert.equal(checkRegistration(form({ birthDate: '', ageYears: '2.5' }), TODAY).ageYears, 'Enter the age in whole years, 0 to 130');
  assert.equal(checkRegistration(form({ phone: '+91 98765 43210' }), TODAY).phone, undefined, 'written as desks write it');
  assert.equal(deskToday(new Date('2026-01-05T19:00:00Z')), '2026-01-06', "the hospital's day (IST), as the server counts it");
});

test('the body carries only what was filled in, in the API\'s shape', () => {
  assert.deepEqual(registrationBody(form({ family: '' })), { name: { given: 'Asha' }, sex: 'female', birthDate: '1990-04-12' });
  assert.deepEqual(registrationBody(form({
    given: ' Asha ', family: 'Devi', birthDate: '', ageYears: '34', phone: '98765-43210', line: '12 MG Road', city: 'Jaipur',
    district: 'Jaipur', state: 'Rajasthan', pincode: '302001', guardianName: 'Ram Lal', guardianRelationship: 'father',
    abha: '12345678901234',
  })), {
    name: { given: 'Asha', family: 'Devi' }, sex: 'female', ageYears: 34, phone: '+919876543210',
    address: { line: '12 MG Road', city: 'Jaipur', district: 'Jaipur', state: 'Rajasthan', pincode: '302001' },
    guardian: { name: 'Ram Lal', relationship: 'father' }, abha: '12-3456-7890-1234',
  });
});

test('the duplicate search asks once there is a name or a full mobile number', () => {
  assert.equal(duplicatesQuery(EMPTY_FORM), null);
  assert.equal(duplicatesQuery({ ...EMPTY_FORM, given: 'A' }), null);
  assert.equal(duplicatesQuery({ ...EMPTY_FORM, phone: '98765' }), null);
  assert.equal(duplicatesQuery({ ...EMPTY_FORM, phone: '9876543210' }), 'phone=%2B919876543210');
  assert.equal(duplicatesQuery(form({ family: 'Devi', phone: '98765' })), 'name=Asha+Devi&birthDate=1990-04-12&sex=female');
  assert.equal(duplicatesQuery(form({ birthDate: '', ageYears: '34' })), 'name=Asha&ageYears=34&sex=female');
});

test('the UHID is the identifier in the UHID system', () => {
  assert.equal(uhidOf({ resourceType: 'Patient', identifier: [{ system: 'urn:abha', value: 'x' }, { system: 'https://nirantar.health/uhid', value: 'NIR-0001-7' }] }), 'NIR-0001-7');
  assert.equal(uhidOf({ resourceType: 'Patient' }), undefined);
});
