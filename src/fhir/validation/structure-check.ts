/**
 * Structural validation against the R4 StructureDefinitions, delegated to @medplum/core: element
 * names, types, cardinality, primitive formats and invariants. Medplum collects every issue in one
 * pass: it returns them when all are warnings and throws them together (an OperationOutcomeError)
 * when any is an error. This module turns them into our issues, minus the known false positives.
 */
import { validateResource as medplumValidate } from '@medplum/core';
import { loadDefinitions } from '../definitions.js';
import { issue, type IssueSeverity, type OperationOutcomeIssue } from '../outcome.js';
import { valueAtPath } from './element-path.js';
import { isKnownFalsePositive, type MedplumIssue } from './medplum-corrections.js';

/** Medplum's terse messages, said in FHIR's words for the person reading the OperationOutcome. */
const CLEARER: Record<string, string> = {
  'Missing required property': 'required element is missing',
  'Expected single value for property': 'element allows one value, but a JSON array was given',
  'Expected array of values for property': 'element repeats, so its value must be a JSON array',
  'Invalid empty value': 'empty values are not allowed (omit the element instead)',
  'Invalid null value': 'null is not allowed (omit the element instead)',
};

/** Appends the structural issues of `resource` (whose resourceType is known to be valid). */
export function checkStructure(resource: Record<string, unknown>, issues: OperationOutcomeIssue[]): void {
  loadDefinitions();
  let found: MedplumIssue[];
  try {
    found = medplumValidate(resource as unknown as Parameters<typeof medplumValidate>[0]);
  } catch (err) {
    const outcome = (err as { outcome?: { issue?: MedplumIssue[] } }).outcome;
    // Anything but an outcome is medplum tripping over input it did not expect; it is still the
    // input that is at fault, so report it as a validation issue rather than a server error.
    found = outcome?.issue ?? [{ severity: 'error', code: 'invalid', details: { text: String((err as Error)?.message ?? err) } }];
  }
  const converted = found
    .filter((i) => !isKnownFalsePositive(i, resource) && !isReportedElsewhere(i))
    .map((i) => convert(i, resource));
  // Warnings alone (e.g. medplum's unsure reference-type check) do not reject a resource.
  if (converted.some((i) => i.severity === 'error' || i.severity === 'fatal')) issues.push(...converted);
}

/**
 * Issues the element walk (element-walk.ts) reports better, with the element's full path:
 * medplum stops with a bare "Unknown data type: X" when a contained or Bundle entry resource has an
 * unknown resourceType, and it names a doubly-given choice element without its parent's path.
 */
function isReportedElsewhere(medplumIssue: MedplumIssue): boolean {
  const text = medplumIssue.details?.text ?? '';
  if (text.startsWith('Conflicting choice of type properties')) return true;
  return !medplumIssue.expression?.length && text.startsWith('Unknown data type: ');
}

function convert(medplumIssue: MedplumIssue, resource: unknown): OperationOutcomeIssue {
  const path = medplumIssue.expression?.[0];
  const raw = medplumIssue.details?.text ?? medplumIssue.diagnostics ?? medplumIssue.code;
  let text = CLEARER[raw] ?? raw.replace(/^Invalid additional property "(.*)"$/, 'unknown element "$1"');
  if (path && /^Invalid \w+ format$/.test(raw)) {
    // Quote the offending value (when short) so the message says what was wrong, not just where.
    const value = valueAtPath(resource, path);
    if (typeof value === 'string' && value.length <= 64) text += `: '${value}'`;
  }
  const severity = (medplumIssue.severity as IssueSeverity) ?? 'error';
  return issue(medplumIssue.code || 'invalid', path ? `${path}: ${text}` : text, path, severity);
}
