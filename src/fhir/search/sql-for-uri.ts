/**
 * URI search (search.html#uri): exact match; `:below` finds URIs under the given one (prefix),
 * `:above` the URIs the given one is under (each of its path prefixes, looked up exactly).
 */
import { anyOf, indexMatch, missingFilter, unsupportedModifier, type FilterContext, type SearchFilter } from './search-filter.js';
import { splitSearchValue, unescapeSearchValue } from './split-search-value.js';
import { escapeLike } from './sql-params.js';

export function sqlForUri(filter: SearchFilter, ctx: FilterContext): string {
  const { modifier } = filter;
  if (modifier === 'missing') return missingFilter(filter, ctx);
  if (modifier !== undefined && modifier !== 'below' && modifier !== 'above') unsupportedModifier(filter);
  const p = ctx.params;
  const conditions = splitSearchValue(filter.value, ',').map((part) => {
    const uri = unescapeSearchValue(part);
    if (modifier === 'below') return `s.value LIKE ${p.add(`${escapeLike(uri)}%`)}`;
    if (modifier === 'above') return `s.value = ANY(${p.add(pathPrefixes(uri))}::text[])`;
    return `s.value = ${p.add(uri)}`;
  });
  return indexMatch(ctx, filter.code, anyOf(conditions));
}

/** 'http://a/b/c' → ['http://a/b/c', 'http://a/b', 'http://a']. */
function pathPrefixes(uri: string): string[] {
  const prefixes = [uri];
  const start = uri.indexOf('://') >= 0 ? uri.indexOf('://') + 3 : 0;
  for (let i = uri.length - 1; i > start; i--) {
    if (uri[i] === '/') prefixes.push(uri.slice(0, i));
  }
  return prefixes;
}
