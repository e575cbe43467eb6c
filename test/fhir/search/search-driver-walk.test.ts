import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSearchTestDb, type SearchTestDb } from './search-test-db.js';

// A page driven by one criterion walks a bounded number of its index rows first (search.ts,
// pageRows); these matches lie beyond that first walk.
describe('a driven page whose matches lie beyond the first walk', () => {
  let t: SearchTestDb;
  const id = (i: number) => `w${String(i).padStart(3, '0')}`;
  before(async () => {
    t = await createSearchTestDb();
    for (let i = 0; i < 300; i++) {
      await t.insert({ resourceType: 'Patient', id: id(i), name: [{ family: 'Walker' }], gender: i >= 290 ? 'male' : 'female', birthDate: `19${String(i % 90).padStart(2, '0')}-01-01` });
    }
  });
  after(() => t.drop());

  it('still finds them, in order, with the right paging', async () => {
    assert.deepEqual(await t.ids('Patient', 'name=walk&gender=male&_count=1'), ['w290']);
    assert.deepEqual(await t.ids('Patient', 'name=walk&gender=male&_count=3&_offset=8'), ['w298', 'w299']);
    const all = await t.find('Patient', 'name=walk&gender=male');
    assert.equal(all.total, 10);
    assert.deepEqual(await t.ids('Patient', 'name=walk&gender=other'), []);
  });

  it('walks dates the same way', async () => {
    assert.deepEqual(await t.ids('Patient', 'birthdate=ge1900&gender=male&_count=2'), ['w290', 'w291']);
  });
});
