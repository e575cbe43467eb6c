/**
 * The accounts routes over real HTTP: a small Fastify app with the accounts plugin on a real port,
 * over a throwaway database reached through the application's restricted role, with the clock
 * injected (TOTP steps, lockout and session expiry move when the test says so).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { TokenVerifier, ensureBootstrapToken } from '../../src/security/api-tokens.js';
import { accountsPlugin } from '../../src/security/accounts/accounts-plugin.js';
import { base32Decode } from '../../src/security/accounts/base32.js';
import { totpCode, totpStep } from '../../src/security/accounts/totp.js';
import type { Database } from '../../src/store/database.js';
import { openAppDatabase, type AppDatabase } from '../support/app-database.js';

const BOOTSTRAP = 'bootstrap-token-for-accounts-test';
const MINUTE = 60_000;
let now = Date.parse('2025-03-01T09:00:10Z');
let base: string;

interface Answer { status: number; headers: Headers; body: any }

/** A browser: keeps the session cookie the server sets and sends it back. */
class Browser {
  cookie?: string;
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${base}/auth${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      this.cookie = /=$/.test(pair) ? undefined : pair;
    }
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }
  post(path: string, body: unknown = {}) { return this.call('POST', path, body); }
  get(path: string) { return this.call('GET', path); }
}

const code = (uri: string, at = now) => totpCode(base32Decode(new URL(uri).searchParams.get('secret')!), totpStep(at));
const expressionOf = (answer: Answer) => answer.body?.issue?.[0]?.expression;

describe('accounts over HTTP', () => {
  let db: AppDatabase;
  let admin: Database;
  let app: Database;
  let server: FastifyInstance;
  const boss = new Browser();
  let bossUri = '';
  let clerkId = '';

  before(async () => {
    db = await openAppDatabase({ hospitalId: 'h1', appPoolSize: 8 });
    ({ admin, app } = db);
    await ensureBootstrapToken(app, 'h1', BOOTSTRAP);
    server = Fastify({ logger: false });
    await server.register(accountsPlugin, {
      prefix: '/auth', db: app, hospitalId: 'h1', secretKey: randomBytes(32), config: { now: () => now }, bootstrapTokens: new TokenVerifier(app, 0),
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  });
  after(async () => {
    await server?.close();
    await db?.close();
  });

  test('the bootstrap token creates the first admin, once', async () => {
    const first = { username: 'Boss', displayName: 'Dr. Admin', password: 'first-admin-pass-1' };
    assert.equal((await new Browser().call('POST', '/bootstrap-admin', first)).status, 401);
    assert.equal((await new Browser().call('POST', '/bootstrap-admin', first, { authorization: 'Bearer not-the-token-at-all' })).status, 401);
    const created = await new Browser().call('POST', '/bootstrap-admin', first, { authorization: `Bearer ${BOOTSTRAP}` });
    assert.equal(created.status, 201);
    assert.equal(created.body.username, 'boss');
    assert.equal(created.body.role, 'admin');
    const again = await new Browser().call('POST', '/bootstrap-admin', { ...first, username: 'boss2' }, { authorization: `Bearer ${BOOTSTRAP}` });
    assert.equal(again.status, 409);
  });

  test('first sign-in: change the password, then enrol TOTP (required for admin), and only then a full session', async () => {
    const signedIn = await boss.post('/login', { username: 'boss', password: 'first-admin-pass-1' });
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.body.stage, 'password-change');
    const setCookie = signedIn.headers.getSetCookie()[0];
    assert.match(setCookie, /^nirantar_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.equal(signedIn.headers.get('cache-control'), 'no-store');
    assert.equal((await boss.get('/users')).status, 403, 'no admin work before the password is changed');

    const firstCookie = boss.cookie;
    const changed = await boss.post('/password', { currentPassword: 'first-admin-pass-1', newPassword: 'second-admin-pass-2' });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.stage, 'totp-enrolment');
    assert.notEqual(boss.cookie, firstCookie, 'a new session id');
    assert.equal((await new Browser().call('GET', '/me', undefined, { cookie: firstCookie! })).status, 401, 'the old id is dead');
    const refused = await boss.get('/users');
    assert.equal(refused.status, 403);
    assert.match(refused.body.issue[0].diagnostics, /enrol/);

    const enrol = await boss.post('/totp/enroll');
    assert.equal(enrol.status, 200);
    bossUri = enrol.body.otpauthUri;
    assert.match(bossUri, /^otpauth:\/\/totp\/Nirantar%3Aboss\?secret=[A-Z2-7]{32}&issuer=Nirantar/);
    const wrong = await boss.post('/totp/confirm', { code: code(bossUri, now + 5 * MINUTE) });
    assert.equal(wrong.status, 400);
    assert.deepEqual(expressionOf(wrong), ['code']);
    const beforeConfirm = boss.cookie;
    const confirmed = await boss.post('/totp/confirm', { code: code(bossUri) });
    assert.equal(confirmed.status, 200);
    assert.equal(confirmed.body.stage, 'full');
    assert.equal(confirmed.body.account.totpEnabled, true);
    assert.notEqual(boss.cookie, beforeConfirm, 'a new session id for the stronger session');
    assert.equal((await boss.get('/users')).status, 200);
    assert.equal((await boss.post('/totp/enroll')).status, 409, 'an enrolled factor is not replaced from a session');
    const stored = await admin.query("SELECT totp_secret FROM user_account WHERE username = 'boss'");
    assert.ok(!stored[0].totp_secret.includes(new URL(bossUri).searchParams.get('secret')), 'the secret is stored sealed');
  });

  test('an enrolled admin needs the code: missing, replayed or wrong is the same refusal', async () => {
    const fresh = new Browser();
    const missing = await fresh.post('/login', { username: 'boss', password: 'second-admin-pass-2' });
    const replayed = await fresh.post('/login', { username: 'boss', password: 'second-admin-pass-2', totp: code(bossUri) });
    assert.equal(missing.status, 401);
    assert.deepEqual(replayed.body, missing.body, 'the code used to confirm cannot be used again');
    now += 30_000;
    const ok = await fresh.post('/login', { username: 'boss', password: 'second-admin-pass-2', totp: code(bossUri) });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.stage, 'full');
    assert.equal(ok.body.account.role, 'admin');
    // Signing in again replaces the session the browser had (no fixation): the old id is dead.
    const old = boss.cookie;
    now += 30_000;
    assert.equal((await boss.post('/login', { username: 'boss', password: 'second-admin-pass-2', totp: code(bossUri) })).status, 200);
    assert.equal((await new Browser().call('GET', '/me', undefined, { cookie: old! })).status, 401);
  });

  test('admin creates accounts; bad input is a 400 naming the field and writes nothing', async () => {
    const good = { username: 'clerk1', displayName: 'Registration Clerk', role: 'registration-clerk', password: 'temporary-pass-77', department: 'opd' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, username: undefined }, 'username'],
      [{ ...good, username: 'no spaces allowed' }, 'username'],
      [{ ...good, role: 'superuser' }, 'role'],
      [{ ...good, password: 'password123' }, 'password'],
      [{ ...good, password: 'clerk1-is-me!' }, 'password'],
      [{ ...good, displayName: 7 }, 'displayName'],
      [{ ...good, ward: 'bad ward!' }, 'ward'],
      [{ ...good, practitioner: 'Patient/1' }, 'practitioner'],
    ];
    for (const [body, field] of cases) {
      const answer = await boss.post('/users', body);
      assert.equal(answer.status, 400, field);
      assert.equal(answer.body.resourceType, 'OperationOutcome');
      assert.deepEqual(expressionOf(answer), [field]);
    }
    assert.equal((await admin.query("SELECT count(*)::int AS n FROM user_account WHERE username = 'clerk1'"))[0].n, 0);
    const created = await boss.post('/users', good);
    assert.equal(created.status, 201);
    clerkId = created.body.id;
    assert.equal(created.body.mustChangePassword, true);
    assert.doesNotMatch(JSON.stringify(created.body), /argon2|hash|secret|temporary-pass/);
    assert.equal((await boss.post('/users', good)).status, 409);
    const list = await boss.get('/users');
    assert.deepEqual(list.body.accounts.map((a: { username: string }) => a.username), ['boss', 'clerk1']);
    assert.doesNotMatch(JSON.stringify(list.body), /argon2|totp_secret|password_hash/);
  });

  test('an admin issues API tokens with a role, shown once; names are unique; bad input names the field', async () => {
    const issued = await boss.post('/api-tokens', { name: 'lab-gateway', role: 'device' });
    assert.equal(issued.status, 201);
    assert.equal(issued.body.principal, 'token:lab-gateway');
    assert.match(issued.body.token, /^nrt_[A-Za-z0-9_-]{43}$/);
    assert.equal(issued.body.expiresAt, null);
    const expiring = await boss.post('/api-tokens', { name: 'his-bridge', role: 'registration-clerk', expiresInDays: 30 });
    assert.equal(expiring.body.expiresAt, new Date(now + 30 * 86_400_000).toISOString());
    const verified = await new TokenVerifier(app, 0).verify(issued.body.token);
    assert.deepEqual(verified && [verified.principal, verified.role, verified.scope], ['token:lab-gateway', 'device', 'fhir']);
    assert.equal((await boss.post('/api-tokens', { name: 'lab-gateway', role: 'device' })).status, 400);
    for (const [body, field] of [[{ name: 'Lab Gateway', role: 'device' }, 'name'], [{ name: 'x', role: 'root' }, 'role'],
      [{ name: 'y', role: 'device', expiresInDays: 0 }, 'expiresInDays']] as const) {
      const answer = await boss.post('/api-tokens', body);
      assert.equal(answer.status, 400, field);
      assert.deepEqual(expressionOf(answer), [field]);
    }
    const [{ n }] = await admin.query("SELECT count(*)::int AS n FROM api_token WHERE name LIKE 'api:%'");
    assert.equal(n, 2);
  });

  test('a clerk cannot use admin routes; nobody changes their own role or re-enables themselves', async () => {
    const clerk = new Browser();
    assert.equal((await clerk.post('/login', { username: 'CLERK1', password: 'temporary-pass-77' })).body.stage, 'password-change');
    const wrongCurrent = await clerk.post('/password', { currentPassword: 'not it at all', newPassword: 'clerk-own-pass-88' });
    assert.equal(wrongCurrent.status, 400);
    assert.deepEqual(expressionOf(wrongCurrent), ['currentPassword']);
    assert.equal((await clerk.post('/password', { currentPassword: 'temporary-pass-77', newPassword: 'clerk-own-pass-88' })).body.stage, 'full');
    const me = await clerk.get('/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.account.role, 'registration-clerk');
    assert.equal(me.body.account.department, 'opd');
    for (const [path, body] of [['/users', { username: 'x2', displayName: 'X', role: 'admin', password: 'another-pass-99' }],
      [`/users/${clerkId}/role`, { role: 'admin' }], [`/users/${clerkId}/enable`, {}], [`/users/${clerkId}/reset-password`, { password: 'another-pass-99' }]] as const) {
      assert.equal((await clerk.post(path, body)).status, 403, path);
    }
    assert.equal((await clerk.get('/users')).status, 403);
    assert.equal((await admin.query('SELECT role FROM user_account WHERE id = $1', [clerkId]))[0].role, 'registration-clerk');

    const bossId = (await boss.get('/me')).body.account.id;
    for (const path of [`/users/${bossId}/role`, `/users/${bossId}/disable`, `/users/${bossId}/enable`, `/users/${bossId}/reset-password`, `/users/${bossId}/reset-totp`]) {
      const answer = await boss.post(path, { role: 'auditor', password: 'another-pass-99' });
      assert.equal(answer.status, 403, path);
    }
    assert.equal((await admin.query("SELECT role FROM user_account WHERE username = 'boss'"))[0].role, 'admin');
    assert.equal((await boss.post('/users/00000000-0000-4000-8000-000000000000/role', { role: 'nurse' })).status, 404);
    assert.equal((await boss.post('/users/not-a-uuid/disable')).status, 404);

    // An admin's change to an account ends that account's sessions at once.
    const promoted = await boss.post(`/users/${clerkId}/role`, { role: 'appointment-desk' });
    assert.equal(promoted.body.role, 'appointment-desk');
    assert.equal((await clerk.get('/me')).status, 401);
    assert.equal((await boss.post(`/users/${clerkId}/disable`)).body.disabled, true);
    const disabled = await clerk.post('/login', { username: 'clerk1', password: 'clerk-own-pass-88' });
    assert.equal(disabled.status, 401);
    assert.equal((await boss.post(`/users/${clerkId}/enable`)).body.disabled, false);
    assert.equal((await boss.post(`/users/${clerkId}/reset-password`, { password: 'reset-by-admin-11' })).status, 200);
    assert.equal((await clerk.post('/login', { username: 'clerk1', password: 'clerk-own-pass-88' })).status, 401);
    assert.equal((await clerk.post('/login', { username: 'clerk1', password: 'reset-by-admin-11' })).body.stage, 'password-change');
  });

  test('brute force: locked with Retry-After, and answers do not reveal which usernames exist', async () => {
    const attacker = new Browser();
    const run = async (username: string) => {
      const answers: Answer[] = [];
      for (let i = 0; i < 7; i++) answers.push(await attacker.post('/login', { username, password: `guess number ${i}` }));
      return answers;
    };
    const start = now;
    const real = await run('clerk1');
    now = start;
    const ghost = await run('nobody-here');
    const shape = (a: Answer) => `${a.status} ${a.headers.get('retry-after')} ${JSON.stringify(a.body)}`;
    assert.deepEqual(ghost.map(shape), real.map(shape));
    assert.deepEqual(real.map((a) => a.status), [401, 401, 401, 401, 401, 429, 429]);
    assert.equal(real[5].headers.get('retry-after'), '60');
    assert.equal(real[5].body.issue[0].code, 'throttled');
    assert.match(real[0].body.issue[0].diagnostics, /username, password or one-time code is not correct/);
    assert.equal((await attacker.post('/login', { username: 'clerk1', password: 'reset-by-admin-11' })).status, 429, 'even the right password waits');
    now += MINUTE;
    assert.equal((await attacker.post('/login', { username: 'clerk1', password: 'reset-by-admin-11' })).status, 200);
  });

  test('expired, tampered and logged-out sessions are refused', async () => {
    const nurse = new Browser();
    await boss.post('/users', { username: 'nurse1', displayName: 'Nurse', role: 'nurse', password: 'temporary-pass-77', ward: 'w7' });
    await nurse.post('/login', { username: 'nurse1', password: 'temporary-pass-77' });
    await nurse.post('/password', { currentPassword: 'temporary-pass-77', newPassword: 'nurse-own-pass-55' });
    assert.equal((await nurse.get('/me')).status, 200);
    const id = nurse.cookie!.split('=')[1];
    const tampered = `nirantar_session=${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`;
    const refused = await new Browser().call('GET', '/me', undefined, { cookie: tampered });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.resourceType, 'OperationOutcome');
    now += 16 * MINUTE;
    assert.equal((await nurse.get('/me')).status, 401, 'idle for 16 minutes');
    await nurse.post('/login', { username: 'nurse1', password: 'nurse-own-pass-55' });
    assert.equal((await nurse.get('/me')).status, 200);
    const cookie = nurse.cookie!;
    const out = await nurse.post('/logout');
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie()[0], /^nirantar_session=; Max-Age=0/);
    assert.equal((await new Browser().call('GET', '/me', undefined, { cookie })).status, 401, 'revoked server-side, not only cleared');
  });

  test('login bad input is a 400 naming the field', async () => {
    const b = new Browser();
    assert.deepEqual(expressionOf(await b.post('/login', { username: 'boss' })), ['password']);
    assert.deepEqual(expressionOf(await b.post('/login', { password: 'x' })), ['username']);
    assert.deepEqual(expressionOf(await b.post('/login', { username: 'boss', password: 5 })), ['password']);
    assert.equal((await b.call('POST', '/login', [1, 2])).status, 400);
    const raw = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    assert.equal(raw.status, 400);
    const unknown = await b.get('/nowhere');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.resourceType, 'OperationOutcome');
  });
});
