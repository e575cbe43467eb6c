import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSearchTestDb, type SearchTestDb } from './search-test-db.js';

const HOSTILE = [
  "'; DROP TABLE search_index; --",
  "' OR '1'='1",
  "x' OR 1=1 --",
  '%',
  '_',
  '\\',
  '%%',
  "$1",
  "') UNION SELECT hospital_id, resource_type, id, resource FROM resource_version --",
];

describe('SQL-injection-looking input', () => {
  let t: SearchTestDb;
  before(async () => {
    t = await createSearchTestDb();
    await t.insertAll([
      { resourceType: 'Patient', id: 'v1', name: [{ family: 'Victim' }], identifier: [{ system: 'urn:uhid', value: 'V1' }], managingOrganization: { reference: 'Organization/o' } },
      { resourceType: 'Patient', id: 'v2', name: [{ family: 'Other' }], birthDate: '1990-01-01' },
    ]);
    await t.insert({ resourceType: 'Patient', id: 'v3', name: [{ family: 'Other hospital' }] }, { hospitalId: 'h2' });
  });
  after(() => t.drop());

  it('finds nothing and raises nothing, in any kind of parameter', async () => {
    for (const value of HOSTILE) {
      const v = encodeURIComponent(value);
      for (const query of [
        `name=${v}`, `name:exact=${v}`, `family:contains=${v}`, `identifier=${v}`, `identifier=${v}|${v}`,
        `organization=${v}`, `organization=Organization/${v}`, `_id=${v}`, `_id=v1,${v}`.replace('v1,', ''),
        `gender:not=${v}&_id=${v}`, `phone:text=${v}`, `_profile=${v}`, `_profile:below=${v}`,
      ]) {
        const b = await t.find('Patient', query);
        const matches = (b.entry ?? []).filter((e) => e.search.mode === 'match');
        assert.deepEqual(matches, [], `${query} matched ${matches.map((m) => m.resource.id)}`);
      }
    }
  });

  it('hostile parameter names, modifiers, sorts and includes are refused as unknown, not run', async () => {
    for (const value of HOSTILE) {
      const v = encodeURIComponent(value);
      for (const query of [`${v}=1`, `name:${v}=x`, `_sort=${v}`, `_include=Patient:${v}`, `_include=${v}`, `_revinclude=${v}:subject`, `birthdate=${v}`, `_lastUpdated=ge${v}`, `_count=${v}`]) {
        const b = await t.find('Patient', query);
        assert.ok(b.entry?.some((e) => e.search.mode === 'outcome'), `${query}: no warning`);
        await assert.rejects(t.find('Patient', query, { strict: true }), /./);
      }
    }
  });

  it('refuses a NUL character (PostgreSQL text cannot hold one) instead of failing', async () => {
    const b = await t.find('Patient', 'name=a%00b');
    assert.match(JSON.stringify(b.entry?.find((e) => e.search.mode === 'outcome')?.resource), /NUL/);
    await assert.rejects(t.find('Patient', 'name=a%00b', { strict: true }), (err: Error & { status?: number }) => err.status === 400);
    await assert.rejects(t.find('Patient', 'na%00me=x', { strict: true }), (err: Error & { status?: number }) => err.status === 400);
  });

  it('leaves the tables as they were', async () => {
    const [{ n }] = await t.db.query<{ n: number }>('SELECT count(*) AS n FROM search_index');
    assert.ok(n > 0);
    assert.deepEqual(await t.ids('Patient', 'name=victim'), ['v1']);
    assert.deepEqual((await t.ids('Patient', '')).sort(), ['v1', 'v2']);
  });
});
