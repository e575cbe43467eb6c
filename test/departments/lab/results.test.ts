/**
 * The results half over real HTTP and a real PostgreSQL: entry with flags by sex and age, technical
 * validation, authorisation, the printed report, amendment with its history, critical values to the
 * ordering doctor, wrong roles, bad values and retries.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { labResultRoutes } from '../../../src/departments/lab/result-routes.js';
import { labSpecimenRoutes } from '../../../src/departments/lab/specimen-routes.js';
import { criticalAlertId, observationId, reportId } from '../../../src/departments/lab/lab-fhir.js';
import { indiaDay } from '../../../src/printing/india-time.js';
import { inspectPdf } from '../../printing/pdf-inspect.js';
import { DOCTOR, fieldsNamed, startLabApp, systemCtx, type LabApp } from './lab-app.js';

let t: LabApp;
const PATHOLOGIST = 'dr-fatima-siddiqui';

const asTechnician = () => { t.role = 'lab-technician'; t.department = null; t.practitioner = 'rahul-gupta'; };
const asPathologist = () => { t.role = 'pathologist'; t.department = null; t.practitioner = PATHOLOGIST; };
const asDoctor = (practitioner = DOCTOR) => { t.role = 'doctor'; t.department = 'dept-general-medicine'; t.practitioner = practitioner; };

/** A patient with received samples for the tests; returns the order ids and the specimen serving each. */
async function received(tests: string[], patient: { gender?: string; birthDate?: string } = {}) {
  const id = await t.patient('Sita', patient);
  const orders = await t.orders(id, tests);
  const specimens = await t.collect(id, orders);
  for (const s of specimens) await t.receive(s.id);
  const specimenOf = (order: string) => specimens.find((s: any) => s.orders.some((o: any) => o.id === order)).id as string;
  return { patient: id, orders, specimens, specimenOf };
}

const enter = (specimen: string, results: Array<{ order: string; analyte: string; value: string }>, requestId?: string) =>
  t.post(`/api/lab/specimens/${specimen}/results`, { results }, requestId);
const resultOf = (view: any, analyte: string) => view.results.find((r: any) => r.analyte === analyte);

before(async () => { t = await startLabApp([labSpecimenRoutes, labResultRoutes]); });
after(async () => { await t.close(); });

test('glucose entered → validated → authorised → printed → amended, with the history kept', async () => {
  asTechnician();
  const s = await received(['lab-glucose-fasting']);
  const [order] = s.orders;
  const waiting = await t.get('/api/lab/worklist?stage=entry');
  assert.equal(waiting.status, 200, JSON.stringify(waiting.body));
  assert.ok(waiting.body.some((w: any) => w.order.id === order && !w.report && w.section === 'biochemistry'), 'received and waiting for results');
  const entries = await t.ledgerEntries();
  const res = await enter(s.specimenOf(order), [{ order, analyte: 'glucose-fasting', value: '126' }]);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(await t.ledgerEntries(), entries + 1, 'one ledger entry');
  assert.deepEqual(t.lastAccess?.patients, [`Patient/${s.patient}`], 'the audit record names the patient');
  const [view] = res.body;
  assert.equal(view.id, reportId(order));
  assert.equal(view.status, 'partial');
  assert.deepEqual(resultOf(view, 'glucose-fasting'), {
    analyte: 'glucose-fasting', name: 'Glucose, fasting (FBS)', kind: 'quantity', unit: 'mg/dL', value: '126',
    reference: '70 – 100', flag: 'H', critical: false, status: 'preliminary',
  });
  const obs = await t.get(`/fhir/R4/Observation/${observationId(order, 'glucose-fasting')}`);
  assert.equal(obs.body.valueQuantity.value, 126);
  assert.equal(obs.body.valueQuantity.code, 'mg/dL');
  assert.equal(obs.body.code.coding[0].code, '1558-6');
  assert.equal(obs.body.interpretation[0].coding[0].code, 'H');
  assert.equal(obs.body.performer[0].reference, 'Practitioner/rahul-gupta');

  // The pathologist cannot authorise what is not validated; the technician cannot authorise at all.
  asPathologist();
  let step = await t.post(`/api/lab/reports/${view.id}/authorise`);
  assert.equal(step.status, 409, JSON.stringify(step.body));
  asTechnician();
  step = await t.post(`/api/lab/reports/${view.id}/authorise`);
  assert.equal(step.status, 403, JSON.stringify(step.body));
  step = await t.post(`/api/lab/reports/${view.id}/validate`);
  assert.equal(step.status, 200, JSON.stringify(step.body));
  assert.equal(step.body.status, 'preliminary');
  assert.equal(step.body.validatedBy, 'Rahul Gupta');
  const worklist = await t.get('/api/lab/worklist?stage=authorisation&section=biochemistry');
  assert.equal(worklist.status, 200, JSON.stringify(worklist.body));
  assert.ok(worklist.body.some((w: any) => w.report === view.id), 'waits for the pathologist');

  asPathologist();
  step = await t.post(`/api/lab/reports/${view.id}/authorise`);
  assert.equal(step.status, 200, JSON.stringify(step.body));
  assert.equal(step.body.status, 'final');
  assert.equal(step.body.authorisedBy, 'Dr. Fatima Siddiqui');
  assert.ok(step.body.authorisedAt);
  assert.equal(resultOf(step.body, 'glucose-fasting').status, 'final');
  assert.equal((await t.get(`/fhir/R4/ServiceRequest/${order}`)).body.status, 'completed');
  const report = (await t.get(`/fhir/R4/DiagnosticReport/${view.id}`)).body;
  assert.equal(report.resultsInterpreter[0].reference, `Practitioner/${PATHOLOGIST}`);
  assert.ok(report.issued);

  const pdf = await fetch(`${t.base}/api/lab/reports/${view.id}/report.pdf`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const bytes = new Uint8Array(await pdf.arrayBuffer());
  assert.equal(Buffer.from(bytes.slice(0, 5)).toString('latin1'), '%PDF-');
  const text = (await inspectPdf(bytes)).texts.join(' ');
  assert.match(text, /Glucose, fasting/, 'the report names the analyte');
  assert.match(text, /126/);

  // Released: entry is refused; a pathologist amends, with a reason, and the first value stays in the history.
  asTechnician();
  const late = await enter(s.specimenOf(order), [{ order, analyte: 'glucose-fasting', value: '96' }]);
  assert.equal(late.status, 409, JSON.stringify(late.body));
  asPathologist();
  const noReason = await t.post(`/api/lab/reports/${view.id}/amend`, { results: [{ analyte: 'glucose-fasting', value: '96' }] });
  assert.equal(noReason.status, 400);
  assert.deepEqual(fieldsNamed(noReason.body), ['reason']);
  const amended = await t.post(`/api/lab/reports/${view.id}/amend`, { results: [{ analyte: 'glucose-fasting', value: '96' }], reason: 'Sample of another patient analysed; re-run' });
  assert.equal(amended.status, 200, JSON.stringify(amended.body));
  assert.equal(amended.body.status, 'amended');
  const glucose = resultOf(amended.body, 'glucose-fasting');
  assert.equal(glucose.value, '96');
  assert.equal(glucose.flag, 'N');
  assert.equal(glucose.status, 'amended');
  assert.deepEqual(glucose.previous.map((p: any) => p.value), ['126']);
  assert.equal(amended.body.amendments.length, 1);
  assert.equal(amended.body.amendments[0].reason, 'Sample of another patient analysed; re-run');
  assert.equal(amended.body.amendments[0].by, 'Dr. Fatima Siddiqui');
  const history = await t.get(`/fhir/R4/Observation/${observationId(order, 'glucose-fasting')}/_history`);
  assert.deepEqual(history.body.entry.map((e: any) => e.resource.status), ['amended', 'final', 'preliminary']);
  const listed = await t.get(`/api/lab/reports?status=amended&patient=${s.patient}`);
  assert.deepEqual(listed.body.map((r: any) => r.id), [view.id]);
  const today = await t.get(`/api/lab/reports?date=${indiaDay(new Date())}`);
  assert.ok(today.body.some((r: any) => r.id === view.id), 'listed on the day of collection');
  assert.equal((await t.get('/api/lab/reports?date=27-11-2026')).status, 400);
});

test('flags follow the reference interval of the patient\'s sex and age', async () => {
  asTechnician();
  const cases: Array<[{ gender: string; birthDate: string }, string, string]> = [
    [{ gender: 'male', birthDate: '1980-05-01' }, '12.5', 'L'], // adult man: 13.0 – 17.0
    [{ gender: 'female', birthDate: '1980-05-01' }, '12.5', 'N'], // adult woman: 12.0 – 15.0
    [{ gender: 'female', birthDate: '1980-05-01' }, '15.6', 'H'],
    [{ gender: 'male', birthDate: `${new Date().getUTCFullYear() - 8}-01-01` }, '12.5', 'N'], // child: 11.5 – 15.5
    [{ gender: 'male', birthDate: '1980-05-01' }, '6.4', 'LL'], // critical: 7.0 or below
    [{ gender: 'male', birthDate: '1980-05-01' }, '21.0', 'HH'], // critical: 20.0 or above
  ];
  for (const [patient, value, flag] of cases) {
    const s = await received(['lab-cbc'], patient);
    const res = await enter(s.specimens[0].id, [{ order: s.orders[0], analyte: 'hemoglobin', value }]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(resultOf(res.body[0], 'hemoglobin').flag, flag, `${patient.gender} ${patient.birthDate} Hb ${value}`);
  }
  const s = await received(['lab-hbsag']);
  const coded = await enter(s.specimens[0].id, [{ order: s.orders[0], analyte: 'hbsag', value: 'reactive' }]);
  assert.equal(coded.status, 200, JSON.stringify(coded.body));
  assert.equal(resultOf(coded.body[0], 'hbsag').value, 'Reactive');
  assert.equal(resultOf(coded.body[0], 'hbsag').flag, 'A');
});

test('a critical value alerts the ordering doctor in the same ledger entry; the doctor acknowledges it', async () => {
  asTechnician();
  const s = await received(['lab-electrolytes']);
  const [order] = s.orders;
  const entries = await t.ledgerEntries();
  const res = await enter(s.specimens[0].id, [
    { order, analyte: 'sodium', value: '138' }, { order, analyte: 'potassium', value: '6.8' }, { order, analyte: 'chloride', value: '101' },
  ]);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(await t.ledgerEntries(), entries + 1, 'results and alert are one ledger entry');
  assert.equal(resultOf(res.body[0], 'potassium').flag, 'HH');
  assert.equal(resultOf(res.body[0], 'potassium').critical, true);
  const alertId = criticalAlertId(observationId(order, 'potassium'), '1');
  const communication = await t.repo.read(systemCtx, 'Communication', alertId) as any;
  assert.equal(communication.recipient[0].reference, `Practitioner/${DOCTOR}`);
  assert.equal(communication.priority, 'stat');
  assert.equal(communication.status, 'in-progress');

  const lab = await t.get('/api/lab/critical-alerts?status=all');
  assert.equal(lab.status, 200, JSON.stringify(lab.body));
  const seen = lab.body.find((a: any) => a.id === alertId);
  assert.deepEqual({ analyte: seen.analyte, value: seen.value, unit: seen.unit, flag: seen.flag, status: seen.status }, { analyte: 'potassium', value: '6.8', unit: 'mmol/L', flag: 'HH', status: 'open' });

  // Another doctor neither sees nor acknowledges it.
  asDoctor('dr-farhan-qureshi');
  assert.ok(!(await t.get('/api/lab/critical-alerts')).body.some((a: any) => a.id === alertId));
  const other = await t.post(`/api/lab/critical-alerts/${alertId}/acknowledge`, {});
  assert.equal(other.status, 403, JSON.stringify(other.body));
  asDoctor();
  const mine = await t.get('/api/lab/critical-alerts');
  assert.ok(mine.body.some((a: any) => a.id === alertId), 'the ordering doctor sees it');
  const ack = await t.post(`/api/lab/critical-alerts/${alertId}/acknowledge`, { note: 'Repeat K+ sent, on calcium gluconate' });
  assert.equal(ack.status, 200, JSON.stringify(ack.body));
  assert.equal(ack.body.status, 'acknowledged');
  assert.equal(ack.body.acknowledgedBy, 'Dr. Anita Rao');
  assert.ok(!(await t.get('/api/lab/critical-alerts?status=open')).body.some((a: any) => a.id === alertId));

  // The same value entered again writes no new version and raises no second alert; a new critical value does.
  asTechnician();
  const again = await enter(s.specimens[0].id, [{ order, analyte: 'potassium', value: '6.8' }]);
  assert.equal(again.status, 200);
  const worse = await enter(s.specimens[0].id, [{ order, analyte: 'potassium', value: '7.1' }]);
  assert.equal(worse.status, 200);
  const potassium = await t.repo.read(systemCtx, 'Observation', observationId(order, 'potassium'));
  assert.equal((potassium.meta as any).versionId, '2', 'the unchanged value wrote no version');
  assert.equal((await t.repo.read(systemCtx, 'Communication', criticalAlertId(observationId(order, 'potassium'), '2'))).status, 'in-progress');
});

test('wrong roles are refused and nothing is written', async () => {
  asTechnician();
  const s = await received(['lab-glucose-random']);
  const [order] = s.orders;
  const entries = await t.ledgerEntries();
  t.role = 'registration-clerk'; t.practitioner = null;
  const clerk = await enter(s.specimens[0].id, [{ order, analyte: 'glucose-random', value: '110' }]);
  assert.equal(clerk.status, 403, JSON.stringify(clerk.body));
  assert.equal(clerk.body.resourceType, 'OperationOutcome');
  asDoctor();
  assert.equal((await t.get('/api/lab/worklist')).status, 403);
  assert.equal(await t.ledgerEntries(), entries);
  asTechnician();
  assert.equal((await enter(s.specimens[0].id, [{ order, analyte: 'glucose-random', value: '110' }])).status, 200);
  asTechnician();
  assert.equal((await t.post(`/api/lab/reports/${reportId(order)}/validate`)).status, 200);
  const authorise = await t.post(`/api/lab/reports/${reportId(order)}/authorise`);
  assert.equal(authorise.status, 403, 'a technician does not authorise');
  asPathologist();
  assert.equal((await t.post(`/api/lab/reports/${reportId(order)}/validate`)).status, 403, 'validation is the technician\'s step');
});

test('bad values name their field; nothing is half-written', async () => {
  asTechnician();
  const s = await received(['lab-cbc', 'lab-hbsag']);
  const [cbc, hbsag] = s.orders;
  const entries = await t.ledgerEntries();
  const res = await enter(s.specimenOf(cbc), [
    { order: cbc, analyte: 'hemoglobin', value: '13.4' },
    { order: cbc, analyte: 'wbc-count', value: 'clotted' },
    { order: cbc, analyte: 'platelet-count', value: '250.5' },
    { order: cbc, analyte: 'glucose-random', value: '90' },
  ]);
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.deepEqual(fieldsNamed(res.body), ['results[1].value', 'results[2].value', 'results[3].analyte']);
  assert.match(JSON.stringify(res.body), /not a number/);
  const coded = await enter(s.specimenOf(hbsag), [{ order: hbsag, analyte: 'hbsag', value: 'maybe' }]);
  assert.equal(coded.status, 400);
  assert.deepEqual(fieldsNamed(coded.body), ['results[0].value']);
  const missing = await t.post(`/api/lab/specimens/${s.specimenOf(cbc)}/results`, { results: [{ order: cbc, analyte: 'hemoglobin' }] });
  assert.deepEqual(fieldsNamed(missing.body), ['results[0].value']);
  const foreign = await enter(s.specimenOf(cbc), [{ order: 'not-an-order', analyte: 'hemoglobin', value: '13' }]);
  assert.deepEqual(fieldsNamed(foreign.body), ['results[0].order']);
  assert.equal(await t.ledgerEntries(), entries, 'nothing written');
  assert.equal((await t.get(`/fhir/R4/Observation/${observationId(cbc, 'hemoglobin')}`)).status, 404);

  // Validation needs every analyte.
  await enter(s.specimenOf(cbc), [{ order: cbc, analyte: 'hemoglobin', value: '13.4' }]);
  const early = await t.post(`/api/lab/reports/${reportId(cbc)}/validate`);
  assert.equal(early.status, 409);
  assert.match(early.body.issue[0].diagnostics, /Total leucocyte count/);

  // A sample not yet received takes no results.
  const p = await t.patient('Uma');
  const [order] = await t.orders(p, ['lab-glucose-random']);
  const [tube] = await t.collect(p, [order]);
  const notReceived = await enter(tube.id, [{ order, analyte: 'glucose-random', value: '90' }]);
  assert.equal(notReceived.status, 409, JSON.stringify(notReceived.body));
});

test('a value changed after technical validation sends the report back to validation', async () => {
  asTechnician();
  const s = await received(['lab-glucose-random']);
  const [order] = s.orders;
  await enter(s.specimens[0].id, [{ order, analyte: 'glucose-random', value: '150' }]);
  const validated = await t.post(`/api/lab/reports/${reportId(order)}/validate`);
  assert.equal(validated.body.status, 'preliminary');
  assert.equal((await t.post(`/api/lab/reports/${reportId(order)}/validate`)).status, 409, 'validated once');
  const changed = await enter(s.specimens[0].id, [{ order, analyte: 'glucose-random', value: '105' }]);
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.equal(changed.body[0].status, 'partial');
  assert.equal(changed.body[0].validatedBy, undefined);
  const stage = (await t.get('/api/lab/worklist?stage=validation')).body.find((w: any) => w.order.id === order);
  assert.ok(stage, 'back on the validation list');
});

test('a retry with the same X-Request-Id returns the first answer and writes nothing', async () => {
  asTechnician();
  const s = await received(['lab-glucose-random']);
  const [order] = s.orders;
  const requestId = randomUUID();
  const body = [{ order, analyte: 'glucose-random', value: '180' }];
  const first = await enter(s.specimens[0].id, body, requestId);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const entries = await t.ledgerEntries();
  const retry = await enter(s.specimens[0].id, body, requestId);
  assert.equal(retry.status, 200);
  assert.deepEqual(retry.body.map((r: any) => r.id), first.body.map((r: any) => r.id));
  assert.equal(await t.ledgerEntries(), entries);
  const reused = await enter(s.specimens[0].id, [{ order, analyte: 'glucose-random', value: '190' }], requestId);
  assert.equal(reused.status, 422);
  const noId = await t.request('POST', `/api/lab/specimens/${s.specimens[0].id}/results`, { results: body });
  assert.equal(noId.status, 400);
  assert.deepEqual(fieldsNamed(noId.body), ['X-Request-Id']);
});
