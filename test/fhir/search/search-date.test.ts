import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSearchTestDb, sorted, type SearchTestDb } from './search-test-db.js';

describe('date search', () => {
  let t: SearchTestDb;
  before(async () => {
    t = await createSearchTestDb();
    await t.insertAll([
      { resourceType: 'Patient', id: 'd1', birthDate: '1980' },
      { resourceType: 'Patient', id: 'd2', birthDate: '1980-05' },
      { resourceType: 'Patient', id: 'd3', birthDate: '1980-05-15' },
      { resourceType: 'Patient', id: 'd4', birthDate: '1981-01-01' },
      { resourceType: 'Patient', id: 'd5', birthDate: '1979-12-31' },
      { resourceType: 'Patient', id: 'd6' },
      // UTC: 04:30 to 06:30 on 1 Jan 2020
      { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, period: { start: '2020-01-01T10:00:00+05:30', end: '2020-01-01T12:00:00+05:30' } },
      { resourceType: 'Encounter', id: 'e2', status: 'in-progress', class: { code: 'IMP' }, period: { start: '2020-01-02' } },
      { resourceType: 'Encounter', id: 'e3', status: 'finished', class: { code: 'AMB' }, period: { end: '2019-12-31' } },
      { resourceType: 'Encounter', id: 'e4', status: 'finished', class: { code: 'EMER' }, period: { start: '2019-12-31T22:00:00Z', end: '2020-01-01T02:00:00Z' } },
    ]);
  });
  after(() => t.drop());

  const patients = async (query: string) => sorted(await t.ids('Patient', query));
  const encounters = async (query: string) => sorted(await t.ids('Encounter', query));

  it('eq: the value lies within the search value\'s precision', async () => {
    assert.deepEqual(await patients('birthdate=1980'), ['d1', 'd2', 'd3']);
    assert.deepEqual(await patients('birthdate=eq1980'), ['d1', 'd2', 'd3']);
    assert.deepEqual(await patients('birthdate=1980-05'), ['d2', 'd3']);
    assert.deepEqual(await patients('birthdate=1980-05-15'), ['d3']);
    assert.deepEqual(await patients('birthdate=1980-05-15T10:00:00Z'), []); // a day does not lie within a second
  });

  it('ne', async () => {
    assert.deepEqual(await patients('birthdate=ne1980'), ['d4', 'd5']);
    assert.deepEqual(await patients('birthdate=ne1980-05'), ['d1', 'd4', 'd5']);
  });

  it('lt and le compare the start of the value with the search range', async () => {
    assert.deepEqual(await patients('birthdate=lt1980'), ['d5']);
    assert.deepEqual(await patients('birthdate=lt1980-05-15'), ['d1', 'd2', 'd5']);
    assert.deepEqual(await patients('birthdate=le1980-05-15'), ['d1', 'd2', 'd3', 'd5']);
    assert.deepEqual(await patients('birthdate=le1979-12-31'), ['d5']);
  });

  it('gt and ge compare the end of the value with the search range', async () => {
    assert.deepEqual(await patients('birthdate=gt1980'), ['d4']);
    assert.deepEqual(await patients('birthdate=gt1980-05-15'), ['d1', 'd2', 'd4']);
    assert.deepEqual(await patients('birthdate=ge1980-05-15'), ['d1', 'd2', 'd3', 'd4']);
    assert.deepEqual(await patients('birthdate=ge1980-12-31'), ['d1', 'd4']);
    assert.deepEqual(await patients('birthdate=ge1981'), ['d4']);
    assert.deepEqual(await patients('birthdate=gt1981-01-01'), []);
  });

  it('sa and eb need the whole value after or before the search range', async () => {
    assert.deepEqual(await patients('birthdate=sa1980-05-15'), ['d4']);
    assert.deepEqual(await patients('birthdate=eb1980-05-15'), ['d5']);
    assert.deepEqual(await patients('birthdate=sa1979'), ['d1', 'd2', 'd3', 'd4']);
  });

  it('ap overlaps a range widened by 10% of the distance from now', async () => {
    assert.deepEqual(await patients('birthdate=ap1980-05-15'), ['d1', 'd2', 'd3', 'd4', 'd5']);
    assert.deepEqual(await patients('birthdate=ap2020'), []);
  });

  it('combines prefixes: comma is OR, repetition is AND', async () => {
    assert.deepEqual(await patients('birthdate=lt1980,gt1980'), ['d4', 'd5']);
    assert.deepEqual(await patients('birthdate=ge1980&birthdate=le1980-12-31'), ['d1', 'd2', 'd3']);
  });

  it('compares Periods, open ends and time zones in UTC', async () => {
    assert.deepEqual(await encounters('date=2020-01-01'), ['e1']);
    assert.deepEqual(await encounters('date=ge2020-01-01'), ['e1', 'e2', 'e4']);
    assert.deepEqual(await encounters('date=lt2020-01-01'), ['e3', 'e4']);
    assert.deepEqual(await encounters('date=sa2019-12-31'), ['e1', 'e2']);
    assert.deepEqual(await encounters('date=eb2020-01-02'), ['e1', 'e3', 'e4']);
    assert.deepEqual(await encounters('date=gt2030'), ['e2']);
    assert.deepEqual(await encounters('date=le2019-12-31T22:00:00Z'), ['e3', 'e4']);
    assert.deepEqual(await encounters('date=ge2020-01-01T06:00:00%2B05:30'), ['e1', 'e2', 'e4']);
    assert.deepEqual(await encounters('date=ge2020-01-01T06:00:00+05:30'), ['e1', 'e2', 'e4']); // '+' arrived as a space
    assert.deepEqual(await encounters('date=ge2020-01-01T12:00:01%2B05:30'), ['e2']);
  });

  it(':missing', async () => {
    assert.deepEqual(await patients('birthdate:missing=true'), ['d6']);
  });

  it('orders a date search by date, then id', async () => {
    assert.deepEqual(await t.ids('Patient', 'birthdate=ge1980'), ['d1', 'd2', 'd3', 'd4']);
    assert.deepEqual(await t.ids('Patient', 'birthdate=le1980-12-31'), ['d5', 'd1', 'd2', 'd3']);
  });

  it('refuses a value that is not a date', async () => {
    await assert.rejects(t.find('Patient', 'birthdate=notadate', { strict: true }), /birthdate/);
    await assert.rejects(t.find('Patient', 'birthdate=xx1980', { strict: true }), /birthdate/);
    await assert.rejects(t.find('Patient', 'birthdate=ge', { strict: true }), /birthdate/);
  });
});
