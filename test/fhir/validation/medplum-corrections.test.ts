import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateResource } from '../../../src/fhir/validation/validate-resource.js';
import { expectFhirError, expressionsOf } from './expect-fhir-error.js';

describe('medplum corrections: allowed by R4, rejected by medplum', () => {
  it('accepts base64Binary wrapped with whitespace, still rejects bad base64', () => {
    validateResource({ resourceType: 'Binary', contentType: 'text/plain', data: 'SGVs bG8g\nd29y bGQ=' });
    const err = expectFhirError(() => validateResource({ resourceType: 'Binary', contentType: 'text/plain', data: 'SGVs bG8*' }), 400);
    assert.deepEqual(expressionsOf(err), ['Binary.data']);
  });

  it('accepts a narrative over 1 MB, still rejects a string over 1 MB', () => {
    const big = 'x'.repeat(1024 * 1024 + 1);
    validateResource({ resourceType: 'Patient', text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${big}</div>` } });
    const err = expectFhirError(() => validateResource({ resourceType: 'Patient', name: [{ family: big }] }), 400);
    assert.deepEqual(expressionsOf(err), ['Patient.name[0].family']);
  });

  it('applies ras-2 only to a decimal probability', () => {
    const risk = (prediction: object) => ({ resourceType: 'RiskAssessment', status: 'final', subject: { reference: 'Patient/p' }, prediction: [prediction] });
    validateResource(risk({ outcome: { text: 'stroke' } }));
    validateResource(risk({ probabilityDecimal: 42 }));
    const err = expectFhirError(() => validateResource(risk({ probabilityDecimal: 142 })), 400);
    assert.deepEqual(expressionsOf(err), ['RiskAssessment.prediction[0]']);
  });
});
