import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../support/server.js';

describe('batch and transaction Bundles, conditional writes, idempotency', () => {
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(async () => t?.close());

  test('a transaction rewrites urn:uuid references and writes everything at once', async () => {
    const patientUrn = 'urn:uuid:2b1f7c4e-8d9a-4c57-9f0e-3a2b1c0d9e8f';
    const res = await t.request('POST', '/', {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:5e3c1a2b-0f9d-4e8c-b7a6-9d8c7b6a5f4e', resource: { resourceType: 'Encounter', status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: patientUrn } }, request: { method: 'POST', url: 'Encounter' } },
        { fullUrl: patientUrn, resource: { resourceType: 'Patient', name: [{ family: 'Chatterjee' }] }, request: { method: 'POST', url: 'Patient' } },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.type, 'transaction-response');
    const [enc, pat] = res.body.entry;
    assert.equal(enc.response.status, '201 Created');
    assert.equal(enc.resource.subject.reference, `Patient/${pat.resource.id}`);
    const read = await t.request('GET', `/Encounter/${enc.resource.id}`);
    assert.equal(read.body.subject.reference, `Patient/${pat.resource.id}`);
  });

  test('a batch answers each entry on its own: good ones are written, bad ones get an OperationOutcome', async () => {
    const res = await t.request('POST', '/', {
      resourceType: 'Bundle', type: 'batch',
      entry: [
        { resource: { resourceType: 'Patient', name: [{ family: 'Batchgood' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', gender: 'bogus' }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
      ],
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.entry[0].response.status, '201 Created');
    assert.equal(res.body.entry[1].response.status, '400');
    assert.equal(res.body.entry[1].response.outcome.resourceType, 'OperationOutcome');
    assert.equal(res.body.entry[2].response.status, '404');
    assert.equal((await t.request('GET', `/Patient/${res.body.entry[0].resource.id}`)).status, 200);
  });

  test('conditional create (If-None-Exist) finds the existing resource instead of duplicating it', async () => {
    const identifier = [{ system: 'https://nirantar.health/uhid', value: 'UH-COND-1' }];
    const first = await t.request('POST', '/Patient', { resourceType: 'Patient', identifier }, { 'if-none-exist': 'identifier=https://nirantar.health/uhid|UH-COND-1' });
    assert.equal(first.status, 201);
    const second = await t.request('POST', '/Patient', { resourceType: 'Patient', identifier }, { 'if-none-exist': 'identifier=https://nirantar.health/uhid|UH-COND-1' });
    assert.equal(second.status, 200);
    assert.equal(second.body.id, first.body.id);
  });

  test('conditional update creates when nothing matches, updates the one match', async () => {
    const body = { resourceType: 'Practitioner', identifier: [{ system: 'https://nirantar.health/staff', value: 'S-77' }], name: [{ family: 'Menon' }] };
    const created = await t.request('PUT', '/Practitioner?identifier=https://nirantar.health/staff|S-77', body);
    assert.equal(created.status, 201);
    const updated = await t.request('PUT', '/Practitioner?identifier=https://nirantar.health/staff|S-77', { ...body, active: true });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.id, created.body.id);
    assert.equal(updated.body.meta.versionId, '2');
  });

  test('X-Request-Id: a replayed write returns the first result and writes nothing', async () => {
    const body = { resourceType: 'Patient', name: [{ family: 'Idempotent' }] };
    const first = await t.request('POST', '/Patient', body, { 'x-request-id': 'desk-7:0001' });
    const again = await t.request('POST', '/Patient', body, { 'x-request-id': 'desk-7:0001' });
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    const search = await t.request('GET', '/Patient?family=Idempotent');
    assert.equal(search.body.entry.filter((e: any) => e.search.mode === 'match').length, 1);
    // The same for a transaction, and for two copies sent at once.
    const tx = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient', name: [{ family: 'Twice' }] }, request: { method: 'POST', url: 'Patient' } }] };
    const [a, b] = await Promise.all([
      t.request('POST', '/', tx, { 'x-request-id': 'desk-7:0002' }),
      t.request('POST', '/', tx, { 'x-request-id': 'desk-7:0002' }),
    ]);
    assert.equal(a.status, 200);
    assert.equal(a.body.entry[0].resource.id, b.body.entry[0].resource.id);
    const twice = await t.request('GET', '/Patient?family=Twice');
    assert.equal(twice.body.entry.filter((e: any) => e.search.mode === 'match').length, 1);
    // A double-clicked create: ten copies at once, one patient, every answer the same, no stray index rows.
    const clicks = await Promise.all(Array.from({ length: 10 }, () =>
      t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Doubleclick' }] }, { 'x-request-id': 'desk-7:0003' })));
    assert.ok(clicks.every((c) => c.status === 201 && c.body.id === clicks[0].body.id));
    const found = await t.request('GET', '/Patient?family=Doubleclick');
    assert.deepEqual(found.body.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource.id), [clicks[0].body.id]);
    const [{ count }] = await t.server.store.admin.query(
      "SELECT count(DISTINCT resource_id)::int AS count FROM search_index WHERE code = 'family' AND value = 'doubleclick'");
    assert.equal(count, 1);
  });
});
