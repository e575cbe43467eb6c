/**
 * The FHIR API as the desks meet it, through the whole server: a browser session opens what its
 * role may (and ends with logout or the idle timeout), the bulk-read guard answers 429 with a
 * Retry-After, and reading a decoy patient raises an alert an admin can find.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { issueApiToken } from '../../src/security/api-tokens.js';
import { createAccountsContext } from '../../src/security/accounts/accounts-context.js';
import { createAccount } from '../../src/security/accounts/admin-operations.js';
import { markHoneytoken } from '../../src/security/watch/honeytokens.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { randomBytes } from 'node:crypto';
import type { AccessRecord } from '../../src/audit/access-record.js';

let server: TestServer;
const records: AccessRecord[] = [];
let clock = Date.parse('2026-01-05T08:00:00Z');
const PASSWORD = 'correct horse battery';

before(async () => {
  server = await startTestServer({ accounts: { now: () => clock }, bulkReadLimits: { 'billing-clerk': 5 }, accessSinks: [{ record: (r) => records.push(r) }] });
  const ctx = createAccountsContext({ db: server.server.store.app, hospitalId: server.server.hospitalId, secretKey: randomBytes(32), config: { now: () => clock } });
  await createAccount(ctx, { username: 'nurse.meena', displayName: 'Meena', role: 'nurse', ward: 'ward-x', password: PASSWORD });
  await server.server.store.app.query("UPDATE user_account SET must_change_password = false WHERE username = 'nurse.meena'");
  await server.request('PUT', '/Location/ward-x', { resourceType: 'Location', id: 'ward-x', name: 'Ward X' });
});
after(async () => server?.close());

async function signIn(): Promise<string> {
  const res = await fetch(`${server.server.url}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nurse.meena', password: PASSWORD }),
  });
  assert.equal(res.status, 200);
  return res.headers.getSetCookie()[0].split(';')[0];
}
const withCookie = (cookie: string) => ({ cookie, authorization: '' });
async function get(path: string, headers: Record<string, string>) {
  const { authorization, ...rest } = headers;
  const res = await fetch(`${server.base}${path}`, { headers: authorization ? headers : rest });
  return { status: res.status, headers: res.headers, body: await res.json() as any };
}

test('a signed-in session opens what the role may; logout and the idle timeout end it', async () => {
  const cookie = await signIn();
  assert.equal((await get('/Location/ward-x', withCookie(cookie))).status, 200);
  const charge = await get('/ChargeItem?_count=1', withCookie(cookie));
  assert.equal(charge.status, 403);
  assert.equal(charge.body.issue[0].diagnostics, 'the role nurse may not search ChargeItem');
  const metadata = await get('/metadata', withCookie(cookie));
  assert.ok(metadata.body.rest[0].resource.some((r: any) => r.type === 'Observation'));
  assert.ok(!metadata.body.rest[0].resource.some((r: any) => r.type === 'ChargeItem'));

  clock += 16 * 60_000; // idle for longer than the 15-minute default
  const idle = await get('/Location/ward-x', withCookie(cookie));
  assert.equal(idle.status, 401);
  assert.match(idle.body.issue[0].diagnostics, /session has ended/);

  const again = await signIn();
  assert.equal((await get('/Location/ward-x', withCookie(again))).status, 200);
  const out = await fetch(`${server.server.url}/auth/logout`, { method: 'POST', headers: { cookie: again } });
  assert.equal(out.status, 204);
  assert.equal((await get('/Location/ward-x', withCookie(again))).status, 401);
  // A tampered cookie is just a session that does not exist.
  assert.equal((await get('/Location/ward-x', withCookie(`nirantar_session=${'A'.repeat(43)}`))).status, 401);
});

test('forged and malformed credentials are refused without leaking anything: alg none, tampered, oversized', async () => {
  // Tokens are opaque random strings looked up by hash: a JWT, signed or not, is just a token that does not exist.
  const algNone = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"admin","role":"admin"}').toString('base64url')}.`;
  for (const token of [algNone, 'nrt_' + 'A'.repeat(43), `${'x'.repeat(600)}`]) {
    const answer = await get('/Patient?_count=1', { authorization: `Bearer ${token}` });
    assert.equal(answer.status, 401, token.slice(0, 20));
    assert.equal(answer.body.resourceType, 'OperationOutcome');
    assert.doesNotMatch(JSON.stringify(answer.body), /Patient\/|admin/);
  }
  // Headers past Node's limit are refused by the HTTP parser (431) and the server keeps serving.
  const huge = await fetch(`${server.base}/Patient`, { headers: { authorization: 'Bearer x', 'x-filler': 'y'.repeat(20_000) } });
  assert.equal(huge.status, 431);
  assert.equal((await get('/metadata', { authorization: `Bearer ${await issueApiToken(server.server.store.app, server.server.hospitalId, { name: 'after-431', role: 'nurse' })}` })).status, 200);
});

test('every sign-in attempt is recorded: who tried, from where, and whether it worked', async () => {
  const wrong = await fetch(`${server.server.url}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'brute/1.0' },
    body: JSON.stringify({ username: 'nurse.meena', password: 'not the password at all' }),
  });
  assert.equal(wrong.status, 401);
  await signIn();
  await new Promise((r) => setTimeout(r, 50));
  const logins = records.filter((r) => r.interaction === 'login').slice(-2);
  assert.deepEqual(logins.map((r) => [r.principal, r.status, r.outcome, r.action, r.sourceIp]), [
    ['user:nurse.meena', 401, '4', 'E', '127.0.0.1'],
    ['user:nurse.meena', 200, '0', 'E', '127.0.0.1'],
  ]);
  assert.equal(logins[0].userAgent, 'brute/1.0');
  assert.ok(!JSON.stringify(logins).includes('not the password'), 'no password in the trail');
});

test('reading past the role\'s bulk-read limit is refused with 429 and a Retry-After', async () => {
  const token = await issueApiToken(server.server.store.app, server.server.hospitalId, { name: 'billing-1', role: 'billing-clerk' });
  const headers = { authorization: `Bearer ${token}` };
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) {
    statuses.push((await get(`/Patient/nobody-${i}`, headers)).status);
    await new Promise((r) => setTimeout(r, 30)); // the count is taken once each answer has gone
  }
  const refused = await get('/Patient/nobody-x', headers);
  assert.equal(refused.status, 429);
  assert.match(refused.body.issue[0].diagnostics, /^too many patient records read in the last minute \(\d+, limit 5 for role billing-clerk\); try again in \d+ seconds$/);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  assert.deepEqual(statuses.slice(0, 5), [404, 404, 404, 404, 404]);
  assert.ok(statuses.includes(429));
});

test('reading a decoy patient raises a security alert an admin finds as a Communication', async () => {
  await server.request('PUT', '/Patient/decoy-1', { resourceType: 'Patient', id: 'decoy-1', gender: 'male', birthDate: '1971-02-03' });
  await markHoneytoken(server.server.store.admin, { hospitalId: server.server.hospitalId, resourceType: 'Patient', resourceId: 'decoy-1', label: 'test decoy' });
  await new Promise((r) => setTimeout(r, 5500)); // the watch re-reads the decoy list every 5 s
  const token = await issueApiToken(server.server.store.app, server.server.hospitalId, { name: 'curious-clerk', role: 'registration-clerk' });
  assert.equal((await get('/Patient?gender=male', { authorization: `Bearer ${token}` })).status, 200);
  let alerts: any[] = [];
  for (let i = 0; i < 50 && alerts.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    alerts = (await server.request('GET', '/Communication?category=security&subject=Patient/decoy-1')).body.entry ?? [];
  }
  assert.equal(alerts.length, 1);
  const alert = alerts[0].resource;
  assert.equal(alert.subject.reference, 'Patient/decoy-1');
  assert.match(alert.payload[0].contentString, /token:curious-clerk/);
  assert.match(alert.payload[0].contentString, /127\.0\.0\.1/);
});
