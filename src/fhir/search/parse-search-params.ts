/**
 * Query string → the ordered [name, value] pairs `search` takes. Order matters (repeated names
 * are ANDed, and the self link keeps the client's order); URLSearchParams decodes '+' as a space,
 * as a form-encoded POST _search body requires too.
 */
export function parseSearchParams(query: string | URLSearchParams): Array<[string, string]> {
  return [...(typeof query === 'string' ? new URLSearchParams(query) : query)];
}
