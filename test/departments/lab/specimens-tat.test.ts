/**
 * Turnaround figures: the arithmetic on its own, then GET /tat over a constructed day of orders whose
 * every step (order, draw, receipt, results, validation, release) is written with known times.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { reportId, TECHNICAL_VALIDATION } from '../../../src/departments/lab/lab-fhir.js';
import { labSpecimenRoutes } from '../../../src/departments/lab/specimen-routes.js';
import { median, percentile, turnaroundFigures } from '../../../src/departments/lab/tat-figures.js';
import { fieldsNamed, startLabApp, systemCtx, type LabApp } from './lab-app.js';

test('median, nearest-rank 90th percentile, breaches and pending from timelines', () => {
  assert.equal(median([1, 2, 3]), 2);
  assert.equal(median([1, 2, 3, 4]), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
  assert.equal(percentile([5], 0.9), 5);
  const h = 3_600_000;
  const figures = turnaroundFigures('2026-01-15', [
    { order: 'a', test: 'lab-esr', targetHours: 4, report: 'r-a', orderedAt: 0, collectedAt: h, receivedAt: 2 * h, resultAt: 3 * h, authorisedAt: 7 * h },
    { order: 'b', test: 'lab-cbc', targetHours: 4, orderedAt: 0, collectedAt: h, receivedAt: 2 * h, resultAt: 3 * h },
  ]);
  assert.deepEqual(figures.breaches, [{ report: 'r-a', test: 'lab-esr', targetHours: 4, actualHours: 5 }]);
  assert.deepEqual(figures.pending, { collection: 0, receipt: 0, result: 0, validation: 1, authorisation: 0 }, 'released without a validation step is not pending');
  assert.deepEqual(figures.stages.find((s) => s.stage === 'validation'), { stage: 'validation', count: 0 });
  assert.deepEqual(figures.stages.find((s) => s.stage === 'result'), { stage: 'result', count: 2, medianMinutes: 60, p90Minutes: 60 });
});

let t: LabApp;
before(async () => { t = await startLabApp([labSpecimenRoutes]); });
after(async () => { await t?.close(); });

const DAY = '2026-01-15';
const at = (time: string, day = DAY) => `${day}T${time}:00+05:30`;

async function order(patient: string, test: string, time: string, day = DAY): Promise<string> {
  const [id] = await t.orders(patient, [test], { authoredOn: at(time, day) });
  return id;
}

/** A tube drawn (and received) at the given times, named on the order. */
async function draw(patient: string, orderId: string, collected: string, received?: string, status = 'available'): Promise<void> {
  const specimen = await t.repo.create(systemCtx, {
    resourceType: 'Specimen', status, subject: { reference: `Patient/${patient}` }, request: [{ reference: `ServiceRequest/${orderId}` }],
    collection: { collectedDateTime: at(collected) }, ...(received ? { receivedTime: at(received) } : {}),
  });
  const sr = await t.repo.read(systemCtx, 'ServiceRequest', orderId);
  const { meta: _meta, ...rest } = sr;
  await t.repo.update(systemCtx, 'ServiceRequest', orderId, { ...rest, specimen: [...((sr.specimen as unknown[]) ?? []), { reference: `Specimen/${specimen.id}` }] });
}

async function result(patient: string, orderId: string, issued: string, status = 'preliminary'): Promise<void> {
  await t.repo.create(systemCtx, {
    resourceType: 'Observation', status, code: { text: 'an analyte' }, subject: { reference: `Patient/${patient}` },
    basedOn: [{ reference: `ServiceRequest/${orderId}` }], issued: at(issued), valueQuantity: { value: 1 },
  });
}

async function report(patient: string, orderId: string, validated: string, authorised?: string): Promise<void> {
  const id = reportId(orderId);
  await t.repo.update(systemCtx, 'DiagnosticReport', id, {
    resourceType: 'DiagnosticReport', id, status: authorised ? 'final' : 'preliminary', code: { text: 'a test' },
    subject: { reference: `Patient/${patient}` }, basedOn: [{ reference: `ServiceRequest/${orderId}` }],
    extension: [{ url: TECHNICAL_VALIDATION, extension: [{ url: 'validator', valueReference: { reference: 'Practitioner/rahul-gupta' } }, { url: 'time', valueDateTime: at(validated) }] }],
    ...(authorised ? { issued: at(authorised) } : {}),
  });
}

test('GET /tat: stage medians and 90th percentiles, the breach of a target, and what is still open', async () => {
  const p = await t.patient('Timeline');
  // Released within its 4 h target: received 09:50, authorised 11:30.
  const a = await order(p, 'lab-cbc', '09:00');
  await draw(p, a, '09:20', '09:50');
  await result(p, a, '10:40');
  await result(p, a, '10:30');
  await result(p, a, '10:05', 'entered-in-error');
  await report(p, a, '11:00', '11:30');
  // Electrolytes, 2 h target: received 10:30, authorised 13:00, a breach of 2.5 h.
  const b = await order(p, 'lab-electrolytes', '10:00');
  await draw(p, b, '10:10', '10:30');
  await result(p, b, '11:30');
  await report(p, b, '12:00', '13:00');
  // Received, no result yet.
  const c = await order(p, 'lab-esr', '11:00');
  await draw(p, c, '11:30', '12:00');
  // Never drawn; and drawn but rejected: both wait for collection.
  await order(p, 'lab-lft', '12:00');
  const e = await order(p, 'lab-crp', '12:30');
  await draw(p, e, '12:40', undefined, 'unsatisfactory');
  // Another day's order and a cancelled one are not counted.
  await order(p, 'lab-tsh', '09:00', '2026-01-14');
  const revoked = await order(p, 'lab-hba1c', '09:00');
  const sr = await t.repo.read(systemCtx, 'ServiceRequest', revoked);
  const { meta: _meta, ...rest } = sr;
  await t.repo.update(systemCtx, 'ServiceRequest', revoked, { ...rest, status: 'revoked' });

  const reply = await t.get(`/api/lab/tat?date=${DAY}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.equal(reply.body.date, DAY);
  const stage = (name: string) => reply.body.stages.find((s: any) => s.stage === name);
  assert.deepEqual(stage('collection'), { stage: 'collection', count: 3, medianMinutes: 20, p90Minutes: 30 });
  assert.deepEqual(stage('receipt'), { stage: 'receipt', count: 3, medianMinutes: 30, p90Minutes: 30 });
  assert.deepEqual(stage('result'), { stage: 'result', count: 2, medianMinutes: 50, p90Minutes: 60 });
  assert.deepEqual(stage('validation'), { stage: 'validation', count: 2, medianMinutes: 30, p90Minutes: 30 });
  assert.deepEqual(stage('authorisation'), { stage: 'authorisation', count: 2, medianMinutes: 45, p90Minutes: 60 });
  assert.deepEqual(stage('total'), { stage: 'total', count: 2, medianMinutes: 125, p90Minutes: 150 });
  assert.deepEqual(reply.body.breaches, [{ report: reportId(b), test: 'Serum electrolytes (Na, K, Cl)', targetHours: 2, actualHours: 2.5 }]);
  assert.deepEqual(reply.body.pending, { collection: 2, receipt: 0, result: 1, validation: 0, authorisation: 0 });

  const empty = await t.get('/api/lab/tat?date=2026-01-13');
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body.stages.map((s: any) => s.count), [0, 0, 0, 0, 0, 0]);
  const bad = await t.get('/api/lab/tat?date=15-01-2026');
  assert.equal(bad.status, 400);
  assert.deepEqual(fieldsNamed(bad.body), ['date']);
  t.role = 'billing-clerk';
  assert.equal((await t.get(`/api/lab/tat?date=${DAY}`)).status, 403);
  t.role = 'lab-technician';
});
