import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateResource } from '../../../src/fhir/validation/validate-resource.js';
import { expectFhirError, expressionsOf } from './expect-fhir-error.js';

const patient = { resourceType: 'Patient', gender: 'female' };

describe('element walk: what medplum does not check', () => {
  it('rejects dates that are not on the calendar, in every date type', () => {
    validateResource({ ...patient, birthDate: '2024-02-29' }); // a leap year
    validateResource({ ...patient, birthDate: '2000-02-29' });
    let err = expectFhirError(() => validateResource({ ...patient, birthDate: '1900-02-29' }), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.birthDate']);
    assert.match(err.message, /February 1900 has 28 days/);
    const encounter = {
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      period: { start: '2024-04-31T10:00:00+05:30' },
      meta: { lastUpdated: '2024-06-31T00:00:00Z' },
    };
    err = expectFhirError(() => validateResource(encounter), 400);
    assert.deepEqual(expressionsOf(err).sort(), ['Encounter.meta.lastUpdated', 'Encounter.period.start']);
    const observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, effectiveDateTime: '2023-11-31' };
    err = expectFhirError(() => validateResource(observation), 400);
    assert.deepEqual(expressionsOf(err), ['Observation.effectiveDateTime']);
  });

  it('rejects two types of one choice element', () => {
    const err = expectFhirError(() => validateResource({ ...patient, deceasedBoolean: true, deceasedDateTime: '2020' }), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.deceasedDateTime']);
    const component = [{ code: { text: 'x' }, valueString: 'a', valueQuantity: { value: 1 } }];
    const obs = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, component };
    assert.deepEqual(expressionsOf(expectFhirError(() => validateResource(obs), 400)), ['Observation.component[0].valueQuantity']);
  });

  it('rejects element names inherited from Object.prototype', () => {
    const body = JSON.parse('{"resourceType":"Patient","constructor":1,"name":[{"toString":"x"}],"__proto__":{"a":1}}');
    const err = expectFhirError(() => validateResource(body), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.constructor', 'Patient.name[0].toString', 'Patient.__proto__']);
  });

  it('names nested resources of unknown type', () => {
    let err = expectFhirError(() => validateResource({ ...patient, contained: [{ resourceType: 'Nope', id: 'a' }] }), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.contained[0].resourceType']);
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'HumanName' } }] };
    err = expectFhirError(() => validateResource(bundle), 400);
    assert.ok(expressionsOf(err).includes('Bundle.entry[0].resource.resourceType'), err.message);
  });
});
