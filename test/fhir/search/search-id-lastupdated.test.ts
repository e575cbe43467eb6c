import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSearchTestDb, sorted, type SearchTestDb } from './search-test-db.js';

describe('_id and _lastUpdated', () => {
  let t: SearchTestDb;
  before(async () => {
    t = await createSearchTestDb();
    await t.insert({ resourceType: 'Patient', id: 'i1', gender: 'female' }, { lastUpdated: '2024-01-01T10:00:00Z' });
    await t.insert({ resourceType: 'Patient', id: 'i2', gender: 'male' }, { lastUpdated: '2024-01-02T10:00:00Z' });
    await t.insert({ resourceType: 'Patient', id: 'i3', gender: 'female' }, { lastUpdated: '2024-02-01T00:00:00Z' });
    await t.insert({ resourceType: 'Patient', id: 'i4' }, { lastUpdated: '2024-01-05T00:00:00Z' });
    await t.insert({ resourceType: 'Patient', id: 'i4' }, { lastUpdated: '2024-01-06T00:00:00Z', deleted: true });
    await t.insert({ resourceType: 'Observation', id: 'i1', status: 'final', code: { text: 'same id, other type' } });
  });
  after(() => t.drop());

  const ids = async (query: string) => sorted(await t.ids('Patient', query));

  it('_id takes one id or a comma list', async () => {
    assert.deepEqual(await ids('_id=i1'), ['i1']);
    assert.deepEqual(await ids('_id=i1,i3'), ['i1', 'i3']);
    assert.deepEqual(await ids('_id=nope'), []);
    assert.deepEqual(await ids('_id=i4'), []); // deleted
    assert.deepEqual(await ids('_id=i1&gender=male'), []);
  });

  it('_lastUpdated follows the date rules on the version time', async () => {
    assert.deepEqual(await ids('_lastUpdated=2024-01'), ['i1', 'i2']);
    assert.deepEqual(await ids('_lastUpdated=ge2024-01-02'), ['i2', 'i3']);
    assert.deepEqual(await ids('_lastUpdated=gt2024-01-02'), ['i3']);
    assert.deepEqual(await ids('_lastUpdated=lt2024-01-02T10:00:00Z'), ['i1']);
    assert.deepEqual(await ids('_lastUpdated=le2024-01-02T10:00:00Z'), ['i1', 'i2']);
    assert.deepEqual(await ids('_lastUpdated=2024-01-02T10:00:00Z'), ['i2']);
    assert.deepEqual(await ids('_lastUpdated=2024-01-02T10:00Z'.replace('Z', ':00Z')), ['i2']);
    assert.deepEqual(await ids('_lastUpdated=sa2024-01-02'), ['i3']);
    assert.deepEqual(await ids('_lastUpdated=eb2024-01-02'), ['i1']);
    assert.deepEqual(await ids('_lastUpdated=ne2024-01'), ['i3']);
    assert.deepEqual(await ids('_lastUpdated=gt2024-01-01&_id=i1,i2'), ['i2']);
  });

  it('refuses a bad _lastUpdated and modifiers on _id', async () => {
    await assert.rejects(t.find('Patient', '_lastUpdated=yesterday', { strict: true }), /_lastUpdated/);
    await assert.rejects(t.find('Patient', '_id:exact=i1', { strict: true }), /_id/);
  });
});
