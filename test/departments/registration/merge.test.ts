import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import { findCandidates } from '../../../src/departments/registration/match-candidates.js';
import { mergePatients } from '../../../src/departments/registration/merge.js';
import { UHID_SYSTEM } from '../../../src/departments/registration/uhid.js';
import { versionText } from '../../../src/fhir/repository/current-version.js';
import type { FhirResource, RequestContext } from '../../../src/fhir/repository/context.js';
import type { FhirRepository } from '../../../src/fhir/repository/repository.js';
import { fieldsNamed, HOSPITAL, startRegistrationApp, type RegistrationApp } from './registration-app.js';

const MAX = 8;
let t: RegistrationApp;
before(async () => { t = await startRegistrationApp({ merge: { maxReferences: MAX } }); });
after(async () => { await t.close(); });
beforeEach(() => { t.role = 'admin'; });

const ctx: RequestContext = { hospitalId: HOSPITAL, actor: 'test-setup', sourceIp: null, requestId: null, requestHash: null, baseUrl: 'http://localhost/fhir/R4' };

let uhidSeq = 0;
async function patient(extra: Record<string, unknown> = {}): Promise<FhirResource & { id: string }> {
  uhidSeq += 1;
  const r = await t.repo.create(ctx, {
    resourceType: 'Patient',
    identifier: [{ system: UHID_SYSTEM, value: `1999-0000-${String(uhidSeq).padStart(4, '0')}` }],
    name: [{ family: 'Sharma', given: ['Anita'] }], gender: 'female', birthDate: '1987-04-12',
    ...extra,
  });
  return r.resource as FhirResource & { id: string };
}

async function create(resource: Record<string, unknown>): Promise<FhirResource & { id: string }> {
  return (await t.repo.create(ctx, resource)).resource as FhirResource & { id: string };
}

const merge = (source: string, target: string, requestId: string = randomUUID()) =>
  t.request('POST', '/api/registration/merge', { source, target }, { 'x-request-id': requestId });

async function ledgerCount(): Promise<number> {
  const [row] = await t.database.admin.query<{ n: string }>('SELECT count(*) AS n FROM ledger_entry');
  return Number(row.n);
}

async function ids(type: string, patientRef: string): Promise<string[]> {
  const bundle = await t.repo.search(ctx, type, [['patient', patientRef], ['_count', '100']]);
  return ((bundle.entry ?? []) as Array<{ resource?: FhirResource; search?: { mode?: string } }>)
    .filter((e) => e.search?.mode === 'match').map((e) => String(e.resource?.id)).sort();
}

async function referencedSource() {
  const source = await patient({ telecom: [{ system: 'phone', value: '+919876543210', use: 'mobile' }], identifier: [
    { system: UHID_SYSTEM, value: `1999-1111-${String(++uhidSeq).padStart(4, '0')}` },
    { system: 'https://healthid.ndhm.gov.in', value: `12-3456-7890-${String(uhidSeq).padStart(4, '0')}` },
  ] });
  const target = await patient({ address: [{ city: 'New Delhi', postalCode: '110029' }] });
  const s = `Patient/${source.id}`;
  const encounters = [
    await create({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: s } }),
    await create({ resourceType: 'Encounter', status: 'in-progress', class: { code: 'IMP' }, subject: { reference: s } }),
  ];
  const observations = [
    await create({ resourceType: 'Observation', status: 'final', code: { text: 'Pulse' }, subject: { reference: s }, encounter: { reference: `Encounter/${encounters[0].id}` }, valueQuantity: { value: 72, unit: '/min' } }),
    await create({ resourceType: 'Observation', status: 'final', code: { text: 'Temp' }, subject: { reference: s, display: 'Anita' }, valueQuantity: { value: 37, unit: 'Cel' } }),
  ];
  const appointment = await create({ resourceType: 'Appointment', status: 'booked', start: '2026-01-05T10:00:00+05:30', end: '2026-01-05T10:15:00+05:30', participant: [{ actor: { reference: s }, status: 'accepted' }] });
  return { source, target, encounters, observations, appointment };
}

test('a merge: source inactive and replaced-by, target replaces and keeps the old UHID, references follow, one ledger entry, history kept', async () => {
  const { source, target, encounters, observations, appointment } = await referencedSource();
  const s = `Patient/${source.id}`;
  const tg = `Patient/${target.id}`;
  const sourceUhid = (source.identifier as Array<{ system: string; value: string }>).find((i) => i.system === UHID_SYSTEM)!.value;
  const targetUhid = (target.identifier as Array<{ system: string; value: string }>).find((i) => i.system === UHID_SYSTEM)!.value;
  const before = await ledgerCount();

  const res = await merge(s, tg);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(await ledgerCount(), before + 1, 'the merge is exactly one ledger entry');
  assert.equal(res.body.written.length, 7, 'two patients, two encounters, two observations, one appointment');
  assert.deepEqual(new Set(t.lastAccess?.patients), new Set([s, tg]), 'the audit trail names both patients');

  const src = await t.repo.read(ctx, 'Patient', source.id);
  assert.equal(src.active, false);
  assert.deepEqual(src.link, [{ other: { reference: tg }, type: 'replaced-by' }]);
  assert.deepEqual(src.name, source.name, 'the source keeps its data');

  const tgt = await t.repo.read(ctx, 'Patient', target.id) as any;
  assert.deepEqual(tgt.link, [{ other: { reference: s }, type: 'replaces' }]);
  const uhids = tgt.identifier.filter((i: any) => i.system === UHID_SYSTEM);
  assert.equal(uhids.find((i: any) => i.use !== 'old').value, targetUhid, 'the target keeps its UHID');
  assert.equal(uhids.find((i: any) => i.use === 'old').value, sourceUhid, "the source's UHID is kept as old");
  assert.ok(tgt.identifier.some((i: any) => i.system === 'https://healthid.ndhm.gov.in'), 'takes over the ABHA it lacked');
  assert.deepEqual(tgt.telecom, source.telecom, 'takes over the phone it lacked');
  assert.deepEqual(tgt.address, target.address, 'keeps its address');

  assert.deepEqual(await ids('Encounter', tg), encounters.map((e) => e.id).sort());
  assert.deepEqual(await ids('Observation', tg), observations.map((e) => e.id).sort());
  assert.deepEqual(await ids('Appointment', tg), [appointment.id]);
  for (const type of ['Encounter', 'Observation', 'Appointment']) assert.deepEqual(await ids(type, s), [], `no ${type} points at the source`);
  const obs = await t.repo.read(ctx, 'Observation', observations[1].id) as any;
  assert.deepEqual(obs.subject, { reference: tg, display: 'Anita' }, 'only the reference changes');
  assert.equal(obs.meta.versionId, '2');

  // History: every earlier version is still there.
  for (const r of [source, target, ...encounters, ...observations, appointment]) {
    const v1 = await versionText(t.repo.db, HOSPITAL, r.resourceType, r.id, 1);
    assert.ok(v1, `${r.resourceType}/${r.id} version 1 is readable`);
    const [row] = await t.database.admin.query<{ n: string }>(
      'SELECT count(*) AS n FROM resource_version WHERE hospital_id = $1 AND resource_type = $2 AND id = $3', [HOSPITAL, r.resourceType, r.id]);
    assert.equal(Number(row.n), 2, `${r.resourceType}/${r.id} has both versions`);
  }
  const old = await t.request('GET', `/fhir/R4/Patient/${source.id}/_history/1`);
  assert.equal(old.body.active, undefined);
  assert.equal(old.body.link, undefined);

  // The duplicates search no longer offers the merged-away record.
  const found = await findCandidates(t.repo, ctx, { name: 'Anita Sharma', sex: 'female', birthDate: '1987-04-12' } as any, 50);
  assert.ok(!found.some((m) => m.patient.id === source.id), 'the merged source is not a candidate');
  assert.ok(found.some((m) => m.patient.id === target.id));
});

test('a retried X-Request-Id answers the same and writes nothing twice', async () => {
  const { source, target } = await referencedSource();
  const id = randomUUID();
  const before = await ledgerCount();
  const first = await merge(`Patient/${source.id}`, `Patient/${target.id}`, id);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const again = await merge(`Patient/${source.id}`, `Patient/${target.id}`, id);
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.deepEqual(again.body, first.body);
  assert.equal(await ledgerCount(), before + 1);
  const other = await merge(`Patient/${target.id}`, `Patient/${source.id}`, id);
  assert.equal(other.status, 422, 'the same id for a different merge is refused');
  assert.equal(await ledgerCount(), before + 1);
});

test('refusals name the field and write nothing', async () => {
  const a = await patient();
  const b = await patient();
  const before = await ledgerCount();
  let res = await merge(`Patient/${a.id}`, `Patient/${a.id}`);
  assert.equal(res.status, 400);
  assert.deepEqual(fieldsNamed(res.body), ['target']);
  res = await t.request('POST', '/api/registration/merge', { source: 'Encounter/1', target: `Patient/${a.id}` }, { 'x-request-id': randomUUID() });
  assert.equal(res.status, 400);
  assert.deepEqual(fieldsNamed(res.body), ['source']);
  res = await merge('Patient/no-such-patient', `Patient/${a.id}`);
  assert.equal(res.status, 404);
  assert.deepEqual(fieldsNamed(res.body), ['source']);
  res = await merge(`Patient/${a.id}`, 'Patient/no-such-patient');
  assert.equal(res.status, 404);
  assert.deepEqual(fieldsNamed(res.body), ['target']);
  res = await t.request('POST', '/api/registration/merge', { source: `Patient/${a.id}`, target: `Patient/${b.id}` });
  assert.equal(res.status, 400, 'X-Request-Id is required');
  assert.equal(await ledgerCount(), before);

  // Already merged source; a target that was itself replaced.
  const c = await patient();
  assert.equal((await merge(`Patient/${a.id}`, `Patient/${b.id}`)).status, 200);
  const mid = await ledgerCount();
  res = await merge(`Patient/${a.id}`, `Patient/${c.id}`);
  assert.equal(res.status, 409);
  assert.deepEqual(fieldsNamed(res.body), ['source']);
  assert.match(res.body.issue[0].diagnostics, /already merged/);
  res = await merge(`Patient/${c.id}`, `Patient/${a.id}`);
  assert.equal(res.status, 409);
  assert.deepEqual(fieldsNamed(res.body), ['target']);
  assert.equal(await ledgerCount(), mid);
});

test('more references than a merge may rewrite is refused, saying so', async () => {
  const source = await patient();
  const target = await patient();
  await t.repo.bundle(ctx, { resourceType: 'Bundle', type: 'transaction', entry: Array.from({ length: MAX + 1 }, () => ({
    resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${source.id}` } },
    request: { method: 'POST', url: 'Observation' },
  })) });
  const before = await ledgerCount();
  const res = await merge(`Patient/${source.id}`, `Patient/${target.id}`);
  assert.equal(res.status, 422);
  assert.deepEqual(fieldsNamed(res.body), ['source']);
  assert.match(res.body.issue[0].diagnostics, new RegExp(`more than ${MAX}`));
  assert.equal(await ledgerCount(), before);
});

test('only an admin merges', async () => {
  const a = await patient();
  const b = await patient();
  const before = await ledgerCount();
  for (const role of ['registration-clerk', 'doctor', 'nurse'] as const) {
    t.role = role;
    const res = await merge(`Patient/${a.id}`, `Patient/${b.id}`);
    assert.equal(res.status, 403, `${role}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.resourceType, 'OperationOutcome');
  }
  assert.equal(await ledgerCount(), before);
});

test('a change made while the merge was prepared fails it cleanly with 409, writing nothing', async () => {
  const { source, target, encounters } = await referencedSource();
  // A repository whose Encounter search is followed by someone else's update of that Encounter.
  let changed = false;
  const racing = new Proxy(t.repo, {
    get(repo, key, receiver) {
      if (key !== 'search') return Reflect.get(repo, key, receiver);
      return async (c: RequestContext, type: string, params: Array<[string, string]>) => {
        const result = await repo.search(c, type, params);
        if (type === 'Encounter' && !changed) {
          changed = true;
          const current = await repo.read(ctx, 'Encounter', encounters[0].id);
          const { meta: _m, ...body } = current;
          await repo.update(ctx, 'Encounter', encounters[0].id, { ...body, status: 'cancelled' });
        }
        return result;
      };
    },
  }) as FhirRepository;
  const before = await ledgerCount();
  await assert.rejects(
    mergePatients(racing, { ...ctx, requestId: randomUUID(), requestHash: 'x' }, { source: source.id, target: target.id }),
    (err: any) => err.status === 409 && /retry/.test(JSON.stringify(err.outcome)),
  );
  assert.ok(changed);
  assert.equal(await ledgerCount(), before + 1, 'only the concurrent update was written');
  const src = await t.repo.read(ctx, 'Patient', source.id);
  assert.equal(src.active, undefined, 'the source was not merged');
});
