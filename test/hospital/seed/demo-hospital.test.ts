import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateResource } from '@medplum/core';
import { loadDefinitions } from '../../../src/fhir/definitions.js';
import { demoHospitalBundle, describeDemoHospital, type Bundle } from '../../../src/hospital/seed/demo-hospital.js';
import type { Resource } from '../../../src/hospital/seed/fhir-shapes.js';
import { isValidLoincCode } from '../../../src/hospital/seed/loinc.js';
import { ANALYTES, LAB_TESTS, labServiceCode } from '../../../src/hospital/seed/lab-catalogue.js';
import { LOCAL_CODE, SYSTEM } from '../../../src/hospital/seed/systems.js';

let bundle: Bundle;

before(() => {
  loadDefinitions();
  bundle = demoHospitalBundle();
});

const resources = (type?: string): Resource[] =>
  bundle.entry.map((e) => e.resource).filter((r) => type === undefined || r.resourceType === type);

/** Every object nested in `value` (depth first), for reference and coding sweeps. */
function* objectsIn(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) for (const item of value) yield* objectsIn(item);
  else if (value !== null && typeof value === 'object') {
    yield value as Record<string, unknown>;
    for (const child of Object.values(value)) yield* objectsIn(child);
  }
}

function codesOf(resource: Resource, system: string): string[] {
  return [...objectsIn(resource.code)].filter((o) => o.system === system).map((o) => String(o.code));
}

test('is a transaction of PUTs to stable Type/id urls with urn:uuid fullUrls', () => {
  assert.equal(bundle.resourceType, 'Bundle');
  assert.equal(bundle.type, 'transaction');
  const fullUrls = new Set<string>();
  for (const entry of bundle.entry) {
    assert.match(entry.fullUrl, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(entry.request.method, 'PUT');
    assert.equal(entry.request.url, `${entry.resource.resourceType}/${entry.resource.id}`);
    fullUrls.add(entry.fullUrl);
  }
  assert.equal(fullUrls.size, bundle.entry.length, 'fullUrls are unique');
});

test('ids are valid FHIR ids and unique per resource type', () => {
  const seen = new Set<string>();
  for (const { resource } of bundle.entry) {
    assert.match(resource.id, /^[A-Za-z0-9\-.]{1,64}$/, `${resource.resourceType}/${resource.id}`);
    const key = `${resource.resourceType}/${resource.id}`;
    assert.ok(!seen.has(key), `duplicate ${key}`);
    seen.add(key);
  }
});

test('every entry validates against the R4 StructureDefinitions', () => {
  const failures: { url: string; issues: unknown }[] = [];
  for (const entry of bundle.entry) {
    try {
      const issues = validateResource(entry.resource as Parameters<typeof validateResource>[0]);
      const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
      if (errors.length > 0) failures.push({ url: entry.request.url, issues: errors });
    } catch (err) {
      // medplum throws an OperationOutcomeError on the first batch of issues.
      failures.push({ url: entry.request.url, issues: (err as { outcome?: unknown }).outcome ?? String(err) });
    }
  }
  assert.deepEqual(failures, []);
  // The Bundle as a whole too (entry and request structure, bdl-7 fullUrl uniqueness).
  assert.doesNotThrow(() => validateResource(bundle as never));
});

test('the validator does reject a broken resource (so the test above can fail)', () => {
  assert.throws(() => validateResource({ resourceType: 'Location', id: 'x', mode: 'instance', bogus: 1 } as never));
});

test('every reference resolves to an entry of the bundle', () => {
  const present = new Set(bundle.entry.map((e) => e.request.url));
  const dangling: string[] = [];
  for (const { resource } of bundle.entry) {
    for (const object of objectsIn(resource)) {
      if (typeof object.reference === 'string' && !present.has(object.reference)) {
        dangling.push(`${resource.resourceType}/${resource.id} -> ${object.reference}`);
      }
    }
  }
  assert.deepEqual(dangling, []);
});

test('entries come in dependency order: whatever an entry references comes before it', () => {
  const position = new Map(bundle.entry.map((e, i) => [e.request.url, i]));
  const forward: string[] = [];
  bundle.entry.forEach(({ resource }, i) => {
    for (const object of objectsIn(resource)) {
      const target = typeof object.reference === 'string' ? position.get(object.reference) : undefined;
      if (target !== undefined && target >= i) forward.push(`${resource.resourceType}/${resource.id} -> ${object.reference}`);
    }
  });
  assert.deepEqual(forward, []);
});

test('every LOINC code in the catalogue and the bundle has a valid check digit', () => {
  const codes = new Set<string>();
  for (const analyte of ANALYTES) if (analyte.loinc) codes.add(analyte.loinc);
  for (const labTest of LAB_TESTS) if (labTest.loinc) codes.add(labTest.loinc.code);
  for (const object of objectsIn(bundle)) if (object.system === SYSTEM.loinc) codes.add(String(object.code));
  assert.ok(codes.size > 50, `expected a real catalogue, found ${codes.size} LOINC codes`);
  assert.deepEqual([...codes].filter((code) => !isValidLoincCode(code)), []);
});

test('every analyte has a code, and every test names known analytes', () => {
  for (const analyte of ANALYTES) {
    assert.ok(analyte.loinc || analyte.localCode, `${analyte.key} needs a LOINC or local code`);
    if (analyte.result === 'coded') assert.ok(analyte.answers, `${analyte.key} needs an answer set`);
    for (const interval of [...(analyte.reference ?? []), ...(analyte.critical ?? [])]) {
      if (interval.low !== undefined && interval.high !== undefined) assert.ok(interval.low <= interval.high, analyte.key);
    }
  }
  const keys = new Set(ANALYTES.map((a) => a.key));
  const used = new Set(LAB_TESTS.flatMap((t) => t.analytes));
  for (const key of used) assert.ok(keys.has(key), `unknown analyte ${key}`);
  for (const key of keys) assert.ok(used.has(key), `analyte ${key} is in no orderable test`);
  for (const labTest of LAB_TESTS) assert.ok(labTest.loinc || labTest.noLoincBecause, `${labTest.key}: LOINC or a reason`);
});

test('every orderable test has a tariff line with the same service code, priced in INR', () => {
  const tariffByCode = new Map<string, Resource>();
  for (const cid of resources('ChargeItemDefinition')) {
    for (const code of codesOf(cid, LOCAL_CODE.service)) tariffByCode.set(code, cid);
    const component = (cid.propertyGroup as { priceComponent: { type: string; amount: { value: number; currency: string } }[] }[])[0]
      .priceComponent[0];
    assert.equal(component.type, 'base');
    assert.equal(component.amount.currency, 'INR');
    assert.ok(component.amount.value >= 0);
  }
  const orderables = resources('ActivityDefinition');
  assert.equal(orderables.length, LAB_TESTS.length);
  for (const definition of orderables) {
    const [serviceCode] = codesOf(definition, LOCAL_CODE.service);
    assert.ok(serviceCode, `${definition.id} has a service code`);
    assert.ok(tariffByCode.has(serviceCode), `no tariff line for ${serviceCode}`);
  }
  for (const labTest of LAB_TESTS) assert.ok(tariffByCode.has(labServiceCode(labTest)), labTest.key);
  assert.ok(tariffByCode.has('OPD-REG'), 'OPD registration fee');
});

test('has the wards, beds, departments and staff the desks need', () => {
  const locations = resources('Location');
  const physical = (r: Resource) => (r.physicalType as { coding: { code: string }[] }).coding[0].code;
  const wards = locations.filter((l) => physical(l) === 'wa');
  assert.equal(wards.length, 5);
  for (const ward of wards) {
    const beds = locations.filter((l) => (l.partOf as { reference: string } | undefined)?.reference === `Location/${ward.id}`);
    assert.ok(beds.length >= 6 && beds.length <= 12, `${ward.id} has ${beds.length} beds`);
    for (const bed of beds) {
      assert.equal(physical(bed), 'bd');
      assert.deepEqual(bed.operationalStatus, { system: SYSTEM.bedStatus, code: 'U', display: 'Unoccupied' });
    }
  }
  const departments = resources('Organization').filter((o) => o.partOf);
  assert.equal(departments.length, 11);
  assert.equal(resources('HealthcareService').length, 11);
  assert.ok(resources('Practitioner').length >= 15);
  assert.equal(resources('PractitionerRole').length, resources('Practitioner').length);
  assert.equal(resources('Patient').length, 0, 'no patients in the seed');
});

test('is deterministic, so re-seeding is idempotent', () => {
  const again = demoHospitalBundle();
  assert.deepEqual(again, bundle);
  assert.equal(JSON.stringify(again), JSON.stringify(bundle));
});

test('describes itself by resource type', (t) => {
  const counts = describeDemoHospital(bundle);
  assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), bundle.entry.length);
  t.diagnostic(`demo hospital: ${JSON.stringify(counts)}`);
  console.log('demo hospital resource counts:', counts);
});
