/**
 * One walk over a resource for the checks @medplum/core's structural validator does not make:
 * required bindings, real calendar dates, the type of nested resources (contained, Bundle entries,
 * Parameters), two types of one choice element at once (medplum only warns, with a path that
 * lacks the parent), and element names that medplum mistakes for known ones because they exist on
 * Object.prototype (`constructor`, `toString`, `__proto__` ...).
 *
 * The walk follows the JSON, not the schema: for each property of an object it looks the key up in
 * the precomputed element table and only descends where the table says to. The cost is one map
 * lookup per property present, so it grows with the resource, not with the size of the spec.
 */
import { issue, type OperationOutcomeIssue } from '../outcome.js';
import { isSupportedResourceType } from '../resource-types.js';
import { checkCalendarDate } from './calendar-dates.js';
import { elementTable, type ElementTable, type Slot } from './element-table.js';
import { checkBinding } from './required-bindings.js';

type Json = Record<string, unknown>;

/** No FHIR element has one of these names; medplum's `key in properties` test lets them through. */
const PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Appends the issues of the walk over `resource`, whose own resourceType is known to be valid. */
export function checkElements(resource: Json, issues: OperationOutcomeIssue[]): void {
  const table = elementTable();
  const type = resource.resourceType as string;
  const slots = table.get(type);
  if (slots) walkObject(table, resource, slots, type, issues);
}

function walkObject(table: ElementTable, obj: Json, slots: Map<string, Slot>, path: string, issues: OperationOutcomeIssue[]): void {
  let choices: Map<string, string> | undefined; // choice path -> the JSON name that filled it
  for (const key in obj) {
    const slot = slots.get(key);
    if (!slot) {
      if (PROTOTYPE_KEYS.has(key)) issues.push(issue('structure', `${path}.${key}: unknown element "${key}"`, `${path}.${key}`));
      continue;
    }
    if (slot.choice) {
      const other = (choices ??= new Map()).get(slot.choice);
      if (other) {
        const text = `${path}.${key}: only one type of ${slot.choice} may be given, but both ${other} and ${key} are`;
        issues.push(issue('structure', text, `${path}.${key}`));
      } else choices.set(slot.choice, key);
    }
    const value = obj[key];
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(table, value[i], slot, `${path}.${key}[${i}]`, issues);
    } else {
      visit(table, value, slot, `${path}.${key}`, issues);
    }
  }
}

function visit(table: ElementTable, value: unknown, slot: Slot, path: string, issues: OperationOutcomeIssue[]): void {
  if (value === null || value === undefined) return;
  if (slot.binding) checkBinding(value, slot.binding.kind, slot.binding.valueSet, path, issues);
  if (slot.temporal) checkCalendarDate(value, path, issues);
  if (typeof value !== 'object' || Array.isArray(value)) return;
  if (slot.resource) {
    const type = (value as Json).resourceType;
    if (typeof type !== 'string' || !isSupportedResourceType(type)) {
      const text = typeof type === 'string' ? `'${type}' is not a FHIR R4 resource type` : 'the resource has no resourceType';
      issues.push(issue('structure', `${path}.resourceType: ${text}`, `${path}.resourceType`));
      return;
    }
    const slots = table.get(type);
    if (slots) walkObject(table, value as Json, slots, path, issues);
  } else if (slot.node) {
    const slots = table.get(slot.node);
    if (slots) walkObject(table, value as Json, slots, path, issues);
  }
}
