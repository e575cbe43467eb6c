/**
 * Resolves the element paths the validators report (`Patient.name[0].given[1]`) back to the value
 * in the resource, so an issue can be re-examined or quote the offending value.
 */
const SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$/;

/** The value at `expression` (rooted at the resource type), or undefined if it does not resolve. */
export function valueAtPath(resource: unknown, expression: string): unknown {
  const segments = expression.split('.');
  let current: unknown = resource;
  // The first segment names the resource type, which is the resource itself.
  for (let i = 1; i < segments.length; i++) {
    const match = SEGMENT.exec(segments[i]);
    if (!match || typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[match[1]];
    if (match[2] !== undefined) current = Array.isArray(current) ? current[Number(match[2])] : undefined;
  }
  return current;
}
