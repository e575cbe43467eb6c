/** Validates a resource against the R4 StructureDefinitions and hands it back typed. */
import { validateResource } from '../validation/validate-resource.js';
import type { FhirResource } from './context.js';

export function validated(resource: unknown, expectedType?: string): FhirResource {
  validateResource(resource, expectedType);
  return resource as FhirResource;
}
