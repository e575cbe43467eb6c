import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../support/server.js';

const patient = { resourceType: 'Patient', name: [{ family: 'Verma', given: ['Kavita'] }], gender: 'female', birthDate: '1984-03-12' };

describe('FHIR REST: create, read, vread, update, patch, delete, history', () => {
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(async () => t?.close());

  test('create returns 201 with Location, ETag and the stored resource; read returns it', async () => {
    const created = await t.request('POST', '/Patient', patient);
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^[0-9a-f-]{36}$/);
    assert.equal(created.body.meta.versionId, '1');
    assert.equal(created.headers.get('etag'), 'W/"1"');
    assert.equal(created.headers.get('location'), `${t.base}/Patient/${created.body.id}/_history/1`);
    const read = await t.request('GET', `/Patient/${created.body.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, created.body);
    assert.match(read.headers.get('content-type') ?? '', /application\/fhir\+json/);
  });

  test('update with If-Match: the current version wins, a stale one gets 412', async () => {
    const { body: p } = await t.request('POST', '/Patient', patient);
    const v2 = await t.request('PUT', `/Patient/${p.id}`, { ...p, gender: 'other' }, { 'if-match': 'W/"1"' });
    assert.equal(v2.status, 200);
    assert.equal(v2.body.meta.versionId, '2');
    const stale = await t.request('PUT', `/Patient/${p.id}`, { ...p, gender: 'male' }, { 'if-match': 'W/"1"' });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.resourceType, 'OperationOutcome');
    assert.equal((await t.request('GET', `/Patient/${p.id}`)).body.gender, 'other');
  });

  test('update-as-create with a client-chosen id returns 201; an identical PUT writes no new version', async () => {
    const res = await t.request('PUT', '/Patient/client-chosen-1', { ...patient, id: 'client-chosen-1' });
    assert.equal(res.status, 201);
    const again = await t.request('PUT', '/Patient/client-chosen-1', { ...patient, id: 'client-chosen-1' });
    assert.equal(again.status, 200);
    assert.equal(again.body.meta.versionId, '1');
  });

  test('vread returns each version; history lists them newest first', async () => {
    const { body: p } = await t.request('POST', '/Patient', patient);
    await t.request('PUT', `/Patient/${p.id}`, { ...p, birthDate: '1984-03-13' });
    const v1 = await t.request('GET', `/Patient/${p.id}/_history/1`);
    assert.equal(v1.body.birthDate, '1984-03-12');
    const v2 = await t.request('GET', `/Patient/${p.id}/_history/2`);
    assert.equal(v2.body.birthDate, '1984-03-13');
    assert.equal((await t.request('GET', `/Patient/${p.id}/_history/3`)).status, 404);
    const h = await t.request('GET', `/Patient/${p.id}/_history`);
    assert.equal(h.body.type, 'history');
    assert.deepEqual(h.body.entry.map((e: any) => e.resource.meta.versionId), ['2', '1']);
    assert.deepEqual(h.body.entry.map((e: any) => e.request.method), ['PUT', 'POST']);
  });

  test('patch applies a JSON Patch and makes a new version; a failing test op is 422', async () => {
    const { body: p } = await t.request('POST', '/Patient', patient);
    const ops = [{ op: 'replace', path: '/birthDate', value: '1985-01-01' }];
    const res = await fetch(`${t.base}/Patient/${p.id}`, {
      method: 'PATCH', body: JSON.stringify(ops),
      headers: { authorization: 'Bearer test-bootstrap-token-0123456789', 'content-type': 'application/json-patch+json' },
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.birthDate, '1985-01-01');
    assert.equal(body.meta.versionId, '2');
    const bad = await fetch(`${t.base}/Patient/${p.id}`, {
      method: 'PATCH', body: JSON.stringify([{ op: 'test', path: '/gender', value: 'male' }]),
      headers: { authorization: 'Bearer test-bootstrap-token-0123456789', 'content-type': 'application/json-patch+json' },
    });
    assert.equal(bad.status, 422);
    const badValue = await fetch(`${t.base}/Patient/${p.id}`, {
      method: 'PATCH', body: JSON.stringify([{ op: 'replace', path: '/birthDate', value: 'not-a-date' }]),
      headers: { authorization: 'Bearer test-bootstrap-token-0123456789', 'content-type': 'application/json-patch+json' },
    });
    assert.equal(badValue.status, 400);
    assert.deepEqual((await badValue.json()).issue[0].expression, ['Patient.birthDate']);
  });

  test('delete leaves a tombstone: read is 410, history keeps every version', async () => {
    const { body: p } = await t.request('POST', '/Patient', patient);
    assert.equal((await t.request('DELETE', `/Patient/${p.id}`)).status, 204);
    assert.equal((await t.request('GET', `/Patient/${p.id}`)).status, 410);
    assert.equal((await t.request('DELETE', `/Patient/${p.id}`)).status, 204);
    const h = await t.request('GET', `/Patient/${p.id}/_history`);
    assert.equal(h.body.entry.length, 2);
    assert.equal(h.body.entry[0].request.method, 'DELETE');
    assert.equal((await t.request('GET', `/Patient/${p.id}/_history/1`)).status, 200);
    assert.equal((await t.request('DELETE', '/Patient/never-existed')).status, 404);
  });

  test('type and system history, with _since and _count paging', async () => {
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const a = await t.request('POST', '/Practitioner', { resourceType: 'Practitioner', name: [{ family: 'Rao' }] });
    const b = await t.request('POST', '/Practitioner', { resourceType: 'Practitioner', name: [{ family: 'Iyer' }] });
    const typeHistory = await t.request('GET', `/Practitioner/_history?_since=${encodeURIComponent(before)}`);
    assert.deepEqual(typeHistory.body.entry.map((e: any) => e.resource.id), [b.body.id, a.body.id]);
    const paged = await t.request('GET', `/_history?_since=${encodeURIComponent(before)}&_count=1`);
    assert.equal(paged.body.entry.length, 1);
    assert.ok(paged.body.link.some((l: any) => l.relation === 'next'));
    assert.equal((await t.request('GET', '/_history?_since=yesterday')).status, 400);
  });

  test('metadata is a CapabilityStatement naming the supported types and search parameters', async () => {
    const res = await t.request('GET', '/metadata');
    assert.equal(res.body.resourceType, 'CapabilityStatement');
    assert.equal(res.body.fhirVersion, '4.0.1');
    const patientCap = res.body.rest[0].resource.find((r: any) => r.type === 'Patient');
    assert.ok(patientCap.searchParam.some((s: any) => s.name === 'name' && s.type === 'string'));
    assert.ok(!patientCap.searchParam.some((s: any) => s.name === '_text'));
  });

  test('no open endpoint: no token or a wrong token is 401', async () => {
    assert.equal((await fetch(`${t.base}/Patient`)).status, 401);
    assert.equal((await fetch(`${t.base}/metadata`)).status, 401);
    const wrong = await fetch(`${t.base}/Patient`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.json()).resourceType, 'OperationOutcome');
  });
});
