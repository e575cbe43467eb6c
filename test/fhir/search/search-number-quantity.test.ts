import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSearchTestDb, sorted, type SearchTestDb } from './search-test-db.js';

const UCUM = 'http://unitsofmeasure.org';
const obs = (id: string, valueQuantity: object) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, valueQuantity });
const risk = (id: string, probability: number) => ({ resourceType: 'RiskAssessment', id, status: 'final', subject: { reference: 'Patient/p' }, prediction: [{ probabilityDecimal: probability }] });

describe('number and quantity search', () => {
  let t: SearchTestDb;
  before(async () => {
    t = await createSearchTestDb();
    await t.insertAll([
      obs('q1', { value: 5.4, unit: 'mg', system: UCUM, code: 'mg' }),
      obs('q2', { value: 100, unit: 'mg', system: UCUM, code: 'mg' }),
      obs('q3', { value: 99.6, unit: 'mg' }),
      obs('q4', { value: 100.5, unit: 'g', system: UCUM, code: 'g' }),
      obs('q5', { value: 0.5, comparator: '<', unit: 'mg', system: UCUM, code: 'mg' }),
      { resourceType: 'Observation', id: 'q6', status: 'final', code: { text: 'no value' } },
      risk('r1', 0.8),
      risk('r2', 0.25),
      risk('r3', 1),
    ]);
  });
  after(() => t.drop());

  const q = async (query: string) => sorted(await t.ids('Observation', query));
  const r = async (query: string) => sorted(await t.ids('RiskAssessment', query));

  it('eq uses the precision of the search value: [low, high)', async () => {
    assert.deepEqual(await q('value-quantity=5.4'), ['q1']);
    assert.deepEqual(await q('value-quantity=100'), ['q2', 'q3']); // 99.5 <= v < 100.5
    assert.deepEqual(await q('value-quantity=100.0'), ['q2']);
    assert.deepEqual(await q('value-quantity=1e2'), ['q2', 'q3', 'q4']); // one significant figure: [50, 150)
    assert.deepEqual(await r('probability=1'), ['r1', 'r3']); // [0.5, 1.5)
    assert.deepEqual(await r('probability=1.0'), ['r3']);
    assert.deepEqual(await r('probability=0.8'), ['r1']);
  });

  it('gt, ge, lt, le compare with the exact search value', async () => {
    assert.deepEqual(await q('value-quantity=gt100'), ['q4']);
    assert.deepEqual(await q('value-quantity=ge100'), ['q2', 'q4']);
    assert.deepEqual(await q('value-quantity=lt100'), ['q1', 'q3', 'q5']);
    assert.deepEqual(await q('value-quantity=le5.4'), ['q1', 'q5']);
    assert.deepEqual(await r('probability=gt0.5'), ['r1', 'r3']);
    assert.deepEqual(await r('probability=lt0.25'), []);
    assert.deepEqual(await r('probability=le0.25'), ['r2']);
  });

  it('ne, sa, eb and ap', async () => {
    assert.deepEqual(await q('value-quantity=ne100'), ['q1', 'q4', 'q5']);
    assert.deepEqual(await q('value-quantity=sa100'), ['q4']);
    assert.deepEqual(await q('value-quantity=eb5.4'), ['q5']);
    assert.deepEqual(await q('value-quantity=ap100'), ['q2', 'q3', 'q4']);
  });

  it('matches the unit: system|code, or ||unit against code or unit text', async () => {
    assert.deepEqual(await q(`value-quantity=5.4|${UCUM}|mg`), ['q1']);
    assert.deepEqual(await q(`value-quantity=5.4|${UCUM}|g`), []);
    assert.deepEqual(await q('value-quantity=100||mg'), ['q2', 'q3']);
    assert.deepEqual(await q(`value-quantity=gt50|${UCUM}|g`), ['q4']);
    assert.deepEqual(await q(`value-quantity=lt1|${UCUM}|`), ['q5']);
  });

  it('ORs comma-separated values, ANDs repeated ones', async () => {
    assert.deepEqual(await q('value-quantity=5.4,100.5'), ['q1', 'q4']);
    assert.deepEqual(await q('value-quantity=gt5&value-quantity=lt100'), ['q1', 'q3']);
    assert.deepEqual(await q('value-quantity=gt6&value-quantity=lt100'), ['q3']);
  });

  it(':missing', async () => {
    assert.deepEqual(await q('value-quantity:missing=true'), ['q6']);
  });

  it('refuses values that are not numbers', async () => {
    await assert.rejects(t.find('Observation', 'value-quantity=abc', { strict: true }), /value-quantity/);
    await assert.rejects(t.find('Observation', 'value-quantity=5|a', { strict: true }), /value-quantity/);
    await assert.rejects(t.find('RiskAssessment', 'probability=0.5|x|y', { strict: true }), /probability/);
  });
});
