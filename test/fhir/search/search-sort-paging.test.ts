import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, createSearchTestDb, type SearchTestDb } from './search-test-db.js';
import type { Bundle } from '../../../src/fhir/search/search-bundle.js';

const link = (b: Bundle, relation: string) => b.link.find((l) => l.relation === relation)?.url;
const matchIds = (b: Bundle) => (b.entry ?? []).filter((e) => e.search.mode === 'match').map((e) => String(e.resource.id));

describe('_sort, paging, totals and _summary=count', () => {
  let t: SearchTestDb;
  before(async () => {
    t = await createSearchTestDb();
    await t.insert({ resourceType: 'Patient', id: 's3', gender: 'female', name: [{ family: 'Bose' }], birthDate: '1990-01-01' }, { lastUpdated: '2024-03-01T00:00:00Z' });
    await t.insert({ resourceType: 'Patient', id: 's1', gender: 'female', name: [{ family: 'Rao' }], birthDate: '1970-06-01' }, { lastUpdated: '2024-01-01T00:00:00Z' });
    await t.insert({ resourceType: 'Patient', id: 's5', gender: 'female', name: [{ family: 'Bose' }], birthDate: '2001-02-03' }, { lastUpdated: '2024-05-01T00:00:00Z' });
    await t.insert({ resourceType: 'Patient', id: 's2', gender: 'female', name: [{ family: 'Anand' }] }, { lastUpdated: '2024-02-01T00:00:00Z' });
    await t.insert({ resourceType: 'Patient', id: 's4', gender: 'female', name: [{ family: 'Rao', given: ['Bindu'] }], birthDate: '1985-12-12' }, { lastUpdated: '2024-04-01T00:00:00Z' });
  });
  after(() => t.drop());

  it('orders by id by default', async () => {
    assert.deepEqual(await t.ids('Patient', 'gender=female'), ['s1', 's2', 's3', 's4', 's5']);
    assert.deepEqual(await t.ids('Patient', ''), ['s1', 's2', 's3', 's4', 's5']);
  });

  it('_sort by _id, _lastUpdated and parameters, ascending and descending, missing values last', async () => {
    assert.deepEqual(await t.ids('Patient', '_sort=-_id'), ['s5', 's4', 's3', 's2', 's1']);
    assert.deepEqual(await t.ids('Patient', '_sort=-_lastUpdated'), ['s5', 's4', 's3', 's2', 's1']);
    assert.deepEqual(await t.ids('Patient', '_sort=birthdate'), ['s1', 's4', 's3', 's5', 's2']);
    assert.deepEqual(await t.ids('Patient', '_sort=-birthdate'), ['s5', 's3', 's4', 's1', 's2']);
    assert.deepEqual(await t.ids('Patient', '_sort=family,-birthdate'), ['s2', 's5', 's3', 's4', 's1']);
    // name: smallest value ascending ('bindu' < 'bose'), largest descending ('rao bindu'? no: 'bindu rao')
    assert.deepEqual(await t.ids('Patient', '_sort=name'), ['s2', 's4', 's3', 's5', 's1']);
    assert.deepEqual(await t.ids('Patient', 'name=b&_sort=-_id'), ['s5', 's4', 's3']);
  });

  it('pages with _count and _offset through next/previous links', async () => {
    const first = await t.find('Patient', 'gender=female&_count=2');
    assert.deepEqual(matchIds(first), ['s1', 's2']);
    assert.equal(first.total, undefined); // not at the end, not asked for: not counted
    assert.equal(link(first, 'self'), `${BASE_URL}/Patient?gender=female&_count=2`);
    assert.equal(link(first, 'previous'), undefined);
    const next = link(first, 'next')!;
    assert.equal(next, `${BASE_URL}/Patient?gender=female&_count=2&_offset=2`);
    const second = await t.find('Patient', new URL(next).search);
    assert.deepEqual(matchIds(second), ['s3', 's4']);
    assert.equal(link(second, 'previous'), `${BASE_URL}/Patient?gender=female&_count=2`);
    const third = await t.find('Patient', new URL(link(second, 'next')!).search);
    assert.deepEqual(matchIds(third), ['s5']);
    assert.equal(link(third, 'next'), undefined);
    assert.equal(third.total, 5); // the last page tells the total
    assert.equal(link(third, 'last'), `${BASE_URL}/Patient?gender=female&_count=2&_offset=4`);
  });

  it('walks every page of a name search exactly once', async () => {
    const seen: string[] = [];
    let query: string | undefined = 'name=b&_count=1';
    while (query !== undefined) {
      const page: Bundle = await t.find('Patient', query);
      seen.push(...matchIds(page));
      const next = link(page, 'next');
      query = next ? new URL(next).search : undefined;
    }
    assert.deepEqual(seen, ['s4', 's3', 's5']); // bindu, bose (s3), bose (s5)
  });

  it('_total=accurate counts, _total=none never does', async () => {
    assert.equal((await t.find('Patient', 'gender=female&_count=2&_total=accurate')).total, 5);
    assert.equal((await t.find('Patient', 'gender=female&_total=none')).total, undefined);
    assert.equal((await t.find('Patient', 'gender=female')).total, 5);
    assert.equal((await t.find('Patient', 'gender=male')).total, 0);
    assert.equal((await t.find('Patient', 'gender=female&_offset=10')).total, undefined); // past the end: unknown
    assert.equal((await t.find('Patient', 'gender=female&_offset=10&_total=accurate')).total, 5);
  });

  it('_summary=count returns only the total', async () => {
    const b = await t.find('Patient', 'name=rao&_summary=count');
    assert.equal(b.total, 2);
    assert.equal(b.entry, undefined);
    assert.equal((await t.find('Patient', '_summary=count')).total, 5);
  });

  it('caps _count at 1000', async () => {
    assert.match(link(await t.find('Patient', '_count=5000'), 'self')!, /_count=1000/);
  });

  it('_elements keeps the named elements and marks the resource SUBSETTED', async () => {
    const b = await t.find('Patient', '_id=s4&_elements=birthDate');
    const r = b.entry![0].resource as { name?: unknown; birthDate?: string; id: string; meta: { tag: Array<{ code: string }> } };
    assert.equal(r.birthDate, '1985-12-12');
    assert.equal(r.name, undefined);
    assert.equal(r.id, 's4');
    assert.ok(r.meta.tag.some((tag) => tag.code === 'SUBSETTED'));
  });

  it('entries carry fullUrl, resource and mode match; resourceType comes first', async () => {
    const b = await t.find('Patient', '_id=s1');
    assert.equal(b.resourceType, 'Bundle');
    assert.equal(b.type, 'searchset');
    assert.equal(b.entry![0].fullUrl, `${BASE_URL}/Patient/s1`);
    assert.equal(b.entry![0].search.mode, 'match');
    assert.equal(Object.keys(b.entry![0].resource)[0], 'resourceType');
  });
});
