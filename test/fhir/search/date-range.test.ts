import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dateRange } from '../../../src/fhir/search/date-range.js';

describe('dateRange: the period a FHIR date covers', () => {
  it('covers the whole year, month or day at date precision', () => {
    assert.deepEqual(dateRange('2020'), { low: '2020-01-01T00:00:00.000Z', high: '2020-12-31T23:59:59.999Z' });
    assert.deepEqual(dateRange('2020-02'), { low: '2020-02-01T00:00:00.000Z', high: '2020-02-29T23:59:59.999Z' });
    assert.deepEqual(dateRange('2021-02'), { low: '2021-02-01T00:00:00.000Z', high: '2021-02-28T23:59:59.999Z' });
    assert.deepEqual(dateRange('2020-12-31'), { low: '2020-12-31T00:00:00.000Z', high: '2020-12-31T23:59:59.999Z' });
  });

  it('covers the minute, second or fraction written, converted to UTC', () => {
    assert.deepEqual(dateRange('2020-03-04T10:15'), { low: '2020-03-04T10:15:00.000Z', high: '2020-03-04T10:15:59.999Z' });
    assert.deepEqual(dateRange('2020-03-04T10:15:30+05:30'), { low: '2020-03-04T04:45:30.000Z', high: '2020-03-04T04:45:30.999Z' });
    assert.deepEqual(dateRange('2020-03-04T23:15:30-02:00'), { low: '2020-03-05T01:15:30.000Z', high: '2020-03-05T01:15:30.999Z' });
    assert.deepEqual(dateRange('2020-03-04T10:15:30.5Z'), { low: '2020-03-04T10:15:30.500Z', high: '2020-03-04T10:15:30.599Z' });
    assert.deepEqual(dateRange('2020-03-04T10:15:30.123456Z'), { low: '2020-03-04T10:15:30.123Z', high: '2020-03-04T10:15:30.123Z' });
  });

  it('reads a dateTime without a zone as UTC', () => {
    assert.deepEqual(dateRange('2020-03-04T10:15:30'), { low: '2020-03-04T10:15:30.000Z', high: '2020-03-04T10:15:30.999Z' });
  });

  it('keeps years below 100 as written', () => {
    assert.equal(dateRange('0099')?.low, '0099-01-01T00:00:00.000Z');
  });

  it('refuses what is not a date', () => {
    for (const bad of ['notadate', '2020-13', '2020-02-30', '2021-02-29', '2020-1-1', '20200101', '2020-01-01T25:00:00Z', '2020-01-01T10:00:00+15:00', "2020' OR 1=1"]) {
      assert.equal(dateRange(bad), undefined, bad);
    }
  });
});
