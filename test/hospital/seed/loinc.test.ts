import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidLoincCode, loincCheckDigit } from '../../../src/hospital/seed/loinc.js';

test('the check digit matches well-known LOINC codes', () => {
  // Codes whose check digits are printed everywhere, to prove the algorithm before relying on it.
  for (const code of ['718-7', '2160-0', '6690-2', '777-3', '2345-7', '4548-4', '3016-3', '13457-7', '57021-8']) {
    assert.equal(isValidLoincCode(code), true, code);
  }
  assert.equal(loincCheckDigit('718'), 7);
  assert.equal(loincCheckDigit('2160'), 0);
});

test('a wrong check digit or a malformed code is rejected', () => {
  for (const code of ['718-6', '2160-1', '3024-0', '7187', '718-77', 'ABC-1', '', '-7']) {
    assert.equal(isValidLoincCode(code), false, code);
  }
});
