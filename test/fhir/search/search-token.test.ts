import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSearchTestDb, sorted, type SearchTestDb } from './search-test-db.js';

const LOINC = 'http://loinc.org';

describe('token search', () => {
  let t: SearchTestDb;
  before(async () => {
    t = await createSearchTestDb();
    await t.insertAll([
      {
        resourceType: 'Patient', id: 't1', active: true, gender: 'female',
        identifier: [{ system: 'urn:uhid', value: 'U1', type: { text: 'Unique Health ID' } }, { system: 'urn:abha', value: 'A-1' }],
        telecom: [{ system: 'phone', value: '+91 98' }, { system: 'email', value: 'a@x.in' }],
      },
      { resourceType: 'Patient', id: 't2', active: false, gender: 'male', identifier: [{ system: 'urn:uhid', value: 'U2' }, { system: 'urn:misc', value: 'A,B' }] },
      { resourceType: 'Patient', id: 't3', gender: 'female', identifier: [{ value: 'U1' }] },
      { resourceType: 'Patient', id: 't4', gender: 'other' },
      { resourceType: 'Patient', id: 't5' },
      { resourceType: 'Observation', id: 'o1', status: 'final', code: { coding: [{ system: LOINC, code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' }], text: 'Hb' } },
      { resourceType: 'Observation', id: 'o2', status: 'final', code: { coding: [{ system: LOINC, code: '2339-0', display: 'Glucose' }] } },
      { resourceType: 'Observation', id: 'o3', status: 'preliminary', code: { text: 'Random sugar' } },
      { resourceType: 'Observation', id: 'o4', status: 'final', code: { coding: [{ system: 'urn:local', code: '718-7' }] } },
    ]);
  });
  after(() => t.drop());

  const ids = async (type: string, query: string) => sorted(await t.ids(type, query));

  it('code, system|code, |code and system|', async () => {
    assert.deepEqual(await ids('Patient', 'identifier=U1'), ['t1', 't3']);
    assert.deepEqual(await ids('Patient', 'identifier=urn:uhid|U1'), ['t1']);
    assert.deepEqual(await ids('Patient', 'identifier=|U1'), ['t3']);
    assert.deepEqual(await ids('Patient', 'identifier=urn:uhid|'), ['t1', 't2']);
    assert.deepEqual(await ids('Patient', 'identifier=urn:abha|U1'), []);
    assert.deepEqual(await ids('Patient', 'identifier=u1'), []); // tokens are case-sensitive
    assert.deepEqual(await ids('Observation', 'code=718-7'), ['o1', 'o4']);
    assert.deepEqual(await ids('Observation', `code=${LOINC}|718-7`), ['o1']);
  });

  it('ORs comma-separated tokens, unescapes \\, and \\|', async () => {
    assert.deepEqual(await ids('Patient', 'identifier=urn:uhid|U1,urn:uhid|U2'), ['t1', 't2']);
    assert.deepEqual(await ids('Patient', 'identifier=A\\,B'), ['t2']);
    assert.deepEqual(await ids('Patient', 'identifier=urn:misc|A\\,B'), ['t2']);
  });

  it('codes, booleans and ContactPoints', async () => {
    assert.deepEqual(await ids('Patient', 'gender=female'), ['t1', 't3']);
    assert.deepEqual(await ids('Patient', 'active=true'), ['t1']);
    assert.deepEqual(await ids('Patient', 'active=false'), ['t2']);
    assert.deepEqual(await ids('Patient', 'phone=%2B91 98'), ['t1']);
    assert.deepEqual(await ids('Patient', 'email=a@x.in'), ['t1']);
    assert.deepEqual(await ids('Patient', 'telecom=a@x.in'), ['t1']);
    assert.deepEqual(await ids('Patient', 'email=%2B91 98'), []);
  });

  it(':not finds resources without a matching token, including those with none', async () => {
    assert.deepEqual(await ids('Patient', 'gender:not=female'), ['t2', 't4', 't5']);
    assert.deepEqual(await ids('Patient', 'gender:not=female,male'), ['t4', 't5']);
    assert.deepEqual(await ids('Observation', 'code:not=718-7'), ['o2', 'o3']);
    assert.deepEqual(await ids('Observation', `code:not=${LOINC}|718-7`), ['o2', 'o3', 'o4']);
  });

  it(':text searches display and text at the start of words', async () => {
    assert.deepEqual(await ids('Observation', 'code:text=hemo'), ['o1']);
    assert.deepEqual(await ids('Observation', 'code:text=HB'), ['o1']);
    assert.deepEqual(await ids('Observation', 'code:text=blood'), ['o1']);
    assert.deepEqual(await ids('Observation', 'code:text=sugar'), ['o3']);
    assert.deepEqual(await ids('Observation', 'code:text=ugar'), []);
    assert.deepEqual(await ids('Patient', 'identifier:text=unique health'), ['t1']);
  });

  it(':missing', async () => {
    assert.deepEqual(await ids('Patient', 'identifier:missing=true'), ['t4', 't5']);
    assert.deepEqual(await ids('Patient', 'gender:missing=false'), ['t1', 't2', 't3', 't4']);
  });

  it('combines with other criteria', async () => {
    assert.deepEqual(await ids('Patient', 'gender=female&identifier=urn:uhid|'), ['t1']);
    assert.deepEqual(await ids('Observation', 'status=final&code=718-7'), ['o1', 'o4']);
  });

  it('warns about modifiers it does not support', async () => {
    const bundle = await t.find('Observation', 'code:in=http://example.org/vs');
    const outcome = bundle.entry?.find((e) => e.search.mode === 'outcome');
    assert.match(JSON.stringify(outcome?.resource), /:in/);
  });
});
