/** Test helper: runs `fn`, expects a FhirError, and returns it for exact assertions. */
import assert from 'node:assert/strict';
import { FhirError } from '../../../src/fhir/outcome.js';

export function expectFhirError(fn: () => unknown, status: number): FhirError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FhirError, `expected a FhirError, got ${String(err)}`);
    assert.equal(err.status, status, err.message);
    return err;
  }
  assert.fail(`expected a FhirError with status ${status}, but nothing was thrown`);
}

/** The expressions of the error's issues, in order (each issue names exactly one element). */
export function expressionsOf(err: FhirError): string[] {
  return err.outcome.issue.filter((i) => i.severity === 'error').map((i) => {
    assert.equal(i.expression?.length, 1, `issue without a single expression: ${i.diagnostics}`);
    return i.expression![0];
  });
}
