import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, createSearchTestDb, sorted, type SearchTestDb } from './search-test-db.js';
import { FhirError } from '../../../src/fhir/outcome.js';
import type { Bundle } from '../../../src/fhir/search/search-bundle.js';

const warnings = (b: Bundle) => {
  const outcome = b.entry?.find((e) => e.search.mode === 'outcome')?.resource as { issue: Array<{ severity: string; diagnostics: string }> } | undefined;
  return outcome?.issue ?? [];
};
const self = (b: Bundle) => b.link.find((l) => l.relation === 'self')!.url;

async function refusal(t: SearchTestDb, query: string): Promise<FhirError> {
  try {
    await t.find('Patient', query, { strict: true });
  } catch (err) {
    assert.ok(err instanceof FhirError, `expected a FhirError, got ${err}`);
    return err;
  }
  assert.fail(`strict search ${query} was not refused`);
}

describe('strict and lenient handling of what cannot be applied', () => {
  let t: SearchTestDb;
  before(async () => {
    t = await createSearchTestDb();
    await t.insertAll([
      { resourceType: 'Patient', id: 'a', name: [{ family: 'Iyer' }], birthDate: '1990-01-01' },
      { resourceType: 'Patient', id: 'b', name: [{ family: 'Khan' }], birthDate: '1991-01-01' },
    ]);
  });
  after(() => t.drop());

  const cases: Array<[string, RegExp]> = [
    ['foo=bar', /foo/],
    ['name:fuzzy=iyer', /name/],
    ['birthdate=notadate', /birthdate/],
    ['_count=abc', /_count/],
    ['_offset=-1', /_offset/],
    ['_sort=nonsense', /nonsense/],
    ['_total=maybe', /_total/],
    ['_summary=true', /_summary/],
    ['_include=Patient:nonsense', /_include/],
    ['_elements=name.family', /_elements/],
    ['gender:missing=perhaps', /gender/],
    ['_has:Observation:patient:code=1', /_has/],
    ['general-practitioner.name=x', /general-practitioner\.name/],
  ];

  it('strict: a 400 OperationOutcome naming the parameter', async () => {
    for (const [query, names] of cases) {
      const err = await refusal(t, query);
      assert.equal(err.status, 400, query);
      assert.equal(err.outcome.resourceType, 'OperationOutcome');
      assert.match(err.outcome.issue[0].diagnostics ?? '', names, query);
    }
  });

  it('lenient: ignored with a warning naming it, and left out of the self link', async () => {
    for (const [query, names] of cases) {
      const b = await t.find('Patient', `name=iyer&${query}`);
      assert.deepEqual(b.entry?.filter((e) => e.search.mode === 'match').map((e) => e.resource.id), ['a'], query);
      const [w] = warnings(b);
      assert.equal(w?.severity, 'warning', query);
      assert.match(w.diagnostics, names, query);
      assert.equal(self(b), `${BASE_URL}/Patient?name=iyer&_count=20`, query);
    }
  });

  it('a wholly ignored criterion leaves the search unfiltered (lenient)', async () => {
    assert.deepEqual(sorted(await t.ids('Patient', 'birthdate=notadate')), ['a', 'b']);
  });

  it('empty values and transport parameters are ignored silently', async () => {
    const b = await t.find('Patient', 'name=&_format=json&_pretty=true&family=khan', { strict: true });
    assert.deepEqual(warnings(b), []);
    assert.deepEqual(b.entry?.map((e) => e.resource.id), ['b']);
    assert.equal(self(b), `${BASE_URL}/Patient?family=khan&_count=20`);
  });

  it('an unknown resource type is a 404', async () => {
    await assert.rejects(t.find('Patient2', 'name=x'), (err: unknown) => err instanceof FhirError && err.status === 404);
  });
});
