/** The OPD desks' plain data in Node: the consultation form's checks and body, patient search, refusals, names. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkConsultation, consultationBody, EMPTY_CONSULTATION, type ConsultationForm,
} from '../../web/src/desks/doctor/consultation-form.js';
import { departmentKeyOf, departmentsOf, doctorsOf, patientQuery, patientSummary, refusalText } from '../../web/src/desks/opd/opd.js';

const form = (change: Partial<ConsultationForm>): ConsultationForm => ({ ...EMPTY_CONSULTATION, ...change });

test('an empty consultation is refused at the form', () => {
  assert.deepEqual(Object.keys(checkConsultation(EMPTY_CONSULTATION)), ['complaints']);
});

test('vitals are checked against the server ranges; °F is recognised and explained', () => {
  const errors = checkConsultation(form({ complaints: 'fever', temperature: '101', pulse: '72.5', spo2: '140', systolic: '120' }));
  assert.match(errors.temperature!, /looks like °F.*38\.3 °C/);
  assert.match(errors.pulse!, /whole number/);
  assert.match(errors.spo2!, /20 to 100/);
  assert.match(errors.diastolic!, /both systolic and diastolic/);
  assert.match(checkConsultation(form({ systolic: '90', diastolic: '110' })).diastolic!, /lower than the systolic/);
  assert.deepEqual(checkConsultation(form({ temperature: '37.4', systolic: '130', diastolic: '85' })), {});
});

test('diagnoses take an optional ICD-10 code; medicines and follow-up take whole days', () => {
  const errors = checkConsultation(form({
    diagnoses: [{ text: 'Fever', icd10: 'fever' }, { text: '', icd10: 'J06.9' }],
    medications: [{ text: '', dose: '1 tab', frequency: '', days: '' }, { text: 'Tab. PCM', dose: '', frequency: '', days: '0' }],
    followUpDays: '400',
  }));
  assert.match(errors['diagnosis-0']!, /ICD-10/);
  assert.match(errors['diagnosis-1']!, /in words/);
  assert.match(errors['medication-0']!, /Name the medicine/);
  assert.match(errors['medication-1']!, /1 to 365/);
  assert.match(errors.followUpDays!, /1 to 365/);
});

test('the body carries only what was filled in, in the API contract', () => {
  const body = consultationBody(form({
    pulse: '88', temperature: '37.3', complaints: ' headache ',
    diagnoses: [{ text: 'Essential hypertension', icd10: 'i10' }, { text: '', icd10: '' }],
    medications: [{ text: 'Tab. Amlodipine 5 mg', dose: '1 tab', frequency: '1-0-0', days: '30' }, { text: '', dose: '', frequency: '', days: '' }],
    labOrders: ['lab-cbc', 'lab-cbc', 'lab-esr'], advice: '', followUpDays: '14',
  }));
  assert.deepEqual(body, {
    vitals: { pulse: 88, temperature: 37.3 },
    complaints: 'headache',
    diagnoses: [{ text: 'Essential hypertension', icd10: 'I10' }],
    medications: [{ text: 'Tab. Amlodipine 5 mg', dose: '1 tab', frequency: '1-0-0', days: 30 }],
    labOrders: [{ test: 'lab-cbc' }, { test: 'lab-esr' }],
    followUpDays: 14,
  });
});

test('a UHID is searched by identifier, anything else by name', () => {
  assert.equal(patientQuery('x'), null);
  assert.match(patientQuery('1000-0000-0004')!, /^\/fhir\/R4\/Patient\?identifier=https%3A%2F%2Fnirantar\.health%2Fuhid%7C1000-0000-0004/);
  assert.match(patientQuery('Kamla Devi')!, /^\/fhir\/R4\/Patient\?name=Kamla%20Devi/);
});

test('refusals read as the clerk needs them', () => {
  assert.match(refusalText(409, 'slot already booked: another booking took it; choose another slot'), /^That slot has just been taken/);
  assert.match(refusalText(422, 'slot starts at 2026-11-27T09:00:00+05:30, in the past'), /already started or passed/);
  assert.match(refusalText(409, 'General Medicine has no OPD on sun (2026-11-29); no tokens are issued'), /^The department is closed/);
  assert.equal(refusalText(400, 'something else'), 'something else');
});

test('departments, doctors and patients from FHIR', () => {
  assert.equal(departmentKeyOf('Organization/dept-general-medicine'), 'general-medicine');
  assert.deepEqual(departmentsOf({ entry: [
    { resource: { resourceType: 'Organization', id: 'hospital', name: 'Demo' } },
    { resource: { resourceType: 'Organization', id: 'dept-ent', name: 'ENT' } },
    { resource: { resourceType: 'Organization', id: 'dept-cardiology', name: 'Cardiology' } },
  ] }), [{ key: 'cardiology', name: 'Cardiology' }, { key: 'ent', name: 'ENT' }]);
  assert.deepEqual(doctorsOf([{ actor: [{ reference: 'Practitioner/dr-anita-rao', display: 'Dr. Anita Rao' }, { reference: 'HealthcareService/general-medicine' }] }]),
    [{ id: 'dr-anita-rao', name: 'Dr. Anita Rao' }]);
  const patient = patientSummary({ id: 'p1', name: [{ given: ['Kamla'], family: 'Devi' }], gender: 'female', identifier: [{ system: 'https://nirantar.health/uhid', value: '1000-0000-0004' }] });
  assert.deepEqual(patient, { id: 'p1', uhid: '1000-0000-0004', name: 'Kamla Devi', detail: 'female' });
});
