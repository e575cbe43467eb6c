import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { accountsConfig, type AccountsConfig } from '../../src/security/accounts/accounts-config.js';
import { createAccountsContext, type AccountsContext } from '../../src/security/accounts/accounts-context.js';
import { createAccount, setDisabled } from '../../src/security/accounts/admin-operations.js';
import {
  authenticateSession, createSession, findActiveSession, revokeAccountSessions, revokeSession, sessionHash,
} from '../../src/security/accounts/sessions.js';
import { readSessionCookie, sessionClearCookie, sessionSetCookie } from '../../src/security/accounts/session-cookie.js';
import type { Database } from '../../src/store/database.js';
import { openAppDatabase, type AppDatabase } from '../support/app-database.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('sessions (real database, injected clock)', () => {
  let db: AppDatabase;
  let admin: Database;
  let app: Database;
  let ctx: AccountsContext;
  let config: AccountsConfig;
  let now = Date.parse('2025-03-01T08:00:00Z');
  let userId: string;
  let adminId: string;

  before(async () => {
    db = await openAppDatabase({ hospitalId: 'h1', appPoolSize: 4 });
    ({ admin, app } = db);
    config = accountsConfig({ now: () => now });
    ctx = createAccountsContext({ db: app, hospitalId: 'h1', secretKey: randomBytes(32), config: { now: () => now } });
    userId = (await createAccount(ctx, { username: 'sunita', displayName: 'Sunita', role: 'nurse', password: 'monsoon-ledger-42', ward: 'ward-7', practitioner: 'Practitioner/sunita-nurse' })).id;
    adminId = (await createAccount(ctx, { username: 'boss', displayName: 'Boss', role: 'admin', password: 'monsoon-ledger-42' })).id;
  });
  after(async () => {
    await db?.close();
  });

  const open = async (stage: 'full' | 'password-change' = 'full') =>
    (await createSession(app, { hospitalId: 'h1', userId, stage, userAgent: 'test', sourceIp: '10.0.0.7' }, config)).sessionId;
  const lastSeen = async (id: string) =>
    ((await admin.query('SELECT last_seen_at FROM user_session WHERE session_hash = $1', [sessionHash(id)]))[0].last_seen_at as Date).getTime();

  test('a fresh session authenticates as its account, and only its hash is stored', async () => {
    const id = await open();
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await authenticateSession(app, id, config), {
      hospitalId: 'h1', userId, role: 'nurse', username: 'sunita', department: null, ward: 'ward-7', practitioner: 'Practitioner/sunita-nurse',
    });
    const rows = await admin.query('SELECT * FROM user_session');
    assert.ok(!JSON.stringify(rows).includes(id), 'the session id itself is nowhere in the table');
    assert.ok(rows.some((r) => r.session_hash === sessionHash(id) && r.source_ip === '10.0.0.7'));
  });

  test('idle timeout: 15 minutes without use ends it; use keeps it alive', async () => {
    const id = await open();
    now += 14 * MINUTE;
    assert.ok(await authenticateSession(app, id, config), 'used after 14 min');
    now += 14 * MINUTE;
    assert.ok(await authenticateSession(app, id, config), 'the use above restarted the idle clock');
    now += 15 * MINUTE;
    assert.equal(await authenticateSession(app, id, config), null, '15 min unused');
  });

  test('last_seen is written at most once a minute', async () => {
    const id = await open();
    const created = await lastSeen(id);
    now += 30_000;
    await authenticateSession(app, id, config);
    assert.equal(await lastSeen(id), created, 'not written 30 s later');
    now += 31_000;
    await authenticateSession(app, id, config);
    assert.equal(await lastSeen(id), now, 'written after a minute');
  });

  test('absolute timeout: 12 hours after sign-in, however busy', async () => {
    const id = await open();
    const start = now;
    while (now + 10 * MINUTE < start + 12 * HOUR) {
      now += 10 * MINUTE;
      assert.ok(await authenticateSession(app, id, config), `alive at ${(now - start) / HOUR} h`);
    }
    now = start + 12 * HOUR;
    assert.equal(await authenticateSession(app, id, config), null);
  });

  test('tampered, malformed, unknown and missing cookies are refused', async () => {
    const id = await open();
    const flipped = id.slice(0, 10) + (id[10] === 'A' ? 'B' : 'A') + id.slice(11);
    for (const bad of [flipped, id.slice(1), `${id}x`, id.toUpperCase(), '', undefined, "' OR 1=1 --", randomBytes(32).toString('base64url')]) {
      assert.equal(await authenticateSession(app, bad, config), null, String(bad));
    }
    assert.ok(await authenticateSession(app, id, config));
  });

  test('revoked sessions and sessions of disabled accounts are refused at once', async () => {
    const a = await open();
    const b = await open();
    await revokeSession(app, sessionHash(a), now);
    assert.equal(await authenticateSession(app, a, config), null);
    assert.ok(await authenticateSession(app, b, config));
    await setDisabled(ctx, adminId, userId, true);
    const c = await open();
    assert.equal(await authenticateSession(app, c, config), null, 'disabled: refused even before revocation');
    await setDisabled(ctx, adminId, userId, false);
    assert.equal(await authenticateSession(app, b, config), null, 'disabling revoked it');
    const d = await open();
    await revokeAccountSessions(app, 'h1', userId, now, sessionHash(d));
    assert.ok(await authenticateSession(app, d, config), 'the kept one');
  });

  test('a session that must still change its password opens only the accounts routes', async () => {
    const id = await open('password-change');
    assert.equal(await authenticateSession(app, id, config), null);
    assert.equal((await findActiveSession(app, id, config))?.stage, 'password-change');
  });

  test('the app role cannot delete sessions or rewrite who they belong to', async () => {
    const id = await open();
    await assert.rejects(app.query('DELETE FROM user_session'), /permission denied/);
    await assert.rejects(app.query('UPDATE user_session SET user_id = $1 WHERE session_hash = $2', [adminId, sessionHash(id)]), /permission denied/);
    await assert.rejects(app.query("UPDATE user_account SET username = 'evil'"), /permission denied/);
    await assert.rejects(app.query('DELETE FROM user_account'), /permission denied/);
  });
});

describe('session cookie', () => {
  test('HttpOnly, SameSite=Strict, no Max-Age; Secure and __Host- when configured', () => {
    assert.equal(sessionSetCookie('abc', { secureCookie: false }), 'nirantar_session=abc; Path=/; HttpOnly; SameSite=Strict');
    assert.equal(sessionSetCookie('abc', { secureCookie: true }), '__Host-nirantar_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure');
    assert.match(sessionClearCookie({ secureCookie: true }), /^__Host-nirantar_session=; Max-Age=0; .*Secure$/);
  });

  test('reads its own cookie among others, and not a look-alike', () => {
    const plain = { secureCookie: false };
    assert.equal(readSessionCookie('a=1; nirantar_session=xyz; b=2', plain), 'xyz');
    assert.equal(readSessionCookie('x_nirantar_session=evil; b=2', plain), undefined);
    assert.equal(readSessionCookie('nirantar_session=plain', { secureCookie: true }), undefined);
    assert.equal(readSessionCookie(undefined, plain), undefined);
  });
});
