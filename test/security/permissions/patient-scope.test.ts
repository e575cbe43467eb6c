/**
 * Ward and department scopes over real HTTP: a ward nurse sees her ward's inpatients and nobody
 * else's, by read, search, _include or Bundle; a ward clerk's admission brings a patient into the
 * ward; a doctor sees the department's patients; break-glass opens one record, flagged, with the
 * reason in the access record; every refusal names the scope and never the data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AccessRecord } from '../../../src/audit/access-record.js';
import { issueApiToken } from '../../../src/security/api-tokens.js';
import type { Role } from '../../../src/security/principal.js';
import { startTestServer, type TestServer } from '../../support/server.js';

let server: TestServer;
const records: AccessRecord[] = [];
const token: Record<string, string> = {};

const as = (who: string, headers: Record<string, string> = {}) => ({ authorization: `Bearer ${token[who]}`, ...headers });
const put = async (resource: { resourceType: string; id: string; [k: string]: unknown }) => {
  const answer = await server.request('PUT', `/${resource.resourceType}/${resource.id}`, resource);
  assert.ok(answer.status === 201 || answer.status === 200, `seed ${resource.resourceType}/${resource.id}: ${answer.status}`);
};
const stay = (id: string, patient: string, location: string, department: string) => ({
  resourceType: 'Encounter', id, status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
  subject: { reference: `Patient/${patient}` }, serviceProvider: { reference: `Organization/${department}` },
  location: [{ location: { reference: `Location/${location}` }, status: 'active' }],
});
const observation = (id: string, patient: string) => ({
  resourceType: 'Observation', id, status: 'final', code: { text: 'Pulse rate' }, subject: { reference: `Patient/${patient}` },
  valueQuantity: { value: 80, unit: '/min' },
});
/** The access record of the last request whose path ends with `path` (the sink gets it just after the answer). */
async function lastRecord(path: string): Promise<AccessRecord> {
  for (let i = 0; i < 50; i++) {
    const found = [...records].reverse().find((r) => r.path.endsWith(path));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no access record for ${path}`);
}

before(async () => {
  server = await startTestServer({ accessSinks: [{ record: (r) => records.push(r) }] });
  for (const org of ['dept-medicine', 'dept-surgery']) await put({ resourceType: 'Organization', id: org, name: org });
  await put({ resourceType: 'Location', id: 'ward-a', name: 'Ward A' });
  await put({ resourceType: 'Location', id: 'bed-a1', name: 'A-01', partOf: { reference: 'Location/ward-a' } });
  await put({ resourceType: 'Location', id: 'ward-b', name: 'Ward B' });
  for (const p of ['p-a', 'p-b', 'p-c']) await put({ resourceType: 'Patient', id: p, gender: 'female', birthDate: '1980-01-01' });
  await put(stay('stay-a', 'p-a', 'bed-a1', 'dept-medicine'));
  await put(stay('stay-b', 'p-b', 'ward-b', 'dept-surgery'));
  await put(observation('obs-a', 'p-a'));
  await put(observation('obs-b', 'p-b'));
  const issue = (name: string, role: Exclude<Role, 'bootstrap'>, scope: { ward?: string; department?: string } = {}) =>
    issueApiToken(server.server.store.app, server.server.hospitalId, { name, role, ...scope }).then((t) => { token[name] = t; });
  await issue('nurse-a', 'nurse', { ward: 'ward-a' });
  await issue('nurse-none', 'nurse');
  await issue('clerk-a', 'ward-clerk', { ward: 'ward-a' });
  await issue('doctor-med', 'doctor', { department: 'dept-medicine' });
  await issue('registration', 'registration-clerk');
});
after(async () => server?.close());

describe('a ward nurse', () => {
  test('reads her ward inpatient and their observations; another ward\'s patient is refused with the way out', async () => {
    assert.equal((await server.request('GET', '/Patient/p-a', undefined, as('nurse-a'))).status, 200);
    assert.equal((await server.request('GET', '/Observation/obs-a', undefined, as('nurse-a'))).status, 200);
    for (const path of ['/Patient/p-b', '/Observation/obs-b', '/Observation/obs-b/_history/1', '/Observation/obs-b/_history']) {
      const refused = await server.request('GET', path, undefined, as('nurse-a'));
      assert.equal(refused.status, 403, path);
      assert.match(refused.body.issue[0].diagnostics, /about a patient outside your ward.*X-Break-Glass-Reason/);
      assert.doesNotMatch(JSON.stringify(refused.body), /Pulse|1980/);
    }
    const record = await lastRecord('/Patient/p-b');
    assert.equal(record.outcome, '4');
    assert.equal(record.status, 403);
    assert.equal(record.principal, 'token:nurse-a');
    assert.equal(record.role, 'nurse');
  });

  test('a search returns only her ward\'s patients, says how many were withheld, and includes nothing else', async () => {
    const answer = await server.request('GET', '/Observation?_include=Observation:subject', undefined, as('nurse-a'));
    assert.equal(answer.status, 200);
    const ids = answer.body.entry.filter((e: any) => e.resource.resourceType !== 'OperationOutcome').map((e: any) => `${e.resource.resourceType}/${e.resource.id}`).sort();
    assert.deepEqual(ids, ['Observation/obs-a', 'Patient/p-a']);
    const outcome = answer.body.entry.find((e: any) => e.resource.resourceType === 'OperationOutcome');
    // obs-b and, by _include, its patient p-b
    assert.match(outcome.resource.issue[0].diagnostics, /^2 entries about patients outside your ward were withheld/);
    assert.equal(answer.body.total, undefined);
    const record = await lastRecord('/Observation');
    assert.deepEqual(record.patients, ['Patient/p-a']);
    assert.equal(record.interaction, 'search');
    assert.equal(record.query, '_include=Observation:subject');
  });

  test('break-glass opens the record, flagged with the reason; a reason too short is refused', async () => {
    const reason = encodeURIComponent('Cardiac arrest call in the corridor, patient from Ward B');
    const opened = await server.request('GET', '/Patient/p-b', undefined, as('nurse-a', { 'x-break-glass-reason': reason }));
    assert.equal(opened.status, 200);
    const record = await lastRecord('/Patient/p-b');
    assert.equal(record.purpose, 'BTG');
    assert.equal(record.breakGlassReason, 'Cardiac arrest call in the corridor, patient from Ward B');
    assert.deepEqual(record.patients, ['Patient/p-b']);
    assert.equal(record.outcome, '0');
    const short = await server.request('GET', '/Patient/p-b', undefined, as('nurse-a', { 'x-break-glass-reason': 'urgent' }));
    assert.equal(short.status, 400);
    assert.deepEqual(short.body.issue[0].expression, ['X-Break-Glass-Reason']);
  });

  test('writes about another ward\'s patient are refused, and so is moving a record to hers', async () => {
    assert.equal((await server.request('POST', '/Observation', observation('x', 'p-b'), as('nurse-a'))).status, 403);
    const moved = { ...observation('obs-b', 'p-a') };
    assert.equal((await server.request('PUT', '/Observation/obs-b', moved, as('nurse-a'))).status, 403);
    assert.equal((await server.request('DELETE', '/Observation/obs-b', undefined, as('nurse-a'))).status, 403);
    const created = await server.request('POST', '/Observation', { ...observation('x', 'p-a'), id: undefined }, as('nurse-a'));
    assert.equal(created.status, 201);
    const stored = await server.request('GET', '/Observation/obs-b');
    assert.equal(stored.body.subject.reference, 'Patient/p-b');
  });

  test('a Bundle is checked entry by entry; reads inside a Bundle are not for a scoped role', async () => {
    const write = await server.request('POST', '', {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { resource: { ...observation('t1', 'p-a'), id: undefined }, request: { method: 'POST', url: 'Observation' } },
        { resource: { ...observation('t2', 'p-b'), id: undefined }, request: { method: 'POST', url: 'Observation' } },
      ],
    }, as('nurse-a'));
    assert.equal(write.status, 403);
    assert.match(write.body.issue[0].diagnostics, /outside your ward/);
    const read = await server.request('POST', '', { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Patient?_count=5' } }] }, as('nurse-a'));
    assert.equal(read.status, 403);
    assert.match(read.body.issue[0].diagnostics, /Bundle.entry\[0\]: reads inside a Bundle/);
  });

  test('a nurse whose account has no ward sees no patient', async () => {
    const refused = await server.request('GET', '/Patient/p-a', undefined, as('nurse-none'));
    assert.equal(refused.status, 403);
    assert.match(refused.body.issue[0].diagnostics, /your account has none set/);
    assert.equal((await server.request('GET', '/Location/ward-a', undefined, as('nurse-none'))).status, 200);
  });
});

test('a ward clerk admitting a patient to the ward brings the patient into the ward', async () => {
  assert.equal((await server.request('GET', '/Patient/p-c', undefined, as('clerk-a'))).status, 403);
  const { id: _id, ...admission } = stay('stay-c', 'p-c', 'bed-a1', 'dept-medicine');
  assert.equal((await server.request('POST', '/Encounter', admission, as('clerk-a'))).status, 201);
  assert.equal((await server.request('GET', '/Patient/p-c', undefined, as('clerk-a'))).status, 200);
  const { id: _other, ...elsewhere } = stay('stay-x', 'p-b', 'ward-b', 'dept-surgery');
  assert.equal((await server.request('POST', '/Encounter', elsewhere, as('clerk-a'))).status, 403);
});

test('a doctor sees the patients with visits to the department', async () => {
  assert.equal((await server.request('GET', '/Patient/p-a', undefined, as('doctor-med'))).status, 200);
  assert.equal((await server.request('GET', '/Patient/p-b', undefined, as('doctor-med'))).status, 403);
});

test('break-glass is for clinicians: a registration clerk sending a reason is refused', async () => {
  const answer = await server.request('GET', '/Patient/p-a', undefined, as('registration', { 'x-break-glass-reason': encodeURIComponent('just looking at it now') }));
  assert.equal(answer.status, 403);
  assert.match(answer.body.issue[0].diagnostics, /registration-clerk cannot open records outside its scope/);
});

test('unauthenticated requests are refused and recorded as anonymous, with the source address', async () => {
  const res = await fetch(`${server.base}/Patient/p-a`);
  assert.equal(res.status, 401);
  const record = await lastRecord('/Patient/p-a');
  assert.equal(record.principal, 'anonymous');
  assert.equal(record.status, 401);
  assert.equal(record.sourceIp, '127.0.0.1');
  assert.deepEqual(record.patients, []);
});
