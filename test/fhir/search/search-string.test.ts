import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSearchTestDb, sorted, type SearchTestDb } from './search-test-db.js';

describe('string search', () => {
  let t: SearchTestDb;
  before(async () => {
    t = await createSearchTestDb();
    await t.insertAll([
      { resourceType: 'Patient', id: 'p1', name: [{ family: 'Sharma', given: ['Zoë'] }], address: [{ line: ['12 MG Road'], city: 'Pune' }] },
      { resourceType: 'Patient', id: 'p2', name: [{ family: 'Verma', given: ['Zoe'] }] },
      { resourceType: 'Patient', id: 'p3', name: [{ family: 'Sharmila', given: ['Anita'] }] },
      { resourceType: 'Patient', id: 'p4', name: [{ text: 'Ravi Kumar', family: 'Kumar' }] },
      { resourceType: 'Patient', id: 'p5', name: [{ family: "D'Souza", given: ['Priya'] }] },
      { resourceType: 'Patient', id: 'p6', name: [{ family: '100%_Pure', given: ['Test'] }] },
      { resourceType: 'Patient', id: 'p7', name: [{ family: 'ZOË', given: ['Meera'] }] },
      { resourceType: 'Patient', id: 'p9', gender: 'unknown' },
      { resourceType: 'Patient', id: 'p10', name: [{ family: 'Sen', given: ['Amit'] }] },
      { resourceType: 'Practitioner', id: 'pr1', name: [{ family: 'Sharma', given: ['Zoë'] }] },
    ]);
    await t.insert({ resourceType: 'Patient', id: 'p8', name: [{ family: 'Sharma' }] });
    await t.insert({ resourceType: 'Patient', id: 'p8' }, { deleted: true });
  });
  after(() => t.drop());

  const patients = async (query: string) => sorted(await t.ids('Patient', query));

  it('matches the start of any part, ignoring case and accents', async () => {
    assert.deepEqual(await patients('name=zoe'), ['p1', 'p2', 'p7']);
    assert.deepEqual(await patients('name=ZOË'), ['p1', 'p2', 'p7']);
    assert.deepEqual(await patients('name=  zoe  '), ['p1', 'p2', 'p7']);
    assert.deepEqual(await patients('family=sharm'), ['p1', 'p3']); // not p8 (deleted), not pr1 (Practitioner)
    assert.deepEqual(await patients('name=kumar'), ['p4']);
    assert.deepEqual(await patients('name=oe'), []);
  });

  it('finds the whole name, given then family, and HumanName.text', async () => {
    assert.deepEqual(await patients('name=anita sh'), ['p3']);
    assert.deepEqual(await patients('name=ravi k'), ['p4']);
    assert.deepEqual(await patients('name=sharma zoe'), []);
  });

  it(':exact compares the text as written', async () => {
    assert.deepEqual(await patients('name:exact=Zoë'), ['p1']);
    assert.deepEqual(await patients('name:exact=ZOË'), ['p7']);
    assert.deepEqual(await patients('name:exact=zoë'), []);
    assert.deepEqual(await patients('name:exact=Zo'), []);
  });

  it(':contains matches anywhere', async () => {
    assert.deepEqual(await patients('name:contains=arm'), ['p1', 'p3']);
    assert.deepEqual(await patients('name:contains=OUZ'), ['p5']);
  });

  it('treats % _ and \\ in the value literally', async () => {
    assert.deepEqual(await patients('name=100%25_'), ['p6']);
    assert.deepEqual(await patients('name=100_'), []);
    assert.deepEqual(await patients('name=%25'), []);
    assert.deepEqual(await patients('name:contains=%25_p'), ['p6']);
    assert.deepEqual(await patients('name:contains=_'), ['p6']);
    assert.deepEqual(await patients("name=d'souza"), ['p5']);
  });

  it('searches addresses by part', async () => {
    assert.deepEqual(await patients('address-city=PUNE'), ['p1']);
    assert.deepEqual(await patients('address=12 mg'), ['p1']);
    assert.deepEqual(await patients('address=road'), []);
  });

  it('ORs comma-separated values and ANDs repeated parameters', async () => {
    assert.deepEqual(await patients('given=zo,anita'), ['p1', 'p2', 'p3']);
    assert.deepEqual(await patients('name=zoe&family=verma'), ['p2']);
    assert.deepEqual(await patients('name=zoe&name=sharma'), ['p1']);
  });

  it(':missing', async () => {
    assert.deepEqual(await patients('name:missing=true'), ['p9']);
    assert.deepEqual(await patients('name:missing=false'), ['p1', 'p10', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
  });

  it('returns each resource once, however many of its values match', async () => {
    const ids = await t.ids('Patient', 'name=zoe'); // p1 matches 'zoe' and 'zoe sharma'
    assert.equal(ids.length, new Set(ids).size);
    assert.equal((await t.find('Patient', 'name=zoe')).total, 3);
  });

  it('orders a name search by the name that matched, then id', async () => {
    assert.deepEqual(await t.ids('Patient', 'name=s'), ['p10', 'p1', 'p3']); // sen, sharma, sharmila
    assert.deepEqual(await t.ids('Patient', 'name=zoe'), ['p1', 'p2', 'p7']); // all 'zoe': by id
  });

  it('searches other resource types with their own parameters', async () => {
    assert.deepEqual(await t.ids('Practitioner', 'name=zoe'), ['pr1']);
  });
});
