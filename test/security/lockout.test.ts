import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FhirError } from '../../src/fhir/outcome.js';
import { createAccountsContext, type AccountsContext } from '../../src/security/accounts/accounts-context.js';
import { SIGN_IN_REFUSED, TooManyAttempts } from '../../src/security/accounts/account-errors.js';
import { createAccount, setDisabled } from '../../src/security/accounts/admin-operations.js';
import { UnknownUsernameThrottle, lockedUntilAfter, retryAfterSeconds } from '../../src/security/accounts/lockout.js';
import { signIn } from '../../src/security/accounts/login.js';
import type { Database } from '../../src/store/database.js';
import { openAppDatabase, type AppDatabase } from '../support/app-database.js';

const POLICY = { lockoutThreshold: 5, lockoutBaseMs: 60_000, lockoutCapMs: 3_600_000 };
const MINUTE = 60_000;

describe('lockout backoff', () => {
  test('nothing before the 5th failure, then 1, 2, 4 ... minutes, capped at 1 hour', () => {
    const now = 1_000_000;
    assert.deepEqual([1, 2, 3, 4].map((n) => lockedUntilAfter(n, now, POLICY)), [null, null, null, null]);
    const minutes = [5, 6, 7, 8, 9, 10, 11, 12, 100].map((n) => (lockedUntilAfter(n, now, POLICY)! - now) / MINUTE);
    assert.deepEqual(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    assert.equal(retryAfterSeconds(now + 59_001, now), 60);
    assert.equal(retryAfterSeconds(now + 1, now), 1);
  });

  test('the in-memory throttle for unknown usernames follows the same rule, and forgets the oldest', () => {
    const throttle = new UnknownUsernameThrottle(POLICY, 3);
    const now = 1_000_000;
    for (let i = 0; i < 5; i++) assert.deepEqual(throttle.claim('ghost', now), { allowed: true });
    assert.deepEqual(throttle.claim('ghost', now), { allowed: false, lockedUntil: now + MINUTE });
    assert.deepEqual(throttle.claim('ghost', now + MINUTE), { allowed: true });
    assert.deepEqual(throttle.claim('ghost', now + MINUTE), { allowed: false, lockedUntil: now + 3 * MINUTE });
    for (const name of ['a', 'b', 'c']) throttle.claim(name, now);
    assert.deepEqual(throttle.claim('ghost', now + MINUTE), { allowed: true }, 'evicted after 3 newer names');
  });
});

describe('lockout on sign-in (real database, injected clock)', () => {
  let db: AppDatabase;
  let admin: Database;
  let app: Database;
  let ctx: AccountsContext;
  let now = Date.parse('2025-03-01T09:00:00Z');

  before(async () => {
    db = await openAppDatabase({ hospitalId: 'h1', appPoolSize: 12 });
    ({ admin, app } = db);
    ctx = createAccountsContext({ db: app, hospitalId: 'h1', secretKey: randomBytes(32), config: { now: () => now } });
  });
  after(async () => {
    await db?.close();
  });

  /** 'ok', 401 or `429:<retry-after>` for one attempt. */
  async function attempt(username: string, password: string): Promise<string> {
    try {
      await signIn(ctx, { username, password });
      return 'ok';
    } catch (err) {
      if (err instanceof TooManyAttempts) return `429:${err.retryAfterSeconds}`;
      if (err instanceof FhirError && err.status === 401) {
        assert.equal(err.message, SIGN_IN_REFUSED);
        return '401';
      }
      throw err;
    }
  }

  test('5 failures lock for a minute, the next failure for two; success resets the count', async () => {
    await createAccount(ctx, { username: 'asha', displayName: 'Asha', role: 'nurse', password: 'monsoon-ledger-42' });
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) seen.push(await attempt('asha', 'wrong password 1'));
    seen.push(await attempt('asha', 'monsoon-ledger-42')); // right password, but locked: not even checked
    assert.deepEqual(seen, ['401', '401', '401', '401', '401', '429:60']);
    now += 59_000;
    assert.equal(await attempt('asha', 'monsoon-ledger-42'), '429:1');
    now += 1_000;
    assert.equal(await attempt('asha', 'wrong password 2'), '401');
    assert.equal(await attempt('asha', 'monsoon-ledger-42'), '429:120', 'the 6th failure doubles the lock');
    now += 2 * MINUTE;
    assert.equal(await attempt('asha', 'monsoon-ledger-42'), 'ok');
    const [row] = await admin.query("SELECT failed_attempts, locked_until FROM user_account WHERE username = 'asha'");
    assert.deepEqual(row, { failed_attempts: 0, locked_until: null });
    for (let i = 0; i < 4; i++) assert.equal(await attempt('asha', 'wrong again 123'), '401');
    assert.equal(await attempt('asha', 'monsoon-ledger-42'), 'ok', 'four failures after a success do not lock');
  });

  test('a made-up username goes through exactly the same answers', async () => {
    await createAccount(ctx, { username: 'ravi', displayName: 'Ravi', role: 'doctor', password: 'monsoon-ledger-42' });
    const run = async (username: string) => {
      const seen: string[] = [];
      for (let i = 0; i < 7; i++) seen.push(await attempt(username, 'a wrong guess'));
      now += MINUTE;
      for (let i = 0; i < 2; i++) seen.push(await attempt(username, 'a wrong guess'));
      return seen;
    };
    const start = now;
    const real = await run('ravi');
    now = start;
    const ghost = await run('no-such-person');
    assert.deepEqual(ghost, real);
    assert.deepEqual(real, ['401', '401', '401', '401', '401', '429:60', '429:60', '401', '429:120']);
  });

  test('a made-up username takes as long to refuse as a real one (a dummy hash is verified)', async () => {
    await createAccount(ctx, { username: 'timed', displayName: 'Timed', role: 'nurse', password: 'monsoon-ledger-42' });
    const median = async (username: string) => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        assert.equal(await attempt(username, 'a timed wrong guess'), '401');
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b)[1];
    };
    const real = await median('timed');
    const ghost = await median('timed-ghost');
    // Without the dummy verify a made-up name answers in ~2 ms against ~70 ms: a factor of 30, not noise.
    assert.ok(ghost > real / 2 && ghost < real * 2, `made-up ${ghost.toFixed(1)} ms vs real ${real.toFixed(1)} ms`);
  });

  test('parallel guesses cannot get more than the threshold hashed', async () => {
    await createAccount(ctx, { username: 'meera', displayName: 'Meera', role: 'doctor', password: 'monsoon-ledger-42' });
    const results = await Promise.all(Array.from({ length: 12 }, () => attempt('meera', 'parallel guess 1')));
    assert.equal(results.filter((r) => r === '401').length, 5, results.join(' '));
    assert.equal(results.filter((r) => r.startsWith('429')).length, 7, results.join(' '));
  });

  test('a disabled account is refused with the same answer even with the right password', async () => {
    const target = await createAccount(ctx, { username: 'kiran', displayName: 'Kiran', role: 'billing-clerk', password: 'monsoon-ledger-42' });
    const actor = await createAccount(ctx, { username: 'root-admin', displayName: 'Admin', role: 'admin', password: 'monsoon-ledger-42' });
    assert.equal(await attempt('kiran', 'monsoon-ledger-42'), 'ok');
    await setDisabled(ctx, actor.id, target.id, true);
    assert.equal(await attempt('kiran', 'monsoon-ledger-42'), '401');
    await setDisabled(ctx, actor.id, target.id, false);
    assert.equal(await attempt('kiran', 'monsoon-ledger-42'), 'ok');
  });
});
