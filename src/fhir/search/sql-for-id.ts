/** `_id` (search.html#id): a comma list of ids, matched against resource_current's key. */
import { unsupportedModifier, type FilterContext, type SearchFilter } from './search-filter.js';
import { splitSearchValue, unescapeSearchValue } from './split-search-value.js';

export function sqlForId(filter: SearchFilter, ctx: FilterContext): string {
  if (filter.modifier !== undefined) unsupportedModifier(filter);
  const ids = splitSearchValue(filter.value, ',').map(unescapeSearchValue);
  return ids.length === 1 ? `c.id = ${ctx.params.add(ids[0])}` : `c.id = ANY(${ctx.params.add(ids)}::text[])`;
}
