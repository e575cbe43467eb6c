/**
 * `_elements` (search.html#elements): only the named top-level elements of each match, plus what
 * every resource needs (resourceType, id, meta), tagged SUBSETTED so nobody mistakes it for the
 * whole resource (e.g. updates it back).
 */
const ALWAYS = new Set(['resourceType', 'id', 'meta']);
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
export const ELEMENT_NAME = /^[a-z][A-Za-z0-9]*$/;

export function selectElements(resource: Record<string, unknown>, elements: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    // A choice element is asked for by its name without the type: `value` keeps valueQuantity.
    const wanted = ALWAYS.has(key) || elements.some((e) => key === e || (key.startsWith(e) && /^[A-Z]/.test(key.slice(e.length))));
    if (wanted) result[key] = value;
  }
  const meta = (result.meta ?? {}) as { tag?: unknown[] };
  result.meta = { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
  return result;
}
