/** FHIR PATCH with JSON Patch (RFC 6902), applied to a copy of the current resource. */
import jsonpatch from 'fast-json-patch';
import { badRequest, unprocessable } from '../outcome.js';
import type { FhirResource } from './context.js';

export function applyJsonPatch(resource: FhirResource, operations: unknown): FhirResource {
  if (!Array.isArray(operations)) throw badRequest('a JSON Patch body must be an array of operations');
  // Structure only here; whether a `test` op holds is decided by applying (422 when it does not).
  const error = jsonpatch.validate(operations as jsonpatch.Operation[]);
  if (error) throw badRequest(`JSON Patch operation ${Number(error.index) + 1} is invalid: ${error.name}`);
  for (const op of operations as jsonpatch.Operation[]) {
    if (/^\/(id|resourceType|meta\/(versionId|lastUpdated))$/.test(op.path)) {
      throw unprocessable(`JSON Patch may not change ${op.path.slice(1)}`, `${resource.resourceType}.${op.path.slice(1).replace('/', '.')}`);
    }
  }
  try {
    return jsonpatch.applyPatch(structuredClone(resource), operations as jsonpatch.Operation[], true, false).newDocument as FhirResource;
  } catch (err) {
    throw unprocessable(`JSON Patch could not be applied: ${(err as Error).message.split('\n')[0]}`);
  }
}
