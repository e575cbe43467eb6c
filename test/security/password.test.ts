import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PASSWORD_HASH_PARAMETERS, hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from '../../src/security/accounts/password-hash.js';
import { passwordPolicyProblem } from '../../src/security/accounts/password-policy.js';

describe('password hashing (argon2id)', () => {
  test('hashes in PHC format with the configured parameters and a fresh salt', async () => {
    const a = await hashPassword('a long enough passphrase');
    const b = await hashPassword('a long enough passphrase');
    const { memoryCost, timeCost, parallelism } = PASSWORD_HASH_PARAMETERS;
    assert.match(a, new RegExp(`^\\$argon2id\\$v=19\\$m=${memoryCost},t=${timeCost},p=${parallelism}\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`));
    assert.notEqual(a, b, 'two hashes of one password differ (random salt)');
    assert.equal(needsRehash(a), false);
  });

  test('verifies the right password and refuses a wrong one or a malformed hash', async () => {
    const stored = await hashPassword('Ward 7 night shift!');
    assert.equal(await verifyPassword(stored, 'Ward 7 night shift!'), true);
    assert.equal(await verifyPassword(stored, 'ward 7 night shift!'), false);
    assert.equal(await verifyPassword(stored, ''), false);
    assert.equal(await verifyPassword('not a hash', 'Ward 7 night shift!'), false);
    assert.equal(await verifyPassword(stored.slice(0, -4), 'Ward 7 night shift!'), false);
  });

  test('weaker or foreign hashes are marked for rehash', () => {
    assert.equal(needsRehash('$argon2id$v=19$m=19456,t=2,p=1$k29Sf23oHvVh9y0K4SOntA$gVaQb7rA6jVun5fFmO1Cmbrb8Y3KRqY294JGpMNtlWk'), true);
    assert.equal(needsRehash('$2b$12$abcdefghijklmnopqrstuv'), true);
  });

  test('hash time on this machine (a number, not a pass/fail), and the dummy verify costs about the same', async () => {
    const stored = await hashPassword('measure this passphrase');
    await verifyAgainstDummy('warm up the dummy hash');
    const median = async (fn: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t0 = performance.now();
        await fn();
        times.push(performance.now() - t0);
      }
      return times.sort((x, y) => x - y)[3];
    };
    const real = await median(() => verifyPassword(stored, 'wrong guess 123'));
    const dummy = await median(() => verifyAgainstDummy('wrong guess 123'));
    console.log(`argon2id m=${PASSWORD_HASH_PARAMETERS.memoryCost} t=${PASSWORD_HASH_PARAMETERS.timeCost}: verify ${real.toFixed(1)} ms, dummy ${dummy.toFixed(1)} ms (median of 7)`);
    // Same parameters, so the same work: a factor of two would mean the dummy is not the real thing.
    assert.ok(dummy > real / 2 && dummy < real * 2, `dummy ${dummy} ms vs real ${real} ms`);
  });
});

describe('password policy', () => {
  test('accepts a long, uncommon password', () => {
    assert.equal(passwordPolicyProblem('monsoon-ledger-42', 'asha'), null);
    assert.equal(passwordPolicyProblem('नमस्ते दुनिया भर', 'asha'), null);
  });

  test('refuses short passwords, counting characters rather than UTF-16 units', () => {
    assert.match(passwordPolicyProblem('short1!', 'asha') ?? '', /at least 10 characters/);
    assert.match(passwordPolicyProblem('😀😀😀😀😀abc', 'asha') ?? '', /at least 10 characters/, '8 characters, 13 UTF-16 units');
  });

  test('refuses the username, in any case, alone or inside the password', () => {
    assert.match(passwordPolicyProblem('dr.sharma', 'dr.sharma') ?? '', /at least 10/);
    assert.match(passwordPolicyProblem('Dr.Sharma2024!', 'dr.sharma') ?? '', /must not contain the username/);
    assert.match(passwordPolicyProblem('registration', 'registration') ?? '', /must not contain the username/);
  });

  test('refuses common passwords, in any case', () => {
    for (const common of ['password123', 'Password@123', 'QWERTYUIOP', '1234567890', 'hospital@123', 'Welcome@123']) {
      assert.match(passwordPolicyProblem(common, 'asha') ?? '', /too common/, common);
    }
  });

  test('refuses passwords of very few distinct characters, and absurdly long ones', () => {
    assert.match(passwordPolicyProblem('abababababab', 'asha') ?? '', /different characters/);
    assert.match(passwordPolicyProblem('x'.repeat(300), 'asha') ?? '', /at most 256/);
  });
});
