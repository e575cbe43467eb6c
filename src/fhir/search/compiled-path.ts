/**
 * A faster evaluator for the shapes of FHIRPath that almost every R4 search parameter uses:
 * paths (`Observation.component.code`), unions of paths, `as Type`, `.where(resolve() is Type)` and
 * `.where(system = 'email')`. Writes, rebuilds and restores evaluate ~30 parameters for every
 * resource version, and @medplum/core's general evaluator spends most of that time on what these
 * shapes do not need: a context object per element, variable lookups for every name, and the
 * union's duplicate removal (deep comparison of every pair of values).
 *
 * The semantics are the engine's own: each property step reads what @medplum/core's
 * getTypedPropertyValueWithSchema reads (choice types and element types from its R4 schema, worked
 * out once per type: PropertyPlan; a primitive with an extension is left to that function itself),
 * `as` is its ofType, `is` its fhirPathIs, resolve() the same rule of the reference string. What differs is only that a union keeps duplicates: callers turn values into
 * index rows and drop repeated rows (index-rows.ts distinct), so the rows are the same set.
 * test/fhir/search/compiled-path.test.ts holds this to the engine over every official R4 example and the
 * Synthea records. An expression with any other construct is not compiled: the caller evaluates it
 * with the engine.
 */
import {
  AsAtom, DotAtom, EqualsAtom, FunctionAtom, IsAtom, LiteralAtom, SymbolAtom, UnionAtom,
  capitalize, fhirPathIs, getElementDefinition, getTypedPropertyValueWithSchema, getTypedPropertyValueWithoutSchema, isEmpty, isResource, toTypedValue,
  type Atom, type FhirPathAtom, type InternalSchemaElement, type TypedValue,
} from '@medplum/core';

/** A compiled expression: values in, values out, like Atom.eval without the context. */
export type CompiledPath = (input: TypedValue[]) => TypedValue[];

/** The compiled form of `expression`, or undefined when it uses anything this evaluator does not cover. */
export function compilePath(expression: FhirPathAtom): CompiledPath | undefined {
  const body = compile(expression.child);
  if (!body) return undefined;
  // FhirPathAtom.eval evaluates its child once per input element (each as its own $this).
  return (input) => (input.length === 1 ? body(input) : input.flatMap((e) => body([e])));
}

function compile(atom: Atom): CompiledPath | undefined {
  if (atom instanceof SymbolAtom) return compileSymbol(atom.name);
  if (atom instanceof DotAtom) {
    const left = compile(atom.left);
    const right = compile(atom.right);
    return left && right ? (input) => right(left(input)) : undefined;
  }
  if (atom instanceof UnionAtom) {
    const left = compile(atom.left);
    const right = compile(atom.right);
    return left && right ? (input) => [...left(input), ...right(input)] : undefined;
  }
  if (atom instanceof AsAtom && atom.right instanceof SymbolAtom) {
    const left = compile(atom.left);
    const type = atom.right.name;
    return left ? (input) => left(input).filter((e) => e.type === type) : undefined;
  }
  if (atom instanceof FunctionAtom && atom.name === 'where' && atom.args.length === 1) {
    const keep = compileCondition(atom.args[0]);
    return keep ? (input) => input.filter(keep) : undefined;
  }
  return undefined;
}

/** A name: the resource itself when it names the resource's type, else a property of each value. */
function compileSymbol(name: string): CompiledPath | undefined {
  if (name === '$this') return (input) => input;
  if (name.startsWith('%')) return undefined;
  // How to read this name in each type it is read from, worked out once (null: no schema for it).
  const plans = new Map<string, PropertyPlan | null>();
  const property = (e: TypedValue): TypedValue[] | TypedValue | undefined => {
    let plan = plans.get(e.type);
    if (plan === undefined) {
      plan = propertyPlan(e.type, name);
      plans.set(e.type, plan);
    }
    return plan ? readProperty(e, name, plan) : getTypedPropertyValueWithoutSchema(e, name);
  };
  return (input) => {
    const result: TypedValue[] = [];
    for (const e of input) {
      const value = e.value as { resourceType?: unknown } | null | undefined;
      if (!value || typeof value !== 'object') continue;
      if (value.resourceType === name) {
        result.push(e);
        continue;
      }
      const found = property(e);
      if (found === undefined) continue;
      if (Array.isArray(found)) {
        for (const f of found) if (f?.value !== undefined) result.push(f);
      } else if (found.value !== undefined) {
        result.push(found);
      }
    }
    return result;
  };
}

/**
 * A property of a type, as getTypedPropertyValueWithSchema reads it, with what that function works
 * out on every call done once: the JSON keys to try, in the element's type order (`valueQuantity`,
 * `valueString` … for a choice), and the type each key gives its values.
 */
interface PropertyPlan {
  element: InternalSchemaElement;
  candidates: Array<{ key: string; extensionKey: string; type: string }>;
}

function propertyPlan(type: string, name: string): PropertyPlan | null {
  const element = getElementDefinition(type, name);
  if (!element) return null;
  const last = element.path.slice(element.path.lastIndexOf('.') + 1);
  const candidates = (element.type ?? []).map((t) => {
    const key = last.replace('[x]', capitalize(t.code));
    // An Element or BackboneElement is typed by the element's first type code, as the engine does.
    const valueType = t.code === 'Element' || t.code === 'BackboneElement' ? element.type[0].code : t.code;
    return { key, extensionKey: `_${key}`, type: valueType };
  });
  return { element, candidates };
}

function readProperty(e: TypedValue, name: string, plan: PropertyPlan): TypedValue[] | TypedValue | undefined {
  const value = e.value as Record<string, unknown>;
  for (const c of plan.candidates) {
    const found = value[c.key];
    // A primitive with an extension (`_birthDate`) is merged into its value: the engine's own code does that.
    if (value[c.extensionKey] !== undefined) return getTypedPropertyValueWithSchema(e, name, plan.element);
    if (found === undefined) continue;
    if (isEmpty(found)) return undefined;
    return Array.isArray(found) ? found.map((v) => typed(v, c.type)) : typed(found, c.type);
  }
  return undefined;
}

/** A value with its element's type; a contained or inline resource (type Resource) by its own type. */
function typed(value: unknown, type: string): TypedValue {
  return { type: type === 'Resource' && isResource(value) ? value.resourceType : type, value };
}

/** The two conditions R4's parameters put in where(): `resolve() is Type` and `name = 'literal'`. */
function compileCondition(atom: Atom): ((e: TypedValue) => boolean) | undefined {
  if (atom instanceof IsAtom && atom.left instanceof FunctionAtom && atom.left.name === 'resolve' && atom.left.args.length === 0 && atom.right instanceof SymbolAtom) {
    const type = atom.right.name;
    return (e) => {
      const target = resolved(e);
      return target !== undefined && fhirPathIs(target, type);
    };
  }
  if (atom instanceof EqualsAtom && atom.left instanceof SymbolAtom && atom.right instanceof LiteralAtom && typeof atom.right.value.value === 'string') {
    const read = compileSymbol(atom.left.name);
    const literal = atom.right.value.value;
    // `=` on a one-element string collection against a string literal: plain equality (0 or 2+ values: not true).
    return read ? (e) => {
      const values = read([e]);
      return values.length === 1 && (values[0].value as { valueOf(): unknown } | undefined)?.valueOf() === literal;
    } : undefined;
  }
  return undefined;
}

/** What resolve() makes of a reference without fetching anything (@medplum/core functions.resolve). */
function resolved(e: TypedValue): TypedValue | undefined {
  const value = e.value as { resource?: object; reference?: string; type?: string; identifier?: { system?: string; value?: string } } | string | null | undefined;
  let reference: string | undefined;
  if (typeof value === 'string') reference = value;
  else if (value && typeof value === 'object') {
    if (value.resource) return toTypedValue(value.resource);
    if (value.reference) reference = value.reference;
    else if (value.type && value.identifier) reference = `${value.type}?identifier=${value.identifier.system}|${value.identifier.value}`;
  }
  if (reference?.includes('?')) {
    const [resourceType] = reference.split('?');
    return { type: resourceType, value: { resourceType } };
  }
  if (reference?.includes('/')) {
    const [resourceType, id] = reference.split('/');
    return { type: resourceType, value: { resourceType, id } };
  }
  return undefined;
}
