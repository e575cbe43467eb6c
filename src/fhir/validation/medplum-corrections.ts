/**
 * Issues that @medplum/core 4.5.2 reports although the R4 specification allows the input. Each was
 * found by validating the official R4 examples (test/fhir/validation/official-examples.test.ts) and
 * is dropped only in the exact situation where medplum is wrong; the same issue class with a
 * genuinely invalid value is kept. Matching is on medplum's message text, so a medplum upgrade that
 * rewords a message makes the official-examples test fail rather than silently over-reject.
 */
import { valueAtPath } from './element-path.js';

/** The fields of a medplum OperationOutcome issue that the corrections look at. */
export interface MedplumIssue {
  severity: string;
  code: string;
  details?: { text?: string };
  diagnostics?: string;
  expression?: string[];
}

/** R4 base64Binary: groups of four characters from the base64 alphabet (RFC 4648), padded. */
const BASE64 = /^([A-Za-z\d+/]{4})*([A-Za-z\d+/]{2}==|[A-Za-z\d+/]{3}=)?$/;

/** True when `medplumIssue` is a known false positive for `resource`. */
export function isKnownFalsePositive(medplumIssue: MedplumIssue, resource: unknown): boolean {
  const text = medplumIssue.details?.text ?? '';
  const path = medplumIssue.expression?.[0];
  if (!path) return false;

  // R4's base64Binary regex, (\s*([0-9a-zA-Z\+\=]){4}\s*)+, allows whitespace between groups and
  // the official examples (Binary-example, Media-example) wrap their data with spaces. Medplum's
  // regex does not allow whitespace; re-check with whitespace removed.
  if (text === 'Invalid base64Binary format') {
    const value = valueAtPath(resource, path);
    return typeof value === 'string' && /\s/.test(value) && BASE64.test(value.replace(/\s+/g, ''));
  }

  // The 1 MB limit of R4 applies to the `string` type; medplum also applies it to `xhtml`, whose
  // only element is Narrative.div (large code systems' narratives exceed it). Request size is
  // limited by the HTTP layer, not by the validator.
  if (text === 'String cannot be larger than 1 MB') return path.endsWith('.text.div');

  // ras-2 is `probability is decimal implies (probability as decimal) <= 100`. With no probability
  // at all, medplum's FHIRPath yields an empty result and counts it as a failure, where the spec's
  // intent (and the reference validator) treat the invariant as satisfied. Keep the issue when a
  // decimal probability is present: then medplum's evaluation is the real check.
  if (medplumIssue.code === 'invariant' && text.startsWith('Constraint ras-2 not met')) {
    const prediction = valueAtPath(resource, path);
    return typeof prediction === 'object' && prediction !== null && !('probabilityDecimal' in prediction);
  }
  return false;
}
