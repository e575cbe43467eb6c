/** Rewrites Reference.reference values (urn:uuid:... of a transaction's new resources) to Type/id. */
import type { FhirResource } from './context.js';

export function rewriteReferences(resource: FhirResource, map: Map<string, string>): FhirResource {
  if (map.size === 0) return resource;
  return walk(resource, map) as FhirResource;
}

function walk(value: unknown, map: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, map));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === 'reference' && typeof v === 'string' && map.has(v) ? map.get(v) : walk(v, map);
  }
  return out;
}
