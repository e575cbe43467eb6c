/**
 * The compiled evaluator (src/fhir/search/compiled-path.ts) must give every resource exactly the
 * search-index rows the FHIRPath engine gives it: checked over every official R4 example of a
 * supported type (Bundles and their entries included) and the Synthea records of the shared data.
 * Rows are compared as sets, and the reference evaluates each branch of a union with the engine on
 * its own: the engine's `|` drops values it deems equal before they become rows, and its equality
 * of quantities ignores the comparator, so a component `>60 mL/min` hid a second component `60
 * mL/min` (Observation/f205). The compiled union keeps both and leaves duplicates to the rows'
 * own de-duplication, which compares the rows themselves.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { isSupportedResourceType } from '../../../src/fhir/resource-types.js';
import { parseFhirPath, type FhirPathAtom } from '@medplum/core';
import { COMPILED_VALUES, searchIndexRows, type Resource, type ValuesOf } from '../../../src/fhir/search/index-rows.js';
import { expressionForType, indexedSearchParameters, splitUnion, type SearchParameter } from '../../../src/fhir/search/search-parameters.js';

const SYNTHEA = join(import.meta.dirname, '../../../../shared/data/synthea');

function officialExamples(): Resource[] {
  const dir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
  const resources: Resource[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json') || file === 'package.json' || file.startsWith('.')) continue;
    const resource = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Resource;
    if (!isSupportedResourceType(resource.resourceType)) continue;
    resources.push(resource);
    for (const entry of (resource.entry as Array<{ resource?: Resource }> | undefined) ?? []) {
      if (entry.resource && isSupportedResourceType(entry.resource.resourceType)) resources.push(entry.resource);
    }
  }
  return resources;
}

function syntheaRecords(files: number): Resource[] {
  if (!existsSync(SYNTHEA)) return [];
  return readdirSync(SYNTHEA).filter((f) => f.endsWith('.json')).sort().slice(0, files)
    .flatMap((f) => ((JSON.parse(readFileSync(join(SYNTHEA, f), 'utf8')) as { entry?: Array<{ resource: Resource }> }).entry ?? []).map((e) => e.resource));
}

/** The engine, one union branch at a time (parsed once per type and parameter). */
const branchesOf = new Map<SearchParameter, FhirPathAtom[]>();
const ENGINE_BY_BRANCH: ValuesOf = (param, input, context) => {
  let branches = branchesOf.get(param);
  if (!branches) {
    const type = (input[0].value as Resource).resourceType;
    branches = splitUnion(expressionForType(param.definition.expression!, type)!).map((b) => parseFhirPath(b));
    branchesOf.set(param, branches);
  }
  return branches.flatMap((b) => b.eval(context, input));
};

function rowSet(resource: Resource, valuesOf: ValuesOf): string[] {
  return searchIndexRows(resource, valuesOf).map((r) => JSON.stringify([r.code, r.system ?? null, r.value ?? null, r.raw ?? null, r.lowTime ?? null, r.highTime ?? null, r.lowNum ?? null, r.highNum ?? null])).sort();
}

function compare(resources: Resource[]): { rows: number; differing: string[] } {
  let rows = 0;
  const differing: string[] = [];
  for (const resource of resources) {
    const engine = rowSet(resource, ENGINE_BY_BRANCH);
    const compiled = rowSet(resource, COMPILED_VALUES);
    rows += engine.length;
    try {
      assert.deepEqual(compiled, engine);
    } catch {
      differing.push(`${resource.resourceType}/${resource.id}: only compiled ${compiled.filter((r) => !engine.includes(r)).join(' ')}; only engine ${engine.filter((r) => !compiled.includes(r)).join(' ')}`);
    }
  }
  return { rows, differing };
}

describe('compiled search-parameter paths', () => {
  it('cover nearly every indexed parameter of the supported types', () => {
    const types = [...new Set(officialExamples().map((r) => r.resourceType))];
    const params = types.flatMap((t) => indexedSearchParameters(t));
    const compiled = params.filter((p) => p.compiled).length;
    console.log(`# ${compiled} of ${params.length} indexed parameters of ${types.length} types compiled`);
    assert.ok(compiled / params.length > 0.95, `${compiled} of ${params.length}`);
  });

  it('give every official R4 example the engine\'s rows', () => {
    const resources = officialExamples();
    const { rows, differing } = compare(resources);
    console.log(`# ${resources.length} examples, ${rows} index rows, ${differing.length} differing`);
    assert.ok(resources.length > 2000 && rows > 20_000, `${resources.length} examples, ${rows} rows`);
    assert.deepEqual(differing, []);
  });

  it('give the Synthea records the engine\'s rows', { skip: !existsSync(SYNTHEA) && 'no shared Synthea data' }, () => {
    const resources = syntheaRecords(40);
    const { rows, differing } = compare(resources);
    console.log(`# ${resources.length} Synthea resources, ${rows} index rows, ${differing.length} differing`);
    assert.ok(resources.length > 1000);
    assert.deepEqual(differing, []);
  });

  it('a resource with values on every shape (choice types, where(resolve() is …), where(system = …)) indexes them', () => {
    const observation = {
      resourceType: 'Observation', id: 'o1', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '2823-3' }] },
      subject: { reference: 'Patient/p1' }, valueQuantity: { value: 6.1, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
      effectiveDateTime: '2026-11-27T06:00:00Z',
    };
    const rows = searchIndexRows(observation);
    assert.ok(rows.some((r) => r.code === 'patient' && r.value === 'Patient/p1'));
    assert.ok(rows.some((r) => r.code === 'value-quantity' && r.lowNum !== undefined));
    assert.ok(rows.some((r) => r.code === 'date' && r.lowTime?.startsWith('2026-11-27')));
    const group = { ...observation, subject: { reference: 'Group/g1' } };
    assert.ok(!searchIndexRows(group).some((r) => r.code === 'patient'), 'a Group subject is not a patient');
    const patient = { resourceType: 'Patient', id: 'p1', telecom: [{ system: 'phone', value: '9800000001' }, { system: 'email', value: 'a@example.org' }] };
    const prow = searchIndexRows(patient);
    assert.deepEqual(prow.filter((r) => r.code === 'phone').map((r) => r.value), ['9800000001']);
    assert.deepEqual(prow.filter((r) => r.code === 'email').map((r) => r.value), ['a@example.org']);
  });
});
