/**
 * Audit completeness through the whole server: a few hundred random API calls by several users,
 * from several source addresses, allowed and refused, reads, searches and writes. Afterwards the
 * AuditEvents (searched through the FHIR API, as an auditor would) must be exactly one per call,
 * each with the right user, role, source address, outcome and patients: for a search, the patients
 * it returned. Nothing else, nothing missing.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { EXTENSION } from '../../src/audit/audit-codes.js';
import { issueApiToken } from '../../src/security/api-tokens.js';
import type { Role } from '../../src/security/principal.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
const PATIENTS = ['pa', 'pb', 'pc', 'pd', 'pe'];
const USERS: Array<{ name: string; role: Exclude<Role, 'bootstrap'>; address: string; token?: string }> = [
  { name: 'clerk', role: 'registration-clerk', address: '127.0.0.2' },
  { name: 'pathologist', role: 'pathologist', address: '127.0.0.3' },
  { name: 'billing', role: 'billing-clerk', address: '127.0.0.4' },
];

before(async () => {
  server = await startTestServer({ bulkReadLimits: { 'registration-clerk': null, 'billing-clerk': null, pathologist: null } });
  for (const id of PATIENTS) {
    await server.request('PUT', `/Patient/${id}`, { resourceType: 'Patient', id, gender: 'other', birthDate: '1990-05-05' });
    await server.request('PUT', `/Observation/obs-${id}`, {
      resourceType: 'Observation', id: `obs-${id}`, status: 'final', code: { text: 'Haemoglobin' }, subject: { reference: `Patient/${id}` },
    });
  }
  for (const user of USERS) user.token = await issueApiToken(server.server.store.app, server.server.hospitalId, { name: user.name, role: user.role });
});
after(async () => server?.close());

/** An HTTP request from a chosen local address (the loopback network is all 127/8). */
function call(user: (typeof USERS)[number], method: string, path: string, requestId: string, body?: unknown): Promise<{ status: number; body: any }> {
  const url = new URL(`${server.base}${path}`);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress: user.address,
      headers: {
        authorization: `Bearer ${user.token}`, 'x-request-id': requestId, 'user-agent': `audit-test/${user.name}`,
        ...(body ? { 'content-type': 'application/fhir+json' } : {}),
      },
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** A small deterministic random source, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

test('N random calls by several users give exactly the right AuditEvents', { timeout: 120_000 }, async () => {
  const rnd = random(20261126);
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  const expected = new Map<string, { principal: string; role: string; address: string; status: number; patients: string[] }>();
  const N = 300;
  for (let i = 0; i < N; i++) {
    const user = pick(USERS);
    const id = `call-${i}`;
    const p = pick(PATIENTS);
    const kind = pick(['read-patient', 'search-patients', 'read-observation', 'search-observations', 'create-patient', 'read-missing']);
    let answer: { status: number; body: any };
    let patients: string[] = []; // a read of a missing patient names none
    if (kind === 'read-patient') {
      answer = await call(user, 'GET', `/Patient/${p}`, id);
      patients = [`Patient/${p}`];
    } else if (kind === 'search-patients') {
      const q = pick(PATIENTS);
      answer = await call(user, 'GET', `/Patient?_id=${p},${q}`, id);
      patients = [...new Set([p, q])].map((x) => `Patient/${x}`);
    } else if (kind === 'read-observation') {
      answer = await call(user, 'GET', `/Observation/obs-${p}`, id);
      patients = [`Patient/${p}`];
    } else if (kind === 'search-observations') {
      answer = await call(user, 'GET', `/Observation?subject=Patient/${p}`, id);
      patients = [`Patient/${p}`];
    } else if (kind === 'create-patient') {
      answer = await call(user, 'POST', '/Patient', id, { resourceType: 'Patient', gender: 'female' });
      patients = answer.status === 201 ? [`Patient/${answer.body.id}`] : [];
    } else {
      answer = await call(user, 'GET', `/Patient/missing-${i}`, id);
    }
    // What a refused request names: nothing, whatever it asked for.
    if (answer.status >= 400) patients = [];
    expected.set(id, { principal: `token:${user.name}`, role: user.role, address: user.address, status: answer.status, patients: patients.sort() });
  }
  const statuses = new Set([...expected.values()].map((e) => e.status));
  assert.ok(statuses.has(200) && statuses.has(201) && statuses.has(403) && statuses.has(404), `a mix of outcomes: ${[...statuses]}`);

  await server.server.auditTrail!.flush();
  const events: any[] = [];
  for (const user of USERS) {
    let next: string | undefined = `/AuditEvent?agent-name=token:${user.name}&_count=1000`;
    while (next) {
      const page = await server.request('GET', next.replace(server.base, ''));
      assert.equal(page.status, 200);
      events.push(...(page.body.entry ?? []).map((e: any) => e.resource));
      next = page.body.link?.find((l: any) => l.relation === 'next')?.url;
    }
  }
  const byClientId = new Map<string, any>();
  for (const event of events) {
    const clientId = event.extension?.find((x: any) => x.url === EXTENSION.clientRequestId)?.valueString
      ?? event.source?.extension?.find((x: any) => x.url === EXTENSION.clientRequestId)?.valueString
      ?? JSON.stringify(event).match(/"(call-\d+)"/)?.[1];
    assert.ok(clientId, 'every event names the request');
    assert.ok(!byClientId.has(clientId), `one event per call (${clientId} twice)`);
    byClientId.set(clientId, event);
  }
  assert.equal(events.length, N);
  for (const [id, want] of expected) {
    const event = byClientId.get(id);
    assert.ok(event, `an AuditEvent for ${id}`);
    const agent = event.agent[0];
    const text = JSON.stringify(agent);
    assert.ok(text.includes(want.principal), `${id}: principal`);
    assert.ok(text.includes(want.role), `${id}: role`);
    assert.equal(agent.network?.address, want.address, `${id}: source address`);
    assert.equal(event.outcome, want.status < 400 ? '0' : want.status < 500 ? '4' : '8', `${id}: outcome`);
    const patients = (event.entity ?? []).filter((e: any) => e.role?.code === '1').map((e: any) => e.what.reference).sort();
    assert.deepEqual(patients, want.patients, `${id}: patients`);
  }
  console.log(`audit completeness: ${N} calls by ${USERS.length} users from ${USERS.length} addresses → ${events.length} AuditEvents, each matched`);
});
