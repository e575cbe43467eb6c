import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateResource, validateResourceType } from '../../../src/fhir/validation/validate-resource.js';
import { expectFhirError, expressionsOf } from './expect-fhir-error.js';

const patient = {
  resourceType: 'Patient',
  id: 'c0a8f1e2-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  identifier: [{ system: 'https://nirantar.example/uhid', value: 'AIIMS-2024-000123-7' }],
  name: [{ use: 'official', family: 'Sharma', given: ['Priya'] }],
  gender: 'female',
  birthDate: '1987-04-12',
  telecom: [{ system: 'phone', value: '+91 98100 12345', use: 'mobile' }],
};

const observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] },
  subject: { reference: 'Patient/c0a8f1e2-3b4d-4e5f-8a9b-0c1d2e3f4a5b' },
  valueQuantity: { value: 13.2, unit: 'g/dL', system: 'http://unitsofmeasure.org', code: 'g/dL' },
};

describe('validateResource', () => {
  it('accepts valid resources', () => {
    validateResource(patient);
    validateResource(patient, 'Patient');
    validateResource(observation, 'Observation');
  });

  it('names an unknown element', () => {
    const err = expectFhirError(() => validateResource({ ...patient, foo: 'bar' }), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.foo']);
    assert.match(err.outcome.issue[0].diagnostics!, /unknown element "foo"/);
  });

  it('names a malformed date and quotes it', () => {
    const err = expectFhirError(() => validateResource({ ...patient, birthDate: '1987-13-01' }), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.birthDate']);
    assert.match(err.outcome.issue[0].diagnostics!, /Invalid date format: '1987-13-01'/);
  });

  it('rejects a code outside a required binding', () => {
    const err = expectFhirError(() => validateResource({ ...patient, gender: 'bogus' }), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.gender']);
    assert.equal(err.outcome.issue[0].code, 'code-invalid');
    assert.match(err.outcome.issue[0].diagnostics!, /'bogus'.*administrative-gender \(male, female, other, unknown\)/);
  });

  it('names a missing required element', () => {
    const { status: _status, ...withoutStatus } = observation;
    const err = expectFhirError(() => validateResource(withoutStatus), 400);
    assert.deepEqual(expressionsOf(err), ['Observation.status']);
  });

  it('rejects an array where one value is allowed, and a single value where an array is required', () => {
    let err = expectFhirError(() => validateResource({ ...patient, gender: ['female'] }), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.gender']);
    err = expectFhirError(() => validateResource({ ...patient, telecom: { system: 'phone', value: '1' } }), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.telecom']);
  });

  it('rejects ids that do not match the FHIR id syntax', () => {
    for (const id of ['has space', 'a'.repeat(65), 'under_score', '']) {
      const err = expectFhirError(() => validateResource({ ...patient, id }), 400);
      assert.deepEqual(expressionsOf(err), ['Patient.id'], `id ${JSON.stringify(id)}`);
    }
    let err = expectFhirError(() => validateResource({ ...patient, id: 42 }), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.id']);
    validateResource({ ...patient, id: 'A-z.0'.padEnd(64, '9') });
    err = expectFhirError(() => validateResource({ ...patient, id: 'a b' }), 400);
    assert.equal(err.outcome.issue.length, 1, 'one issue per element, not one from each checker');
  });

  it('reports every problem together', () => {
    const bad = { ...patient, id: 'not valid!', foo: 1, gender: 'bogus', birthDate: 'yesterday', telecom: [{ system: 'pigeon' }] };
    const err = expectFhirError(() => validateResource(bad), 400);
    assert.deepEqual(expressionsOf(err).sort(), [
      'Patient.birthDate',
      'Patient.foo',
      'Patient.gender',
      'Patient.id',
      'Patient.telecom[0].system',
    ]);
  });

  it('rejects input that is not a resource before looking at elements', () => {
    for (const body of [null, 'Patient', 42, [patient]]) {
      const err = expectFhirError(() => validateResource(body), 400);
      assert.equal(err.outcome.issue.length, 1);
    }
    let err = expectFhirError(() => validateResource({ gender: 'female' }), 400);
    assert.deepEqual(expressionsOf(err), ['resourceType']);
    err = expectFhirError(() => validateResource({ resourceType: 'Patientt' }), 400);
    assert.deepEqual(expressionsOf(err), ['resourceType']);
    assert.equal(err.outcome.issue[0].code, 'not-supported');
    err = expectFhirError(() => validateResource(observation, 'Patient'), 400);
    assert.deepEqual(expressionsOf(err), ['resourceType']);
    assert.match(err.message, /'Observation' does not match .*'Patient'/);
  });

  it('checks invariants', () => {
    // pat-1: a contact needs details or an organization
    const err = expectFhirError(() => validateResource({ ...patient, contact: [{ gender: 'male' }] }), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.contact[0]']);
    assert.equal(err.outcome.issue[0].code, 'invariant');
  });
});

describe('validateResourceType', () => {
  it('accepts R4 resource types', () => {
    validateResourceType('Patient');
    validateResourceType('Bundle');
  });

  it('answers 404 not-supported for other names', () => {
    for (const type of ['Patientt', 'patient', 'HumanName', '']) {
      const err = expectFhirError(() => validateResourceType(type), 404);
      assert.equal(err.outcome.issue[0].code, 'not-supported');
    }
  });
});
