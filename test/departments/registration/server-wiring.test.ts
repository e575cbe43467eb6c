/**
 * The registration desk through the whole server (src/server.ts wiring): register a patient, get the
 * duplicate warning for a near-identical second one, print the slip — with the same auth, permission
 * table and audit trail as every other route.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { issueApiToken } from '../../../src/security/api-tokens.js';
import { startTestServer, type TestServer } from '../../support/server.js';

let server: TestServer;
let clerk: string;
before(async () => {
  server = await startTestServer();
  clerk = await issueApiToken(server.server.store.app, server.server.hospitalId, { name: 'desk-1', role: 'registration-clerk' });
});
after(async () => server?.close());

const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.server.url}/api/registration${path}`, {
    method, headers: { authorization: `Bearer ${clerk}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', bytes: Buffer.from(await res.arrayBuffer()) };
};

test('register, see the duplicate warning, print the slip, all through the server', async () => {
  const form = { name: { given: 'Sunita', family: 'Sharma' }, sex: 'female', birthDate: '1984-03-12', phone: '9876543210' };
  const created = await api('POST', '/patients', form, { 'x-request-id': 'wiring-1' });
  assert.equal(created.status, 201, created.bytes.toString());
  const patient = JSON.parse(created.bytes.toString());
  const uhid = patient.identifier.find((i: { system: string }) => i.system === 'https://nirantar.health/uhid').value;

  const dup = await api('GET', '/duplicates?name=Suneeta%20Sharma&sex=female&birthDate=1984-03-12');
  assert.equal(dup.status, 200);
  const candidates = JSON.parse(dup.bytes.toString()).candidates;
  assert.equal(candidates[0].id, patient.id);

  const slip = await api('GET', `/patients/${patient.id}/slip.pdf`);
  assert.equal(slip.status, 200);
  assert.match(slip.type, /^application\/pdf/);
  assert.equal(slip.bytes.subarray(0, 5).toString(), '%PDF-');
  assert.ok(uhid.length >= 12);

  // A ward nurse whose ward this patient is not on gets no slip; the clerk's accesses were audited.
  const nurse = await issueApiToken(server.server.store.app, server.server.hospitalId, { name: 'ward-nurse', role: 'nurse', ward: 'ward-z' });
  const refused = await fetch(`${server.server.url}/api/registration/patients/${patient.id}/slip.pdf`, { headers: { authorization: `Bearer ${nurse}` } });
  assert.equal(refused.status, 403);
  // An admin merges a duplicate into the patient: through the server, one ledger entry, audited.
  const second = await api('POST', '/patients', { ...form, name: { given: 'Suneeta', family: 'Sharma' } }, { 'x-request-id': 'wiring-2' });
  assert.equal(second.status, 201);
  const duplicate = JSON.parse(second.bytes.toString());
  const admin = await issueApiToken(server.server.store.app, server.server.hospitalId, { name: 'admin-1', role: 'admin' });
  const merged = await fetch(`${server.server.url}/api/registration/merge`, {
    method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'x-request-id': 'merge-1' },
    body: JSON.stringify({ source: `Patient/${duplicate.id}`, target: `Patient/${patient.id}` }),
  });
  assert.equal(merged.status, 200, await merged.clone().text());
  const source = await server.request('GET', `/Patient/${duplicate.id}`);
  assert.equal(source.body.active, false);
  assert.deepEqual(source.body.link, [{ other: { reference: `Patient/${patient.id}` }, type: 'replaced-by' }]);

  await server.server.auditTrail!.flush();
  const events = await server.request('GET', `/AuditEvent?agent-name=token:desk-1&patient=Patient/${patient.id}`);
  assert.ok(events.body.entry.length >= 2, 'registration and slip are in the trail');
});
