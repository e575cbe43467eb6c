import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { searchIndexRows, type SearchIndexRow } from '../../../src/fhir/search/index-rows.js';
import { normaliseString } from '../../../src/fhir/search/string-normalise.js';

const rowsOf = (rows: SearchIndexRow[], code: string) => rows.filter((r) => r.code === code);
const values = (rows: SearchIndexRow[], code: string) => rowsOf(rows, code).map((r) => r.value).sort();

describe('normaliseString', () => {
  it('folds case, Latin diacritics and spaces', () => {
    assert.equal(normaliseString('  Zoë   ÅNGSTRÖM '), 'zoe angstrom');
    assert.equal(normaliseString('José\tMaría'), 'jose maria');
  });
  it('keeps the vowel signs of Indic scripts (they are combining marks, not accents)', () => {
    assert.equal(normaliseString('शर्मा'), 'शर्मा');
    assert.equal(normaliseString('சுப்ரமணியன்'), 'சுப்ரமணியன்');
  });
});

describe('searchIndexRows', () => {
  const patient = {
    resourceType: 'Patient',
    id: 'p1',
    meta: { tag: [{ system: 'urn:tags', code: 'vip' }], profile: ['http://example.org/StructureDefinition/p'] },
    identifier: [{ system: 'urn:uhid', value: 'UH1', type: { text: 'Unique Health ID' } }, { value: 'NOSYS' }],
    active: true,
    name: [{ family: 'Sharma', given: ['Zoë', 'Anita'], prefix: ['Dr'], text: 'Dr Zoë Anita Sharma' }],
    telecom: [{ system: 'phone', value: '+91 98' }, { system: 'email', value: 'z@x.in' }],
    gender: 'female',
    birthDate: '1980-05',
    address: [{ line: ['12 MG Road'], city: 'Pune', district: 'Pune', state: 'MH', postalCode: '411001', country: 'IN' }],
    managingOrganization: { reference: 'Organization/o1/_history/3' },
    generalPractitioner: [{ reference: 'http://other.org/fhir/Practitioner/x' }, { reference: '#contained' }],
  };
  const rows = searchIndexRows(patient);

  it('indexes each part of a HumanName, and the whole name for `name`', () => {
    assert.deepEqual(values(rows, 'name'), ['anita', 'dr', 'dr zoe anita sharma', 'sharma', 'zoe', 'zoe anita sharma']);
    assert.deepEqual(values(rows, 'family'), ['sharma']);
    assert.deepEqual(values(rows, 'given'), ['anita', 'zoe']);
    assert.equal(rowsOf(rows, 'given').find((r) => r.value === 'zoe')?.raw, 'Zoë');
  });

  it('indexes the parts of an Address', () => {
    assert.deepEqual(values(rows, 'address'), ['12 mg road', '411001', 'in', 'mh', 'pune']);
    assert.deepEqual(values(rows, 'address-city'), ['pune']);
  });

  it('indexes tokens with their system, ContactPoint without one', () => {
    assert.deepEqual(rowsOf(rows, 'identifier'), [
      { code: 'identifier', system: 'urn:uhid', value: 'UH1', raw: 'unique health id' },
      { code: 'identifier', system: null, value: 'NOSYS', raw: null },
    ]);
    assert.deepEqual(rowsOf(rows, 'phone'), [{ code: 'phone', system: null, value: '+91 98' }]);
    assert.deepEqual(rowsOf(rows, 'email'), [{ code: 'email', system: null, value: 'z@x.in' }]);
    assert.deepEqual(values(rows, 'telecom'), ['+91 98', 'z@x.in']);
    assert.deepEqual(rowsOf(rows, 'active'), [{ code: 'active', system: null, value: 'true' }]);
    assert.deepEqual(rowsOf(rows, '_tag'), [{ code: '_tag', system: 'urn:tags', value: 'vip', raw: null }]);
    assert.deepEqual(rowsOf(rows, '_profile'), [{ code: '_profile', value: 'http://example.org/StructureDefinition/p' }]);
  });

  it('indexes references as Type/id without _history, absolute ones as written, contained ones not at all', () => {
    assert.deepEqual(rowsOf(rows, 'organization'), [{ code: 'organization', value: 'Organization/o1' }]);
    assert.deepEqual(rowsOf(rows, 'general-practitioner'), [{ code: 'general-practitioner', value: 'http://other.org/fhir/Practitioner/x' }]);
  });

  it('indexes a date as the range it covers', () => {
    assert.deepEqual(rowsOf(rows, 'birthdate'), [{ code: 'birthdate', lowTime: '1980-05-01T00:00:00.000Z', highTime: '1980-05-31T23:59:59.999Z' }]);
  });

  it('does not index _id and _lastUpdated (columns of resource_current) or composites', () => {
    assert.equal(rowsOf(rows, '_id').length, 0);
    assert.equal(rowsOf(rows, '_lastUpdated').length, 0);
    const obs = searchIndexRows({ resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, valueQuantity: { value: 1 } });
    assert.equal(obs.filter((r) => r.code.startsWith('code-value')).length, 0);
  });

  it('indexes Periods, Timings and open ends', () => {
    const enc = searchIndexRows({ resourceType: 'Encounter', id: 'e', status: 'finished', class: { code: 'AMB' }, period: { start: '2020-01-01T10:00:00+05:30' } });
    assert.deepEqual(rowsOf(enc, 'date'), [{ code: 'date', lowTime: '2020-01-01T04:30:00.000Z', highTime: 'infinity' }]);
    const sr = searchIndexRows({ resourceType: 'ServiceRequest', id: 's', status: 'active', intent: 'order', subject: { reference: 'Patient/p' }, occurrenceTiming: { event: ['2021-03-01', '2021-03-05'] } });
    assert.deepEqual(rowsOf(sr, 'occurrence'), [
      { code: 'occurrence', lowTime: '2021-03-01T00:00:00.000Z', highTime: '2021-03-01T23:59:59.999Z' },
      { code: 'occurrence', lowTime: '2021-03-05T00:00:00.000Z', highTime: '2021-03-05T23:59:59.999Z' },
    ]);
  });

  it('indexes codes with display text, and quantities with their precision and unit', () => {
    const obs = searchIndexRows({
      resourceType: 'Observation', id: 'o', status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin' }], text: 'Hb' },
      subject: { reference: 'Patient/p1' },
      valueQuantity: { value: 5.4, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' },
    });
    assert.deepEqual(rowsOf(obs, 'code'), [
      { code: 'code', system: 'http://loinc.org', value: '718-7', raw: 'hemoglobin' },
      { code: 'code', system: null, value: null, raw: 'hb' },
    ]);
    assert.deepEqual(rowsOf(obs, 'value-quantity'), [
      { code: 'value-quantity', system: 'http://unitsofmeasure.org', value: 'mg', raw: 'mg', lowNum: 5.35, highNum: 5.45 },
    ]);
    assert.deepEqual(rowsOf(obs, 'patient'), [{ code: 'patient', value: 'Patient/p1' }]);
    assert.deepEqual(rowsOf(obs, 'subject'), [{ code: 'subject', value: 'Patient/p1' }]);
  });

  it('gives a Quantity with a comparator an open end', () => {
    const obs = searchIndexRows({ resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, valueQuantity: { value: 0.5, comparator: '<', code: 'mg', system: 'http://unitsofmeasure.org' } });
    const [row] = rowsOf(obs, 'value-quantity');
    assert.equal(row.highNum, 0.5);
    assert.ok(row.lowNum! < -1e300);
  });

  it('does not index a reference to a Group as `patient`', () => {
    const obs = searchIndexRows({ resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, subject: { reference: 'Group/g' } });
    assert.deepEqual(rowsOf(obs, 'patient'), []);
    assert.deepEqual(rowsOf(obs, 'subject'), [{ code: 'subject', value: 'Group/g' }]);
  });

  it('returns nothing for a type without search parameters and survives malformed content', () => {
    assert.deepEqual(searchIndexRows({ resourceType: 'NotAType', id: 'x' }), []);
    const odd = searchIndexRows({ resourceType: 'Patient', id: 'x', name: 'not an array', birthDate: 'yesterday', telecom: [{ value: 5 }] } as never);
    assert.deepEqual(rowsOf(odd, 'birthdate'), []);
  });
});

describe('searchIndexRows drops repeated rows', () => {
  const key = (r: SearchIndexRow) => JSON.stringify([r.code, r.system ?? '', r.value ?? '', r.raw ?? '', r.lowTime ?? '', r.highTime ?? '', r.lowNum ?? '', r.highNum ?? '']);
  // A small resource is compared row by row, a large one (over 64 rows) by keys: both must agree.
  for (const names of [1, 40]) {
    it(`keeps each distinct row once (${names} name${names > 1 ? 's' : ''})`, () => {
      const patient = {
        resourceType: 'Patient', id: 'dup',
        // A name with only a family gives the same `name` row twice (the part and the whole).
        name: [{ family: 'Rao' }, ...Array.from({ length: names - 1 }, (_, i) => ({ family: 'Rao', given: [`G${i}`] }))],
        identifier: [{ system: 'urn:uhid', value: 'U1' }, { system: 'urn:uhid', value: 'U1' }, { system: 'urn:other', value: 'U1' }],
      };
      const rows = searchIndexRows(patient);
      if (names > 1) assert.ok(rows.length > 64, `${rows.length} rows: the large path`);
      const keys = rows.map(key);
      assert.equal(new Set(keys).size, keys.length, 'no row twice');
      assert.deepEqual(rowsOf(rows, 'family').map((r) => r.value), ['rao']);
      assert.deepEqual(rowsOf(rows, 'identifier').map((r) => `${r.system}|${r.value}`).sort(), ['urn:other|U1', 'urn:uhid|U1']);
      assert.equal(rowsOf(rows, 'name').filter((r) => r.value === 'rao').length, 1);
    });
  }
});
