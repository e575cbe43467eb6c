import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSearchTestDb, sorted, type SearchTestDb } from './search-test-db.js';

describe('tenant isolation: a search sees only its own hospital', () => {
  let t: SearchTestDb;
  const h2 = { hospitalId: 'h2' };
  before(async () => {
    t = await createSearchTestDb();
    // The same ids in two hospitals, with different content.
    await t.insert({ resourceType: 'Patient', id: 'x1', name: [{ family: 'Asha' }], gender: 'female', managingOrganization: { reference: 'Organization/o1' } });
    await t.insert({ resourceType: 'Patient', id: 'x1', name: [{ family: 'Asha', given: ['Other'] }], gender: 'female', managingOrganization: { reference: 'Organization/o1' } }, h2);
    await t.insert({ resourceType: 'Patient', id: 'x2', name: [{ family: 'Asha' }], birthDate: '2000-01-01' }, h2);
    await t.insert({ resourceType: 'Organization', id: 'o1', name: 'Only in h2' }, h2);
    await t.insert({ resourceType: 'Observation', id: 'ob', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/x1' } }, h2);
    await t.insert({ resourceType: 'Patient', id: 'x3', name: [{ family: 'Bala' }] }, h2);
    await t.insert({ resourceType: 'Patient', id: 'x4', name: [{ family: 'Chitra' }], gender: 'female' });
    await t.insert({ resourceType: 'Patient', id: 'x4', name: [{ family: 'Aarti' }], gender: 'female' }, h2);
    await t.insert({ resourceType: 'Patient', id: 'x3' }, { deleted: true }); // deleted in h1 only
  });
  after(() => t.drop());

  it('matches, content and totals come from the requesting hospital', async () => {
    const b = await t.find('Patient', 'name=asha&_total=accurate');
    assert.equal((await t.find('Patient', 'name=asha&_count=0&_total=accurate')).total, 1);
    assert.deepEqual(b.entry?.map((e) => e.resource.id), ['x1']);
    assert.deepEqual(b.entry?.[0].resource.name, [{ family: 'Asha' }]);
    assert.equal(b.total, 1);
    assert.equal((await t.find('Patient', '_summary=count')).total, 2);
    assert.deepEqual(sorted(await t.ids('Patient', 'name=asha', h2)), ['x1', 'x2']);
  });

  it('no criterion reaches into another hospital', async () => {
    for (const query of ['_id=x2', 'birthdate=2000', 'name=other', '_id=x3', 'name=bala', 'gender=female&_id=x2', '_lastUpdated=gt2000']) {
      const ids = await t.ids('Patient', query);
      assert.ok(!ids.includes('x2') && !ids.includes('x3'), `${query}: ${ids}`);
    }
    // x1 exists in both: its h2 index rows must not make h1's x1 match.
    assert.deepEqual(await t.ids('Patient', 'name=other'), []);
    assert.deepEqual(await t.ids('Patient', 'gender=female&name=other'), []);
    assert.deepEqual(await t.ids('Patient', 'gender=female&given=other'), []);
    assert.deepEqual(await t.ids('Patient', 'name=other&_sort=_id'), []);
    assert.deepEqual(await t.ids('Patient', 'name:contains=other'), []);
    assert.deepEqual(await t.ids('Patient', 'gender=female&organization=o1&_sort=name'), ['x1']);
    // Sorting by a parameter reads this hospital's values only (h2's x4 is 'Aarti').
    assert.deepEqual(await t.ids('Patient', 'gender=female&_sort=name'), ['x1', 'x4']);
    assert.deepEqual(await t.ids('Patient', '_id=x3', h2), ['x3']);
    assert.deepEqual(await t.ids('Observation', 'subject=Patient/x1'), []);
  });

  it('_include and _revinclude stay in the hospital', async () => {
    const b = await t.find('Patient', '_id=x1&_include=Patient:organization&_revinclude=Observation:subject');
    assert.deepEqual(b.entry?.map((e) => `${e.resource.resourceType}/${e.resource.id}`), ['Patient/x1']);
    const other = await t.find('Patient', '_id=x1&_include=Patient:organization&_revinclude=Observation:subject', h2);
    assert.deepEqual(sorted(other.entry!.map((e) => `${e.resource.resourceType}/${e.resource.id}`)), ['Observation/ob', 'Organization/o1', 'Patient/x1']);
  });
});
