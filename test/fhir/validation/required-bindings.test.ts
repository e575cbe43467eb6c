import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enumerateValueSet } from '../../../src/fhir/validation/required-value-sets.js';
import { validateResource } from '../../../src/fhir/validation/validate-resource.js';
import { expectFhirError } from './expect-fhir-error.js';

const subject = { reference: 'Patient/p1' };

/** Validates `resource` and returns the expressions of its code-invalid issues. */
function bindingIssues(resource: object): string[] {
  const err = expectFhirError(() => validateResource(resource), 400);
  return err.outcome.issue.filter((i) => i.code === 'code-invalid').map((i) => i.expression![0]);
}

describe('required bindings', () => {
  it('checks codes in backbone elements and data types', () => {
    const patient = {
      resourceType: 'Patient',
      identifier: [{ use: 'usual', value: '1' }, { use: 'primary', value: '2' }],
      name: [{ use: 'nick', family: 'X' }],
      telecom: [{ system: 'pigeon', value: '1' }],
      address: [{ use: 'home-ish', city: 'Delhi' }],
      contact: [{ gender: 'bogus', name: { family: 'Y' } }],
    };
    assert.deepEqual(bindingIssues(patient), [
      'Patient.identifier[1].use',
      'Patient.name[0].use',
      'Patient.telecom[0].system',
      'Patient.address[0].use',
      'Patient.contact[0].gender',
    ]);
  });

  it('checks Quantity.comparator in a choice element and in an extension', () => {
    const observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Hb' },
      subject,
      valueQuantity: { value: 1, comparator: '=<' },
      extension: [{ url: 'http://example.org/x', valueQuantity: { value: 1, comparator: '~' } }],
    };
    assert.deepEqual(bindingIssues(observation), [
      'Observation.valueQuantity.comparator',
      'Observation.extension[0].valueQuantity.comparator',
    ]);
  });

  it('checks the codings of a CodeableConcept with a required binding', () => {
    const clinical = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
    const condition = (code: string, system = clinical) => ({
      resourceType: 'Condition',
      subject,
      clinicalStatus: { coding: [{ system, code }] },
    });
    validateResource(condition('active'));
    assert.deepEqual(bindingIssues(condition('gone')), ['Condition.clinicalStatus']);
    assert.deepEqual(bindingIssues(condition('active', 'http://example.org/local')), ['Condition.clinicalStatus']);
    // one coding from the value set is enough; others may be translations
    validateResource({ ...condition('active'), clinicalStatus: { coding: [{ system: 'http://example.org/local', code: 'A' }, { system: clinical, code: 'active' }] } });
  });

  it('checks contained resources, bundle entries and primitive extensions', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ fullUrl: 'urn:uuid:0b6c1f0e-1f52-4c3a-9d7c-1c2f2b0e7a11', resource: { resourceType: 'Patient', gender: 'bogus' } }],
    };
    assert.deepEqual(bindingIssues(bundle), ['Bundle.entry[0].resource.gender']);
    const patient = {
      resourceType: 'Patient',
      _birthDate: { extension: [{ url: 'http://example.org/x', valueContactPoint: { system: 'pigeon' } }] },
      contained: [{ resourceType: 'Patient', id: 'c1', gender: 'bogus' }],
      link: [{ other: { reference: '#c1' }, type: 'seealso' }],
    };
    assert.deepEqual(bindingIssues(patient), [
      'Patient._birthDate.extension[0].valueContactPoint.system',
      'Patient.contained[0].gender',
    ]);
  });

  it('does not check bindings it cannot enumerate (MIME types, currencies)', () => {
    validateResource({ resourceType: 'Binary', contentType: 'application/x-made-up', data: 'AAAA' });
    assert.equal(enumerateValueSet('http://hl7.org/fhir/ValueSet/mimetypes'), undefined);
  });
});

describe('enumerateValueSet', () => {
  it('lists the codes of a core value set, ignoring the version of the canonical', () => {
    const gender = enumerateValueSet('http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1');
    assert.deepEqual([...gender!.codes].sort(), ['female', 'male', 'other', 'unknown']);
    assert.ok(gender!.systemCodes.has('http://hl7.org/fhir/administrative-gender|male'));
  });

  it('includes nested concepts of hierarchical code systems', () => {
    // observation-status nests `corrected` under `amended`
    const status = enumerateValueSet('http://hl7.org/fhir/ValueSet/observation-status');
    assert.ok(status!.codes.has('corrected'));
    assert.ok(status!.codes.has('amended'));
  });
});
