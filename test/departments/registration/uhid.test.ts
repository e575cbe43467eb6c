import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIRST_SERIAL, parseUhid, uhidOf, verhoeffCheckDigit, verhoeffValid } from '../../../src/departments/registration/uhid.js';

test('Verhoeff check digits agree with the published examples', () => {
  assert.equal(verhoeffCheckDigit('236'), '3');
  assert.equal(verhoeffCheckDigit('12345'), '1');
  assert.equal(verhoeffCheckDigit('142857'), '0');
  assert.ok(verhoeffValid('2363'));
  assert.ok(!verhoeffValid('2336'));
});

test('a UHID is 12 digits in three groups of four and reads back to its serial', () => {
  assert.equal(uhidOf(10_000_012_345), '1000-0012-3456');
  assert.match(uhidOf(FIRST_SERIAL), /^1000-0000-000\d$/);
  for (const serial of [FIRST_SERIAL, 10_000_012_345, 12_345_678_901, 99_999_999_999]) {
    const uhid = uhidOf(serial);
    assert.deepEqual(parseUhid(uhid), { serial });
    assert.deepEqual(parseUhid(uhid.replaceAll('-', '')), { serial }, 'without separators');
    assert.deepEqual(parseUhid(` ${uhid.replaceAll('-', ' ')} `), { serial }, 'with spaces');
  }
  assert.throws(() => uhidOf(100_000_000_000), RangeError);
  assert.throws(() => uhidOf(-1), RangeError);
});

test('the check digit catches every single-digit error and every adjacent transposition', () => {
  let checked = 0;
  for (let k = 0; k < 300; k++) {
    const serial = FIRST_SERIAL + ((k * 7_919_104_729) % 89_999_999_999);
    const digits = uhidOf(serial).replaceAll('-', '');
    for (let i = 0; i < digits.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === digits[i]) continue;
        const typo = digits.slice(0, i) + d + digits.slice(i + 1);
        assert.ok('error' in parseUhid(typo), `${typo} (from ${digits}) was accepted`);
        checked++;
      }
      if (i + 1 < digits.length && digits[i] !== digits[i + 1]) {
        const swapped = digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2);
        assert.ok('error' in parseUhid(swapped), `${swapped} (from ${digits}) was accepted`);
        checked++;
      }
    }
  }
  assert.ok(checked > 30_000);
});

test('a bad UHID says why', () => {
  const good = uhidOf(10_000_012_345).replaceAll('-', '');
  assert.match((parseUhid('') as { error: string }).error, /empty/);
  assert.match((parseUhid('1000-00I2-3456') as { error: string }).error, /only digits.*"I"/);
  assert.match((parseUhid(good.slice(0, 11)) as { error: string }).error, /12 digits.*11.*missing/);
  assert.match((parseUhid(`${good}1`) as { error: string }).error, /extra/);
  const swapped = good.slice(0, 9) + good[10] + good[9] + good[11];
  assert.match((parseUhid(swapped) as { error: string }).error, /check digit.*swapped/);
});
