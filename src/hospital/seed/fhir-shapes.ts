/**
 * The few FHIR R4 shapes the seed builds. The project has no FHIR type package installed, so these
 * are deliberately small: data types the tables use are typed exactly, while a built resource is an
 * open record (`Resource`) whose correctness the R4 StructureDefinitions check in the tests.
 */

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

/** A literal reference in the 'Type/id' form, resolvable inside the seed bundle. */
export interface Reference {
  reference: string;
  display?: string;
}

export interface Resource {
  resourceType: string;
  id: string;
  [element: string]: unknown;
}

export interface BundleEntry {
  fullUrl: string;
  resource: Resource;
  request: { method: 'PUT'; url: string };
}

export interface Bundle {
  resourceType: 'Bundle';
  type: 'transaction';
  entry: BundleEntry[];
}

/** A reference in the `Type/id` form that the bundle's PUT urls take. */
export function ref(type: string, id: string, display?: string): Reference {
  return display === undefined ? { reference: `${type}/${id}` } : { reference: `${type}/${id}`, display };
}

export function concept(coding: Coding | Coding[], text?: string): CodeableConcept {
  const codings = Array.isArray(coding) ? coding : [coding];
  return text === undefined ? { coding: codings } : { coding: codings, text };
}
