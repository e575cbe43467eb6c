/**
 * The device gateway's intake over real HTTP and a real PostgreSQL: analyzer results matched to
 * received tubes by accession number, the rest kept for review (unknown tube or test, text where a
 * number is expected), resends counted as duplicates, the review list worked, host queries answered
 * and HL7 orders taken in.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DeviceObservation, DeviceResultReport } from '../../../src/devices/lab-device-types.js';
import { labResultRoutes } from '../../../src/departments/lab/result-routes.js';
import { labSpecimenRoutes } from '../../../src/departments/lab/specimen-routes.js';
import { criticalAlertId, observationId, reportId } from '../../../src/departments/lab/lab-fhir.js';
import { UHID_SYSTEM } from '../../../src/departments/registration/uhid.js';
import { buildMessage } from '../../../src/devices/astm-message.js';
import { extractLabResults } from '../../../src/devices/hl7-lab-results.js';
import { parseHl7Message } from '../../../src/devices/hl7-parser.js';
import { astmResultReport } from '../../../src/devices/astm-results.js';
import { specimenIdentifiers } from '../../../src/devices/lab-device-types.js';
import { sharedDataFiles } from '../../devices/support/shared-data.js';
import { fieldsNamed, startLabApp, systemCtx, type LabApp } from './lab-app.js';

let t: LabApp;
const asDevice = () => { t.role = 'device'; t.department = null; t.practitioner = null; };
const asTechnician = () => { t.role = 'lab-technician'; t.department = null; t.practitioner = 'rahul-gupta'; };

async function receivedCbc(gender = 'male') {
  const patient = await t.patient('Arun', { gender });
  const [order] = await t.orders(patient, ['lab-cbc']);
  const [specimen] = await t.collect(patient, [order]);
  await t.receive(specimen.id);
  return { patient, order, specimen: specimen.id as string, accession: specimen.accession as string };
}

function obs(accession: string | undefined, code: string, value: string, units?: string, extra: Partial<DeviceObservation> = {}): DeviceObservation {
  const n = Number(value);
  return {
    setId: '1', test: { code, components: ['', '', '', '', code, '1'] }, value, values: [value],
    ...(value.trim() !== '' && Number.isFinite(n) ? { numericValue: n } : {}),
    ...(units ? { units } : {}), abnormalFlags: [], resultStatus: 'F', observedAt: '20261127093000',
    specimen: { ...(accession ? { accessionNumber: accession } : {}), candidates: accession ? [accession] : [] },
    context: 'order', issues: [], ...extra,
  };
}

const report = (observations: DeviceObservation[], messageId = '1'): DeviceResultReport => ({
  protocol: 'astm', messageId, instrument: 'XN-550', patientIds: [], observations, complete: true,
});

const results = (body: DeviceResultReport) => t.post('/api/lab/device/results', body);

before(async () => { t = await startLabApp([labSpecimenRoutes, labResultRoutes]); });
after(async () => { await t.close(); });

test('analyzer results are matched by accession; the rest go to review; a resend is a duplicate', async () => {
  const s = await receivedCbc();
  asDevice();
  const sent = report([
    obs(s.accession, 'WBC', '8.13', '10*3/uL'),
    obs(s.accession, 'HGB', '13.2', 'g/dL'),
    obs(s.accession, 'PLT', '250', '10*3/uL'),
    obs(s.accession, 'NEUT%', '57.4', '%'),
    obs(s.accession, 'IG%', '0.3', '%'), // not in the catalogue
    obs(s.accession, 'RBC', '----', '10*6/uL'), // text where a number is expected
    obs('NO-SUCH-TUBE', 'HCT', '41.0', '%'), // unknown accession
  ]);
  const entries = await t.ledgerEntries();
  const first = await results(sent);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual(first.body, { accepted: true, matched: 4, review: 3, duplicates: 0 });
  assert.equal(await t.ledgerEntries(), entries + 1, 'one message, one ledger entry');

  const wbc = await t.repo.read(systemCtx, 'Observation', observationId(s.order, 'wbc-count')) as any;
  assert.equal(wbc.status, 'preliminary');
  assert.equal(wbc.valueQuantity.value, 8.1, 'reported to the analyte\'s decimals');
  assert.equal(wbc.device.display, 'XN-550');
  assert.match(wbc.note[0].text, /8\.13/, 'the instrument\'s exact value is kept');
  assert.equal(wbc.specimen.reference, `Specimen/${s.specimen}`);
  const neut = await t.repo.read(systemCtx, 'Observation', observationId(s.order, 'neutrophils-percent')) as any;
  assert.equal(neut.valueQuantity.value, 57);

  // Sent again (the same message id, as analyzers and the shared HL7 files reuse them): nothing new.
  const again = await results(sent);
  assert.deepEqual(again.body, { accepted: true, matched: 0, review: 0, duplicates: 7 });
  assert.equal(await t.ledgerEntries(), entries + 1);
  // The same message id with a new value is a new result, not a duplicate.
  const rerun = await results(report([obs(s.accession, 'HGB', '13.4', 'g/dL', { observedAt: '20261127094500' })]));
  assert.deepEqual(rerun.body, { accepted: true, matched: 1, review: 0, duplicates: 0 });

  asTechnician();
  const view = (await t.get(`/api/lab/reports/${reportId(s.order)}`)).body;
  const hgb = view.results.find((r: any) => r.analyte === 'hemoglobin');
  assert.deepEqual({ value: hgb.value, device: hgb.device, flag: hgb.flag, status: hgb.status }, { value: '13.4', device: 'XN-550', flag: 'N', status: 'preliminary' });

  const review = await t.get('/api/lab/review');
  assert.equal(review.status, 200, JSON.stringify(review.body));
  const byCode = (code: string) => review.body.find((r: any) => r.testCode === code && r.instrument === 'XN-550');
  assert.match(byCode('IG%').reason, /unknown test code IG%/);
  assert.match(byCode('RBC').reason, /text where a number is expected/);
  assert.equal(byCode('RBC').value, '----');
  assert.match(byCode('HCT').reason, /no specimen with accession number NO-SUCH-TUBE/);
  assert.equal(byCode('HCT').accession, 'NO-SUCH-TUBE');
  assert.equal(byCode('HCT').units, '%');

  // The haematocrit was the tube's after all (a misread barcode): assigned, it becomes its result.
  const assigned = await t.post(`/api/lab/review/${byCode('HCT').id}/assign`, { specimen: s.specimen, analyte: 'hematocrit' });
  assert.equal(assigned.status, 200, JSON.stringify(assigned.body));
  assert.equal(assigned.body.results.find((r: any) => r.analyte === 'hematocrit').value, '41.0');
  const text = await t.post(`/api/lab/review/${byCode('RBC').id}/assign`, { specimen: s.specimen, analyte: 'rbc-count' });
  assert.equal(text.status, 400, 'text is not a red cell count');
  assert.deepEqual(fieldsNamed(text.body), ['analyte']);
  const discarded = await t.post(`/api/lab/review/${byCode('IG%').id}/discard`, { reason: 'Immature granulocytes are not reported here' });
  assert.equal(discarded.status, 200, JSON.stringify(discarded.body));
  const noReason = await t.post(`/api/lab/review/${byCode('RBC').id}/discard`, {});
  assert.deepEqual(fieldsNamed(noReason.body), ['reason']);
  const left = (await t.get('/api/lab/review')).body.filter((r: any) => r.instrument === 'XN-550').map((r: any) => r.testCode);
  assert.deepEqual(left, ['RBC'], 'assigned and discarded items leave the list; the record keeps them');
  const kept = await t.repo.read(systemCtx, 'Observation', byCode('IG%').id) as any;
  assert.equal(kept.status, 'entered-in-error');
});

test('a critical value from an analyzer alerts the ordering doctor like a typed one', async () => {
  const s = await receivedCbc();
  asDevice();
  const res = await results(report([obs(s.accession, 'HGB', '6.2', 'g/dL')], 'critical-1'));
  assert.deepEqual(res.body, { accepted: true, matched: 1, review: 0, duplicates: 0 });
  const alert = await t.repo.read(systemCtx, 'Communication', criticalAlertId(observationId(s.order, 'hemoglobin'), '1')) as any;
  assert.equal(alert.recipient[0].reference, 'Practitioner/dr-anita-rao');
});

test('results for a sample not received, or a unit the lab does not report in, wait for review', async () => {
  const patient = await t.patient('Vijay');
  const [order] = await t.orders(patient, ['lab-cbc']);
  const [tube] = await t.collect(patient, [order]);
  const s = await receivedCbc();
  asDevice();
  const res = await results(report([obs(tube.accession, 'WBC', '7.0', '10*3/uL'), obs(s.accession, 'HGB', '132', 'g/L')], 'units-1'));
  assert.deepEqual(res.body, { accepted: true, matched: 0, review: 2, duplicates: 0 });
  asTechnician();
  const reasons = (await t.get('/api/lab/review')).body.filter((r: any) => r.accession === tube.accession || r.accession === s.accession).map((r: any) => r.reason);
  assert.ok(reasons.some((r: string) => /not yet received/.test(r)), JSON.stringify(reasons));
  assert.ok(reasons.some((r: string) => /unit g\/L/.test(r)), JSON.stringify(reasons));
});

test('a host query is answered with the tests still to run on each tube', async () => {
  const s = await receivedCbc();
  asDevice();
  await results(report([obs(s.accession, 'WBC', '7.2', '10*3/uL'), obs(s.accession, 'HGB', '14.0', 'g/dL')], 'query-1'));
  const res = await t.post('/api/lab/device/query', { protocol: 'astm', instrument: 'XN-550', specimenIds: [s.accession, 'UNKNOWN-1'] });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.orders.length, 1, 'an unknown tube gets no order');
  const [order] = res.body.orders;
  assert.equal(order.specimenId, s.accession);
  assert.equal(order.priority, 'R');
  assert.ok(order.testCodes.includes('PLT') && order.testCodes.includes('RBC'), JSON.stringify(order.testCodes));
  assert.ok(!order.testCodes.includes('WBC') && !order.testCodes.includes('HGB'), 'results already in are not asked for again');
  const patient = await t.repo.read(systemCtx, 'Patient', s.patient) as any;
  assert.equal(order.patientId, patient.identifier.find((i: any) => i.system === UHID_SYSTEM).value);
});

test('HL7 orders become lab orders for the patient with that UHID; unknown patients and tests are refused', async () => {
  const id = await t.patient('Kiran');
  const uhid = ((await t.repo.read(systemCtx, 'Patient', id)) as any).identifier[0].value as string;
  asDevice();
  const message = (patientIds: string[], code: string) => ({
    protocol: 'hl7v2', messageId: 'MSG00001', sender: 'HIS-OUTREACH',
    orders: [{ control: 'NW', tests: [{ code, text: 'CBC', system: 'LN' }], specimen: { placerOrderNumber: 'PL-778', candidates: ['PL-778'] }, priority: 'S', patientIds }],
  });
  const res = await t.post('/api/lab/device/orders', message([`${uhid}^^^NIRANTAR^MR`], '57021-8'));
  assert.deepEqual(res.body, { accepted: true });
  asTechnician();
  const orders = await t.get(`/fhir/R4/ServiceRequest?subject=Patient/${id}`);
  assert.equal(orders.body.entry.length, 1);
  const sr = orders.body.entry[0].resource;
  assert.equal(sr.instantiatesCanonical[0], 'https://nirantar.health/fhir/ActivityDefinition/lab-cbc');
  assert.equal(sr.priority, 'stat');
  assert.equal(sr.status, 'active');
  asDevice();
  assert.deepEqual((await t.post('/api/lab/device/orders', message([`${uhid}^^^NIRANTAR^MR`], '57021-8'))).body, { accepted: true });
  asTechnician();
  assert.equal((await t.get(`/fhir/R4/ServiceRequest?subject=Patient/${id}`)).body.entry.length, 1, 'sent again, ordered once');
  asDevice();
  const stranger = await t.post('/api/lab/device/orders', message(['123456'], '57021-8'));
  assert.equal(stranger.body.accepted, false);
  assert.match(stranger.body.reason, /no registered patient/);
  const unknownTest = await t.post('/api/lab/device/orders', message([uhid], '99999-9'));
  assert.equal(unknownTest.body.accepted, false);
  assert.match(unknownTest.body.reason, /99999-9/);
});

test('only the device role feeds results; bodies are checked field by field', async () => {
  const s = await receivedCbc();
  asTechnician();
  const denied = await results(report([obs(s.accession, 'WBC', '7.0', '10*3/uL')]));
  assert.equal(denied.status, 403, JSON.stringify(denied.body));
  asDevice();
  const bad = await t.post('/api/lab/device/results', { protocol: 'astm', messageId: '9', instrument: 'XN-550', observations: [{ test: {}, value: '1', specimen: { candidates: [] } }] });
  assert.equal(bad.status, 400);
  assert.deepEqual(fieldsNamed(bad.body), ['observations[0].test.code']);
  assert.equal((await t.get('/api/lab/review')).status, 403, 'the review list is for lab staff');
});

test('the Sysmex XN-550 transcript from shared/data: its CBC analytes match, everything else waits for review', async () => {
  const file = sharedDataFiles('astm', '.txt').find((f) => f.name === 'sysmex_xn550.txt')!;
  // One frame: STX, frame number, records, ETX, checksum.
  const raw = file.bytes.toString('latin1');
  const text = raw.slice(raw.indexOf('\x02') + 2, raw.indexOf('\x03'));
  const parsed = astmResultReport(buildMessage(text.split('\r').filter(Boolean), true), 'xn550-1');
  const s = await receivedCbc();
  // The transcript's tube is "27": sent as if it carried this sample's barcode.
  const sent = { ...parsed, observations: parsed.observations.map((o) => ({ ...o, specimen: specimenIdentifiers({ specimenIds: [s.accession] }) })) };
  asDevice();
  const res = await results(sent);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.matched, 14, 'WBC RBC HGB HCT MCV MCH MCHC PLT RDW-CV and the five differential percentages');
  assert.equal(res.body.review, parsed.observations.length - 14, 'absolute counts, IG, MPV, RDW-SD and the instrument flags are not in the catalogue');
  asTechnician();
  const view = (await t.get(`/api/lab/reports/${reportId(s.order)}`)).body;
  const flag = (analyte: string) => view.results.find((r: any) => r.analyte === analyte);
  assert.deepEqual([flag('hemoglobin').value, flag('hemoglobin').flag], ['8.0', 'L']);
  assert.deepEqual([flag('platelet-count').value, flag('platelet-count').flag], ['99', 'L']);
  assert.deepEqual([flag('eosinophils-percent').value, flag('eosinophils-percent').flag], ['22', 'H']);
  assert.ok(view.results.every((r: any) => r.value !== undefined), 'every CBC analyte has its value');
  const validate = await t.post(`/api/lab/reports/${reportId(s.order)}/validate`);
  assert.equal(validate.status, 200, JSON.stringify(validate.body));
});

test('the NIST LRI CBC message (HL7 ORU^R01) from shared/data: LOINC-coded results match where the units agree', async () => {
  const file = sharedDataFiles('hl7v2', '.hl7').find((f) => f.name === 'LRI_2.0-NG_CBC_Typ_Message.hl7')!;
  const parsed = parseHl7Message(file.bytes);
  assert.ok(parsed.ok);
  const extracted = extractLabResults(parsed.message);
  assert.ok(extracted.ok);
  const s = await receivedCbc();
  const sent = { ...extracted.report, observations: extracted.report.observations.map((o) => ({ ...o, specimen: specimenIdentifiers({ specimenIds: [s.accession] }) })) };
  asDevice();
  const res = await results(sent);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  // RBC, HCT, MCV, MCH, MCHC, RDW and the five percentages; haemoglobin came in g/mL and the white cell
  // and platelet counts per microlitre, not the lab's units; absolute counts and morphology are not in the catalogue.
  assert.deepEqual(res.body, { accepted: true, matched: 11, review: extracted.report.observations.length - 11, duplicates: 0 });
  asTechnician();
  const review = (await t.get('/api/lab/review')).body.filter((r: any) => r.accession === s.accession);
  assert.ok(review.some((r: any) => r.testCode === '718-7' && /unit g\/mL/.test(r.reason)), JSON.stringify(review.map((r: any) => r.reason)));
  const view = (await t.get(`/api/lab/reports/${reportId(s.order)}`)).body;
  assert.equal(view.results.find((r: any) => r.analyte === 'rbc-count').value, '4.41');
});
