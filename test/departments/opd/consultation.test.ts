import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { FIRST_SERIAL, UHID_SYSTEM, uhidOf } from '../../../src/departments/registration/uhid.js';
import { barcodeSymbol } from '../../../src/printing/barcode.js';
import { mm } from '../../../src/printing/layout.js';
import { decodeRendered, inspectPdf, popplerInstalled, renderPage } from '../../printing/pdf-inspect.js';
import { ALL_DAYS, fieldsNamed, startOpdApp, systemCtx, type OpdApp } from './opd-app.js';

let t: OpdApp;
const DOCTOR = 'Practitioner/dr-sanjay-kulkarni';
let serial = FIRST_SERIAL + 500;

const asDesk = () => { t.role = 'appointment-desk'; t.department = null; t.practitioner = null; };
const asDoctor = (department = 'dept-cardiology', practitioner = DOCTOR) => { t.role = 'doctor'; t.department = department; t.practitioner = practitioner; };

/** A registered patient (with a UHID), checked in to cardiology; started when `start`. */
async function visit(start = true): Promise<{ visit: string; patient: string; uhid: string }> {
  const uhid = uhidOf(serial++);
  const created = await t.repo.create(systemCtx, {
    resourceType: 'Patient', identifier: [{ system: UHID_SYSTEM, value: uhid }], name: [{ given: ['Meera'], family: `Joshi${serial}` }], gender: 'female', birthDate: '1975-03-02',
  });
  asDesk();
  const checkedIn = await t.post('/api/opd/check-in', { patient: created.id, department: 'cardiology' });
  assert.equal(checkedIn.status, 201, JSON.stringify(checkedIn.body));
  asDoctor();
  if (start) {
    const started = await t.post(`/api/opd/visits/${checkedIn.body.visit}/start`);
    assert.equal(started.status, 200, JSON.stringify(started.body));
  }
  return { visit: checkedIn.body.visit, patient: created.id, uhid };
}

const consult = (id: string, body: unknown, requestId = randomUUID()) => t.request('POST', `/api/opd/visits/${id}/consultation`, body, { 'x-request-id': requestId });
const count = async (type: string, visitId: string) => {
  const res = await t.request('GET', `/fhir/R4/${type}?encounter=Encounter/${visitId}&_summary=count`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.total as number;
};
const search = async (type: string, visitId: string) => {
  const res = await t.request('GET', `/fhir/R4/${type}?encounter=Encounter/${visitId}&_count=100`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (res.body.entry ?? []).map((e: any) => e.resource) as any[];
};
const loincOf = (r: any) => r.code.coding.map((c: any) => c.code);

const FULL = {
  vitals: { pulse: 88, systolic: 142, diastolic: 92, temperature: 37.8, spo2: 97, respiratoryRate: 18, weightKg: 72.5, heightCm: 168 },
  complaints: 'Chest discomfort on exertion for 2 weeks; breathlessness climbing stairs',
  diagnoses: [{ text: 'Essential hypertension', icd10: 'I10' }, { text: 'Stable angina', icd10: 'i20.8' }, { text: 'Obesity, to be assessed' }],
  advice: 'Low-salt diet. Walk 30 minutes daily. Come at once if the pain lasts more than 15 minutes.',
  labOrders: [{ test: 'lab-lipid-profile' }, { test: 'ActivityDefinition/lab-hba1c' }],
  medications: [
    { text: 'Tab. Amlodipine 5 mg', dose: '1 tablet', frequency: 'once daily', days: 30 },
    { text: 'Tab. Aspirin 75 mg', dose: '1 tablet', frequency: 'after lunch' },
    { text: 'Tab. Sorbitrate 5 mg (sublingual)' },
  ],
  followUpDays: 14,
};

before(async () => {
  t = await startOpdApp();
  const s = await t.post('/api/opd/schedules', { practitioner: 'dr-sanjay-kulkarni', department: 'cardiology', weekdays: ALL_DAYS, start: '00:00', end: '23:55', slotMinutes: 5 });
  assert.equal(s.status, 201, JSON.stringify(s.body));
});
after(async () => { await t.close(); });

test('a full consultation writes exactly its resources, in one ledger entry, each coded and referenced', async () => {
  const v = await visit();
  const entries = await t.ledgerEntries();
  const res = await consult(v.visit, FULL);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(await t.ledgerEntries(), entries + 1, 'one transaction, one ledger entry');
  assert.equal(res.body.visit, v.visit);
  assert.deepEqual(t.lastAccess?.patients, [`Patient/${v.patient}`], 'the audit record names the patient');

  const expected: Record<string, number> = { Observation: 7, Condition: 3, ServiceRequest: 2, MedicationRequest: 3, ClinicalImpression: 1 };
  for (const [type, n] of Object.entries(expected)) assert.equal(await count(type, v.visit), n, type);
  assert.equal(res.body.written.length, 7 + 3 + 2 + 3 + 1 + 1, 'and the Encounter, updated to list its diagnoses');
  assert.deepEqual(res.body.written.filter((w: string) => w.startsWith('Encounter/')), [`Encounter/${v.visit}`]);

  const patient = { reference: `Patient/${v.patient}` };
  const encounter = `Encounter/${v.visit}`;
  const observations = await search('Observation', v.visit);
  for (const o of observations) {
    assert.equal(o.status, 'final');
    assert.equal(o.category[0].coding[0].system, 'http://terminology.hl7.org/CodeSystem/observation-category');
    assert.equal(o.category[0].coding[0].code, 'vital-signs');
    assert.equal(o.subject.reference, patient.reference);
    assert.equal(o.encounter.reference, encounter);
    assert.equal(o.performer[0].reference, DOCTOR);
    assert.ok(o.effectiveDateTime);
    assert.ok(o.code.coding.every((c: any) => c.system === 'http://loinc.org'));
  }
  const by = (code: string) => observations.find((o) => loincOf(o).includes(code));
  const q = (code: string) => by(code).valueQuantity;
  assert.deepEqual(q('8867-4'), { value: 88, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' });
  assert.deepEqual(q('8310-5'), { value: 37.8, unit: 'Cel', system: 'http://unitsofmeasure.org', code: 'Cel' });
  assert.equal(q('59408-5').value, 97);
  assert.equal(q('59408-5').code, '%');
  assert.ok(loincOf(by('59408-5')).includes('2708-6'), 'the R4 oxygen saturation profile code too');
  assert.equal(q('9279-1').code, '/min');
  assert.deepEqual([q('29463-7').value, q('29463-7').code], [72.5, 'kg']);
  assert.deepEqual([q('8302-2').value, q('8302-2').code], [168, 'cm']);
  const bp = by('85354-9');
  assert.equal(bp.valueQuantity, undefined);
  const component = (code: string) => bp.component.find((c: any) => c.code.coding[0].code === code).valueQuantity;
  assert.deepEqual(component('8480-6'), { value: 142, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });
  assert.equal(component('8462-4').value, 92);

  const conditions = await search('Condition', v.visit);
  const dx = (text: string) => conditions.find((c) => c.code.text === text);
  assert.deepEqual(dx('Essential hypertension').code.coding, [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }]);
  assert.equal(dx('Stable angina').code.coding[0].code, 'I20.8', 'written in capitals');
  assert.equal(dx('Obesity, to be assessed').code.coding, undefined, 'no ICD-10 code when none was given');
  for (const c of conditions) {
    assert.equal(c.category[0].coding[0].code, 'encounter-diagnosis');
    assert.equal(c.category[0].coding[0].system, 'http://terminology.hl7.org/CodeSystem/condition-category');
    assert.equal(c.subject.reference, patient.reference);
    assert.equal(c.encounter.reference, encounter);
    assert.equal(c.recorder.reference, DOCTOR);
  }
  const visitNow = await t.request('GET', `/fhir/R4/${encounter}`);
  assert.deepEqual(visitNow.body.diagnosis.map((d: any) => d.condition.reference).sort(), conditions.map((c) => `Condition/${c.id}`).sort());
  assert.equal(visitNow.body.status, 'in-progress');

  const orders = await search('ServiceRequest', v.visit);
  for (const [test, o] of [['lab-lipid-profile', orders.find((x) => x.instantiatesCanonical[0].endsWith('/lab-lipid-profile'))], ['lab-hba1c', orders.find((x) => x.instantiatesCanonical[0].endsWith('/lab-hba1c'))]] as const) {
    const definition = (await t.request('GET', `/fhir/R4/ActivityDefinition/${test}`)).body;
    assert.ok(o, test);
    assert.deepEqual(o.code, definition.code, 'the code is the catalogue\'s');
    assert.deepEqual(o.instantiatesCanonical, [definition.url]);
    assert.equal(o.status, 'active');
    assert.equal(o.intent, 'order');
    assert.deepEqual(o.category[0].coding[0], { system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' });
    assert.equal(o.subject.reference, patient.reference);
    assert.equal(o.encounter.reference, encounter);
    assert.equal(o.requester.reference, DOCTOR);
    assert.ok(o.authoredOn);
  }
  assert.ok(orders.some((o) => loincOf(o).includes('24331-1')), 'lipid profile carries its LOINC code');
  const active = await t.request('GET', `/fhir/R4/ServiceRequest?status=active&category=http://snomed.info/sct|108252007&subject=Patient/${v.patient}`);
  assert.equal(active.body.entry.length, 2, 'the laboratory finds the orders by status and category');

  const meds = await search('MedicationRequest', v.visit);
  const amlodipine = meds.find((m) => m.medicationCodeableConcept.text === 'Tab. Amlodipine 5 mg');
  assert.equal(amlodipine.dosageInstruction[0].text, '1 tablet, once daily, for 30 days');
  assert.equal(amlodipine.dispenseRequest.expectedSupplyDuration.value, 30);
  assert.equal(amlodipine.status, 'active');
  assert.equal(amlodipine.intent, 'order');
  assert.equal(amlodipine.subject.reference, patient.reference);
  assert.equal(amlodipine.encounter.reference, encounter);
  assert.equal(amlodipine.requester.reference, DOCTOR);
  assert.equal(meds.find((m) => m.medicationCodeableConcept.text.startsWith('Tab. Sorbitrate')).dosageInstruction, undefined);

  const [impression] = await search('ClinicalImpression', v.visit);
  assert.equal(impression.status, 'completed');
  assert.equal(impression.description, FULL.complaints);
  assert.equal(impression.summary, FULL.advice);
  assert.equal(impression.subject.reference, patient.reference);
  assert.equal(impression.encounter.reference, encounter);
  assert.equal(impression.assessor.reference, DOCTOR);
  assert.equal(impression.problem.length, 3);

  const summary = await t.request('GET', `/api/opd/visits/${v.visit}`);
  assert.equal(summary.status, 200, JSON.stringify(summary.body));
  const s = summary.body;
  assert.equal(s.patient.uhid, v.uhid);
  assert.equal(s.patient.reference, patient.reference);
  assert.equal(s.state, 'in-consultation');
  assert.equal(s.department, 'cardiology');
  assert.equal(s.doctor.reference, DOCTOR);
  assert.ok(s.doctor.name.includes('Kulkarni'));
  assert.equal(typeof s.token, 'number');
  assert.ok(s.times.arrivedAt && s.times.startedAt);
  const { recordedAt, ...vitals } = s.vitals;
  assert.ok(recordedAt);
  assert.deepEqual(vitals, FULL.vitals);
  assert.equal(s.complaints, FULL.complaints);
  assert.equal(s.advice, FULL.advice);
  assert.deepEqual(s.diagnoses.map((d: any) => [d.text, d.icd10]), [['Essential hypertension', 'I10'], ['Stable angina', 'I20.8'], ['Obesity, to be assessed', undefined]]);
  assert.deepEqual(s.labOrders.map((o: any) => o.test), ['lab-lipid-profile', 'lab-hba1c']);
  assert.deepEqual(s.medications.map((m: any) => [m.text, m.dose, m.frequency, m.days]), FULL.medications.map((m) => [m.text, m.dose, m.frequency, m.days]));
  assert.equal(s.followUpDays, 14);
  assert.equal(s.consultations, 1);
});

test('each bad field is a 400 naming it, and nothing is written', async () => {
  const v = await visit();
  const cases: Array<[unknown, string[]]> = [
    [{ vitals: { pulse: 0 } }, ['vitals.pulse']],
    [{ vitals: { pulse: 400 } }, ['vitals.pulse']],
    [{ vitals: { spo2: 101 } }, ['vitals.spo2']],
    [{ vitals: { temperature: 98.6 } }, ['vitals.temperature']],
    [{ vitals: { pulse: '80' } }, ['vitals.pulse']],
    [{ vitals: { systolic: 120 } }, ['vitals.diastolic']],
    [{ vitals: { systolic: 80, diastolic: 120 } }, ['vitals.diastolic']],
    [{ vitals: { bloodSugar: 140 } }, ['vitals.bloodSugar']],
    [{ labOrders: [{ test: 'lab-no-such-test' }] }, ['labOrders[0].test']],
    [{ labOrders: [{ test: 'lab-cbc' }, { test: 'lab-cbc' }] }, ['labOrders[1].test']],
    [{ labOrders: [{ test: 'lab-cbc' }, { test: 'Patient/x' }] }, ['labOrders[1].test']],
    [{ diagnoses: [{ text: 'Fever', icd10: 'XYZ' }] }, ['diagnoses[0].icd10']],
    [{ diagnoses: [{ text: 'Fever', icd10: 'R5O' }] }, ['diagnoses[0].icd10']],
    [{ diagnoses: [{ text: '' }] }, ['diagnoses[0].text']],
    [{ diagnoses: [{ icd10: 'R50.9' }] }, ['diagnoses[0].text']],
    [{ medications: [{ text: 'Tab. Paracetamol', days: 0 }] }, ['medications[0].days']],
    [{ medications: [{ dose: '1 tab' }] }, ['medications[0].text']],
    [{ followUpDays: -3 }, ['followUpDays']],
    [{ complaints: 42 }, ['complaints']],
    // Every bad field at once, good ones alongside.
    [{ vitals: { pulse: 72, spo2: 140 }, diagnoses: [{ text: 'Ok', icd10: 'J06.9' }, { text: ' ' }], labOrders: [{ test: 'lab-cbc' }], followUpDays: 1.5 }, ['vitals.spo2', 'diagnoses[1].text', 'followUpDays']],
  ];
  const entries = await t.ledgerEntries();
  for (const [body, fields] of cases) {
    const res = await consult(v.visit, body);
    assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.deepEqual(fieldsNamed(res.body), fields, JSON.stringify(res.body));
    for (const field of fields) assert.ok(res.body.issue.some((i: any) => i.diagnostics.includes(field)), `the message names ${field}`);
  }
  const nothing = await consult(v.visit, {});
  assert.equal(nothing.status, 400, 'nothing to record');
  const noId = await t.request('POST', `/api/opd/visits/${v.visit}/consultation`, { complaints: 'Cough' });
  assert.equal(noId.status, 400);
  assert.deepEqual(fieldsNamed(noId.body), ['X-Request-Id']);
  assert.equal(await t.ledgerEntries(), entries, 'nothing was written');
  for (const type of ['Observation', 'Condition', 'ServiceRequest', 'MedicationRequest', 'ClinicalImpression']) assert.equal(await count(type, v.visit), 0, type);
});

test('a visit not in consultation is a 409 naming its state', async () => {
  const waiting = await visit(false);
  let entries = await t.ledgerEntries();
  const early = await consult(waiting.visit, { complaints: 'Headache' });
  assert.equal(early.status, 409, JSON.stringify(early.body));
  assert.match(early.body.issue[0].diagnostics, /arrived/);
  const done = await visit();
  const closed = await t.post(`/api/opd/visits/${done.visit}/close`);
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  assert.equal(await t.ledgerEntries(), entries + 4, 'the second visit (patient, check-in, start, close) only');
  entries = await t.ledgerEntries();
  const late = await consult(done.visit, { complaints: 'Headache' });
  assert.equal(late.status, 409);
  assert.match(late.body.issue[0].diagnostics, /finished/);
  assert.equal(await t.ledgerEntries(), entries, 'nothing written for a closed visit');
  const unknown = await consult('opd-cardiology-20000101-00001', { complaints: 'Headache' });
  assert.equal(unknown.status, 404);
});

test('a retry with the same X-Request-Id returns the first answer and writes nothing; a second consultation adds', async () => {
  const v = await visit();
  const id = randomUUID();
  const body = { vitals: { pulse: 90 }, diagnoses: [{ text: 'Viral fever', icd10: 'B34.9' }], labOrders: [{ test: 'lab-cbc' }] };
  const first = await consult(v.visit, body, id);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const entries = await t.ledgerEntries();
  const again = await consult(v.visit, body, id);
  assert.equal(again.status, 201);
  assert.deepEqual(again.body, first.body);
  assert.equal(await t.ledgerEntries(), entries, 'no new entry');
  assert.equal(await count('Condition', v.visit), 1);
  const reused = await consult(v.visit, { ...body, advice: 'Rest' }, id);
  assert.equal(reused.status, 422, 'an X-Request-Id is for one request');

  const second = await consult(v.visit, { vitals: { pulse: 84, temperature: 38.2 }, diagnoses: [{ text: 'Dengue suspected', icd10: 'A97.9' }], labOrders: [{ test: 'lab-dengue-ns1' }], advice: 'Fluids', followUpDays: 3 });
  assert.equal(second.status, 201, JSON.stringify(second.body));
  assert.equal(await count('Condition', v.visit), 2);
  assert.equal(await count('ServiceRequest', v.visit), 2);
  assert.equal(await count('Observation', v.visit), 3);
  const s = (await t.request('GET', `/api/opd/visits/${v.visit}`)).body;
  assert.equal(s.vitals.pulse, 84, 'the latest reading');
  assert.equal(s.vitals.temperature, 38.2);
  assert.deepEqual(s.diagnoses.map((d: any) => d.icd10), ['B34.9', 'A97.9']);
  assert.equal(s.consultations, 1, 'only the second had complaints, advice or follow-up');
  assert.equal(s.advice, 'Fluids');
  assert.equal((await t.request('GET', `/fhir/R4/Encounter/${v.visit}`)).body.diagnosis.length, 2);
  // After a retry of the first consultation once the visit is closed: still the first answer.
  assert.equal((await t.post(`/api/opd/visits/${v.visit}/close`)).status, 200);
  const late = await consult(v.visit, body, id);
  assert.equal(late.status, 201);
  assert.deepEqual(late.body, first.body);
});

test('only a doctor of the visit\'s department records its consultation', async () => {
  const v = await visit();
  const entries = await t.ledgerEntries();
  try {
    asDoctor('dept-ent', 'Practitioner/dr-arjun-menon');
    const other = await consult(v.visit, { complaints: 'Ear ache' });
    assert.equal(other.status, 403, JSON.stringify(other.body));
    assert.match(other.body.issue[0].diagnostics, /cardiology/);
    const summary = await t.request('GET', `/api/opd/visits/${v.visit}`);
    assert.equal(summary.status, 403, 'nor reads the visit of a patient outside the department');
    const glass = await t.request('GET', `/api/opd/visits/${v.visit}`, undefined, { 'x-break-glass-reason': 'patient collapsed in the ENT OPD' });
    assert.equal(glass.status, 200, 'unless breaking glass');
    asDesk();
    const desk = await consult(v.visit, { vitals: { pulse: 70 } });
    assert.equal(desk.status, 403, 'the appointment desk records no vitals');
    asDoctor('dept-cardiology', DOCTOR);
    t.role = 'registration-clerk';
    assert.equal((await consult(v.visit, { diagnoses: [{ text: 'x' }] })).status, 403);
  } finally {
    asDoctor();
  }
  assert.equal(await t.ledgerEntries(), entries);
});

test('the visit slip is an A5 PDF with the UHID (print and Code 128), the diagnoses, medicines and orders; same data, same bytes', async () => {
  const v = await visit();
  const res = await consult(v.visit, FULL);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const fetchPdf = async () => {
    const r = await fetch(`${t.base}/api/opd/visits/${v.visit}/slip.pdf`);
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    return new Uint8Array(await r.arrayBuffer());
  };
  const pdf = await fetchPdf();
  assert.equal(Buffer.from(pdf.subarray(0, 5)).toString('latin1'), '%PDF-');
  const inspected = await inspectPdf(pdf);
  assert.ok(Math.abs(inspected.size.width - mm(148)) < 0.5 && Math.abs(inspected.size.height - mm(210)) < 0.5, 'A5');
  const text = inspected.texts.join('\n');
  assert.ok(inspected.texts.includes(v.uhid), `the UHID in print: ${text}`);
  for (const wanted of ['Essential hypertension (ICD-10 I10)', 'Stable angina (ICD-10 I20.8)', 'Tab. Amlodipine 5 mg', '1 tablet, once daily, for 30 days', 'Cardiology', 'Dr. Sanjay Kulkarni', 'IST']) {
    assert.ok(text.includes(wanted), `${wanted} in ${text}`);
  }
  assert.ok(text.includes('Lipid profile'), 'the lab orders');
  assert.ok(text.includes('BP 142/92 mmHg'), 'the vitals');
  assert.ok(text.includes('After 14 days'), 'the follow-up');
  const bars = barcodeSymbol(v.uhid.replace(/\D/g, ''), 'code128').bars.length;
  assert.ok(inspected.closedSubpaths >= bars, 'the Code 128 of the UHID is drawn');
  assert.deepEqual(await fetchPdf(), pdf, 'deterministic');
  if (popplerInstalled()) assert.equal(decodeRendered(renderPage(pdf, 300), 'code128'), v.uhid.replace(/\D/g, ''), 'the printed barcode scans as the UHID');

  // A long prescription flows onto a second page.
  const many = await consult(v.visit, { medications: Array.from({ length: 30 }, (_, i) => ({ text: `Medicine number ${i + 1}`, dose: '1 tablet', frequency: 'twice daily', days: 5 })) });
  assert.equal(many.status, 201);
  const long = await inspectPdf(await fetchPdf());
  assert.ok(long.doc.getPageCount() >= 2, 'more than one page');
});
