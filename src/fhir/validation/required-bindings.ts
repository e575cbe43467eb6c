/**
 * Required terminology bindings (Patient.gender, ContactPoint.system, Quantity.comparator,
 * Condition.clinicalStatus ...), which @medplum/core's structural validator leaves unchecked.
 * Called by the element walk for each value whose element has a required, enumerable binding.
 */
import { issue, type OperationOutcomeIssue } from '../outcome.js';
import type { BindingKind } from './element-table.js';
import type { EnumeratedValueSet } from './required-value-sets.js';

/** Appends an issue unless `value` is in `valueSet`. Values of the wrong shape are skipped: the structural validator reports those. */
export function checkBinding(
  value: unknown,
  kind: BindingKind,
  valueSet: EnumeratedValueSet,
  path: string,
  issues: OperationOutcomeIssue[],
): void {
  if (kind === 'code') {
    if (typeof value === 'string' && !valueSet.codes.has(value)) {
      issues.push(issue('code-invalid', `${path}: '${value}' is not in the required value set ${describe(valueSet)}`, path));
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const codings = kind === 'Coding' ? [value] : (value as { coding?: unknown }).coding;
  if (!Array.isArray(codings)) return; // a text-only concept carries no code to check
  const coded = codings.filter(
    (c): c is { system: string; code: string } => typeof c?.system === 'string' && typeof c?.code === 'string',
  );
  // Only codings with both a system and a code can be judged; a concept passes when one of
  // them is in the value set (the others may be translations into other code systems).
  if (coded.length === 0 || coded.some((c) => valueSet.systemCodes.has(`${c.system}|${c.code}`))) return;
  const shown = coded.map((c) => `${c.system}|${c.code}`).join(', ');
  const where = kind === 'Coding' ? path : `${path}.coding`;
  issues.push(issue('code-invalid', `${where}: ${shown} is not in the required value set ${describe(valueSet)}`, path));
}

/** The value set's URL and, when short enough to help a person fix the input, its codes. */
function describe(valueSet: EnumeratedValueSet): string {
  if (valueSet.codes.size > 12) return valueSet.url;
  return `${valueSet.url} (${[...valueSet.codes].join(', ')})`;
}
