import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { numberRange } from '../../../src/fhir/search/number-range.js';

describe('numberRange: the range a decimal\'s precision implies', () => {
  it('is half a unit of the last written digit either side', () => {
    assert.deepEqual(numberRange('100'), { value: 100, low: 99.5, high: 100.5 });
    assert.deepEqual(numberRange('100.00'), { value: 100, low: 99.995, high: 100.005 });
    assert.deepEqual(numberRange('5.4'), { value: 5.4, low: 5.35, high: 5.45 });
    assert.deepEqual(numberRange('-5.4'), { value: -5.4, low: -5.45, high: -5.35 });
    assert.deepEqual(numberRange('0.001'), { value: 0.001, low: 0.0005, high: 0.0015 });
  });

  it('takes significant figures from exponent notation', () => {
    assert.deepEqual(numberRange('1e2'), { value: 100, low: 50, high: 150 });
    assert.deepEqual(numberRange('1.0e2'), { value: 100, low: 95, high: 105 });
    assert.deepEqual(numberRange('2.5E-3'), { value: 0.0025, low: 0.00245, high: 0.00255 });
  });

  it('refuses what is not a decimal', () => {
    for (const bad of ['abc', '', '1.', '.5', '1,5', '5 mg', '0x10', 'Infinity', '1e999']) assert.equal(numberRange(bad), undefined, bad);
  });
});
