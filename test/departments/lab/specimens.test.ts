/**
 * The specimen half of the laboratory over real HTTP on a real PostgreSQL: order → phlebotomy list →
 * collection (accession numbers, one ledger entry) → label → receipt or rejection → recollection;
 * retries; bad input named field by field with the ledger unchanged; the permission table's say.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { accessionDay, parseAccession } from '../../../src/departments/lab/accession.js';
import { labSpecimenRoutes } from '../../../src/departments/lab/specimen-routes.js';
import { may } from '../../../src/security/permissions/permissions.js';
import { DOCTOR, fieldsNamed, LAB_TECHNICIAN, startLabApp, systemCtx, type LabApp } from './lab-app.js';

let t: LabApp;

before(async () => { t = await startLabApp([labSpecimenRoutes]); });
after(async () => { await t?.close(); });

const asLab = () => { t.role = 'lab-technician'; t.department = null; t.practitioner = LAB_TECHNICIAN; };
const asDoctor = () => { t.role = 'doctor'; t.department = 'dept-general-medicine'; t.practitioner = DOCTOR; };
const ok = (reply: { status: number; body: unknown }, status = 200) => assert.equal(reply.status, status, JSON.stringify(reply.body));
const phlebotomy = async () => { const r = await t.get('/api/lab/phlebotomy'); ok(r); return r.body as any[]; };
const itemOf = (list: any[], patient: string) => list.find((i) => i.patient.id === patient);
/** A patient with a visit to general medicine, so within the doctor's department scope. */
async function visitedPatient(given: string): Promise<string> {
  const patient = await t.patient(given);
  await t.repo.create(systemCtx, {
    resourceType: 'Encounter', status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: `Patient/${patient}` }, serviceProvider: { reference: 'Organization/dept-general-medicine' },
  });
  return patient;
}
const serviceRequest = async (id: string) => t.repo.read(systemCtx, 'ServiceRequest', id);

test('the catalogue lists the seeded tests with their tubes, targets and analytes, for the lab and for doctors', async () => {
  asLab();
  const lab = await t.get('/api/lab/catalogue');
  ok(lab);
  const cbc = lab.body.tests.find((x: any) => x.id === 'lab-cbc');
  assert.equal(cbc.section, 'haematology');
  assert.deepEqual(cbc.specimen, { key: 'edta-whole-blood', name: 'Whole blood, EDTA (lavender top)', container: 'Vacuum tube with K2-EDTA, 3 mL', capColour: 'Lavender' });
  assert.equal(cbc.turnaroundHours, 4);
  assert.equal(cbc.analytes.find((a: any) => a.key === 'hemoglobin').unit, 'g/dL');
  const hbsag = lab.body.tests.find((x: any) => x.id === 'lab-hbsag');
  assert.deepEqual(hbsag.analytes[0].answers.map((a: any) => a.display), ['Reactive', 'Non-reactive']);
  asDoctor();
  ok(await t.get('/api/lab/catalogue'));
  asLab();
});

test('order → phlebotomy → collection → label → receipt → rejection → recollection', async () => {
  asLab();
  const ravi = await t.patient('Ravi');
  const asha = await t.patient('Asha', { gender: 'female', birthDate: '1990-06-15' });
  const [cbc, esr, lft] = await t.orders(ravi, ['lab-cbc', 'lab-esr', 'lab-lft'], { authoredOn: new Date(Date.now() - 3_600_000).toISOString() });
  const [sugar] = await t.orders(asha, ['lab-glucose-random'], { priority: 'stat' });

  // Stat first, though ordered later; one tube per container type.
  let list = await phlebotomy();
  const order = list.map((i) => i.patient.id);
  assert.ok(order.indexOf(asha) < order.indexOf(ravi), 'the stat order comes first');
  const raviItem = itemOf(list, ravi);
  assert.match(raviItem.patient.uhid, /^\d{4}-\d{4}-\d{4}$/);
  assert.deepEqual(raviItem.orders.map((o: any) => o.id), [cbc, esr, lft]);
  assert.deepEqual(raviItem.containers.map((c: any) => [c.specimenType, c.capColour, c.orders]), [['edta-whole-blood', 'Lavender', [cbc, esr]], ['serum-sst', 'Gold', [lft]]]);
  assert.equal(itemOf(list, asha).orders[0].priority, 'stat');
  assert.equal(t.lastAccess?.patients.includes(`Patient/${ravi}`), true, 'the list is in the audit trail');

  const entries = await t.ledgerEntries();
  const collected = await t.post('/api/lab/collections', { patient: ravi, orders: [cbc, esr, lft] });
  ok(collected, 201);
  assert.equal(await t.ledgerEntries(), entries + 1, 'one ledger entry for the whole collection');
  const specimens = collected.body.specimens as any[];
  assert.equal(specimens.length, 2);
  const [edta, serum] = specimens;
  for (const s of specimens) {
    assert.ok(parseAccession(s.accession), `${s.accession} carries a valid check digit`);
    assert.equal(s.accession.slice(0, 6), accessionDay(new Date()));
    assert.equal(s.status, 'collected');
    assert.equal(s.patient.id, ravi);
    assert.equal(s.collector, 'Rahul Gupta');
  }
  assert.notEqual(edta.accession, serum.accession);
  assert.deepEqual(edta.orders.map((o: any) => o.test), ['lab-cbc', 'lab-esr']);
  assert.equal(serum.specimenType, 'serum-sst');
  assert.deepEqual((await serviceRequest(cbc)).specimen, [{ reference: `Specimen/${edta.id}` }]);
  assert.deepEqual((await serviceRequest(lft)).specimen, [{ reference: `Specimen/${serum.id}` }]);
  assert.equal(t.lastAccess?.patients.includes(`Patient/${ravi}`), true);
  list = await phlebotomy();
  assert.equal(itemOf(list, ravi), undefined, 'drawn orders leave the list');
  assert.ok(itemOf(list, asha));

  // The barcode scanned at receipt finds the tube; the labels print.
  const scanned = await t.get(`/api/lab/specimens?accession=${serum.accession}`);
  ok(scanned);
  assert.equal(scanned.body.id, serum.id);
  const pdf = await fetch(`${t.base}${edta.labelPdf}`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
  const zpl = await (await fetch(`${t.base}${edta.labelZpl}`)).text();
  assert.match(zpl, /^\^XA/);
  assert.ok(zpl.includes(`^FD${edta.accession}^FS`), 'the barcode encodes the accession');
  assert.ok(zpl.includes('CBC, ESR'));

  // Receipt is idempotent: the second scan keeps the first time and writes nothing.
  const received = await t.post(`/api/lab/specimens/${edta.id}/receive`, {});
  ok(received);
  assert.equal(received.body.status, 'received');
  const afterReceipt = await t.ledgerEntries();
  const again = await t.post(`/api/lab/specimens/${edta.id}/receive`, {});
  ok(again);
  assert.equal(again.body.receivedAt, received.body.receivedAt);
  assert.equal(await t.ledgerEntries(), afterReceipt);

  // The serum is haemolysed: rejected, and its order is back on the list saying why.
  const rejectKey = randomUUID();
  const rejection = { reason: 'haemolysed', note: 'Gross haemolysis after a difficult draw' };
  const rejected = await t.post(`/api/lab/specimens/${serum.id}/reject`, rejection, rejectKey);
  ok(rejected);
  const afterRejection = await t.ledgerEntries();
  const retried = await t.post(`/api/lab/specimens/${serum.id}/reject`, rejection, rejectKey);
  ok(retried);
  assert.deepEqual(retried.body, rejected.body, 'a retry answers as the first time');
  assert.equal((await t.post(`/api/lab/specimens/${serum.id}/reject`, { reason: 'clotted' })).status, 409, 'rejected once only');
  assert.equal(await t.ledgerEntries(), afterRejection);
  assert.equal(rejected.body.status, 'rejected');
  assert.equal(rejected.body.rejection.reason, 'haemolysed');
  assert.equal(rejected.body.rejection.display, 'Haemolysed');
  assert.equal(rejected.body.rejection.note, 'Gross haemolysis after a difficult draw');
  const stored = await t.repo.read(systemCtx, 'Specimen', serum.id);
  assert.equal(stored.status, 'unsatisfactory');
  assert.equal((stored.condition as any)[0].coding[0].code, 'haemolysed');
  list = await phlebotomy();
  const back = itemOf(list, ravi);
  assert.deepEqual(back.orders.map((o: any) => o.id), [lft]);
  assert.equal(back.orders[0].recollect, 'Haemolysed: Gross haemolysis after a difficult draw');
  assert.deepEqual(back.containers.map((c: any) => c.specimenType), ['serum-sst']);
  const noReceipt = await t.post(`/api/lab/specimens/${serum.id}/receive`, {});
  assert.equal(noReceipt.status, 409, 'a rejected sample is not received');

  // Recollection: a new tube and number; the order names both draws.
  const redraw = await t.post('/api/lab/collections', { patient: ravi, orders: [lft] });
  ok(redraw, 201);
  const fresh = redraw.body.specimens[0];
  assert.notEqual(fresh.accession, serum.accession);
  assert.deepEqual((await serviceRequest(lft)).specimen, [{ reference: `Specimen/${serum.id}` }, { reference: `Specimen/${fresh.id}` }]);
  assert.equal(itemOf(await phlebotomy(), ravi), undefined);
  const old = await t.get(`/api/lab/specimens/${serum.id}`);
  ok(old);
  assert.equal(old.body.status, 'rejected');
  void sugar;
});

test('a retried or double-clicked collection returns the same specimens and writes once', async () => {
  asLab();
  const p = await t.patient('Imran');
  const orders = await t.orders(p, ['lab-cbc', 'lab-kft']);
  const key = randomUUID();
  const entries = await t.ledgerEntries();
  const [a, b] = await Promise.all([
    t.post('/api/lab/collections', { patient: p, orders }, key),
    t.post('/api/lab/collections', { patient: p, orders }, key),
  ]);
  ok(a, 201);
  ok(b, 201);
  const c = await t.post('/api/lab/collections', { patient: p, orders }, key);
  ok(c, 201);
  const accessions = (r: any) => r.body.specimens.map((s: any) => `${s.id}=${s.accession}`);
  assert.deepEqual(accessions(b), accessions(a));
  assert.deepEqual(accessions(c), accessions(a));
  assert.equal(await t.ledgerEntries(), entries + 1);
  // The same key for a different request is refused, naming the key.
  const other = await t.orders(p, ['lab-esr']);
  const reused = await t.post('/api/lab/collections', { patient: p, orders: other }, key);
  assert.equal(reused.status, 422);
  assert.deepEqual(fieldsNamed(reused.body), ['X-Request-Id']);
});

test('bad input is refused naming the field, and the ledger is unchanged', async () => {
  asLab();
  const p = await t.patient('Kiran');
  const q = await t.patient('Leela');
  const [mine, mine2] = await t.orders(p, ['lab-cbc', 'lab-tsh']);
  const [theirs] = await t.orders(q, ['lab-crp']);
  const seen = await visitedPatient('Kamal');
  const entries = await t.ledgerEntries();
  const refused = async (path: string, body: unknown, status: number, fields: string[], headers?: Record<string, string>) => {
    const r = headers ? await t.request('POST', path, body, headers) : await t.post(path, body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.resourceType, 'OperationOutcome');
    assert.deepEqual(fieldsNamed(r.body), fields);
  };
  asDoctor();
  await refused('/api/lab/orders', { patient: seen, tests: ['lab-unicorn'] }, 400, ['tests[0]']);
  await refused('/api/lab/orders', { patient: seen, tests: ['lab-cbc'], priority: 'asap' }, 400, ['priority']);
  await refused('/api/lab/orders', { tests: [] }, 400, ['patient', 'tests']);
  await refused('/api/lab/orders', { patient: seen, tests: ['lab-cbc'], encounter: 'no-such-visit' }, 422, ['encounter']);
  await refused('/api/lab/orders', { patient: seen, tests: ['lab-cbc'] }, 400, ['X-Request-Id'], {});
  asLab();
  await refused('/api/lab/collections', { patient: p, orders: [mine, theirs] }, 422, ['orders[1]']);
  await refused('/api/lab/collections', { patient: p, orders: ['no-such-order'] }, 422, ['orders[0]']);
  await refused('/api/lab/collections', { patient: p, orders: [mine, mine] }, 400, ['orders[1]']);
  await refused('/api/lab/collections', { patient: p, orders: [mine], collectedAt: 'yesterday' }, 400, ['collectedAt']);
  await refused('/api/lab/collections', { patient: p, orders: [mine], tube: 'red' }, 400, ['tube']);
  await refused('/api/lab/collections', { patient: p, orders: [mine] }, 400, ['X-Request-Id'], {});
  assert.equal(await t.ledgerEntries(), entries, 'nothing was written');
  assert.equal((await serviceRequest(mine)).specimen, undefined, 'the good order of a refused collection was not drawn');

  // Already collected: 409 naming each order drawn, and none of the others drawn either.
  const first = await t.post('/api/lab/collections', { patient: p, orders: [mine] });
  ok(first, 201);
  const drawn = await t.ledgerEntries();
  await refused('/api/lab/collections', { patient: p, orders: [mine2, mine] }, 409, ['orders[1]']);
  assert.equal((await serviceRequest(mine2)).specimen, undefined);
  const specimen = first.body.specimens[0];
  await refused(`/api/lab/specimens/${specimen.id}/reject`, { reason: 'looked-odd' }, 400, ['reason']);
  await refused(`/api/lab/specimens/${specimen.id}/reject`, { reason: 'other' }, 400, ['note']);
  await refused(`/api/lab/specimens/${specimen.id}/reject`, { reason: 'clotted', note: 42 }, 400, ['note']);
  assert.equal(await t.ledgerEntries(), drawn);

  const badAccession = await t.get(`/api/lab/specimens?accession=${specimen.accession.slice(0, 9)}${specimen.accession[10]}${specimen.accession[9]}`);
  assert.equal(badAccession.status, 400, 'two swapped digits fail the check digit');
  assert.deepEqual(fieldsNamed(badAccession.body), ['accession']);
  assert.equal((await t.get('/api/lab/specimens/no-such-specimen')).status, 404);
  const badDate = await t.get('/api/lab/phlebotomy?date=2026-02-30');
  assert.equal(badDate.status, 400);
  assert.deepEqual(fieldsNamed(badDate.body), ['date']);
});

test('the permission table decides: billing and nursing cannot collect; doctors order for their own patients', async () => {
  const p = await t.patient('Sunil');
  const [order] = await t.orders(p, ['lab-cbc']);
  const entries = await t.ledgerEntries();
  for (const role of ['billing-clerk', 'nurse', 'registration-clerk'] as const) {
    t.role = role; t.practitioner = null;
    const denied = await t.post('/api/lab/collections', { patient: p, orders: [order] });
    assert.equal(denied.status, 403, `${role}: ${JSON.stringify(denied.body)}`);
    assert.match(denied.body.issue[0].diagnostics, new RegExp(`role ${role} may not`));
    assert.equal((await t.get('/api/lab/phlebotomy')).status, 403, role);
  }
  t.role = 'billing-clerk';
  assert.equal((await t.post(`/api/lab/specimens/x/receive`, {})).status, 403);
  assert.equal(await t.ledgerEntries(), entries);

  // A doctor orders for a patient of the department's visits, and is the requester.
  asDoctor();
  const seen = await visitedPatient('Gita');
  const ordered = await t.post('/api/lab/orders', { patient: seen, tests: ['lab-cbc', 'ActivityDefinition/lab-lft'], priority: 'urgent' });
  ok(ordered, 201);
  assert.deepEqual(ordered.body.orders.map((o: any) => [o.test, o.priority, o.requester]), [['lab-cbc', 'urgent', 'Dr. Anita Rao'], ['lab-lft', 'urgent', 'Dr. Anita Rao']]);
  const written = await serviceRequest(ordered.body.orders[0].id);
  assert.equal(written.status, 'active');
  assert.deepEqual((written.category as any)[0].coding[0], { system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' });
  assert.deepEqual(written.instantiatesCanonical, ['https://nirantar.health/fhir/ActivityDefinition/lab-cbc']);
  const stranger = await t.patient('Om');
  assert.equal((await t.post('/api/lab/orders', { patient: stranger, tests: ['lab-cbc'] })).status, 403, 'outside the department');
  assert.equal((await t.post('/api/lab/collections', { patient: seen, orders: [ordered.body.orders[0].id] })).status, 403, 'doctors do not draw samples');

  // The lab technician types in a walk-in's outside prescription, when the table lets the lab create orders.
  asLab();
  const walkIn = await t.post('/api/lab/orders', { patient: stranger, tests: ['lab-tsh'] });
  assert.equal(walkIn.status, may('lab-technician', 'ServiceRequest', 'create') ? 201 : 403, JSON.stringify(walkIn.body));
  if (walkIn.status === 201) assert.equal(walkIn.body.orders[0].requester, undefined);
});
