import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSearchTestDb, sorted, type SearchTestDb } from './search-test-db.js';
import { parseSearchParams } from '../../../src/fhir/search/search.js';

describe('uri search', () => {
  let t: SearchTestDb;
  before(async () => {
    t = await createSearchTestDb();
    await t.insertAll([
      { resourceType: 'Patient', id: 'u1', meta: { profile: ['http://nirantar.org/fhir/StructureDefinition/patient'] } },
      { resourceType: 'Patient', id: 'u2', meta: { profile: ['http://nirantar.org/fhir/StructureDefinition/patient/child'] } },
      { resourceType: 'Patient', id: 'u3', meta: { profile: ['http://nirantar.org/fhir'] } },
      { resourceType: 'Patient', id: 'u4' },
    ]);
  });
  after(() => t.drop());

  const ids = async (query: string) => sorted(await t.ids('Patient', query));

  it('exact, :below and :above', async () => {
    assert.deepEqual(await ids('_profile=http://nirantar.org/fhir/StructureDefinition/patient'), ['u1']);
    assert.deepEqual(await ids('_profile=http://nirantar.org/fhir/StructureDefinition/Patient'), []);
    assert.deepEqual(await ids('_profile:below=http://nirantar.org/fhir/StructureDefinition/patient'), ['u1', 'u2']);
    assert.deepEqual(await ids('_profile:above=http://nirantar.org/fhir/StructureDefinition/patient/child'), ['u1', 'u2', 'u3']);
    assert.deepEqual(await ids('_profile:missing=true'), ['u4']);
  });
});

describe('parseSearchParams', () => {
  it('keeps order and repetition, decodes + as a space', () => {
    assert.deepEqual(parseSearchParams('?name=a+b&name=c&birthdate=ge2020-01-01T00:00:00%2B05:30'), [
      ['name', 'a b'], ['name', 'c'], ['birthdate', 'ge2020-01-01T00:00:00+05:30'],
    ]);
    assert.deepEqual(parseSearchParams(new URLSearchParams('x=1')), [['x', '1']]);
  });
});
