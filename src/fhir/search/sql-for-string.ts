/**
 * String search (search.html#string): by default the indexed value starts with the search value,
 * both folded (case, accents, spaces); `:exact` compares the text as written; `:contains` finds
 * the search value anywhere in the folded value.
 */
import { anyOf, indexMatch, missingFilter, unsupportedModifier, type FilterContext, type SearchFilter } from './search-filter.js';
import { splitSearchValue, unescapeSearchValue } from './split-search-value.js';
import { escapeLike } from './sql-params.js';
import { normaliseString } from './string-normalise.js';

export function sqlForString(filter: SearchFilter, ctx: FilterContext): string {
  const { modifier } = filter;
  if (modifier === 'missing') return missingFilter(filter, ctx);
  if (modifier !== undefined && modifier !== 'exact' && modifier !== 'contains') unsupportedModifier(filter);
  const p = ctx.params;
  const conditions = splitSearchValue(filter.value, ',').map((part) => {
    const text = unescapeSearchValue(part);
    const folded = normaliseString(text);
    if (modifier === 'exact') {
      // The folded value narrows through the index; raw decides.
      return `s.value = ${p.add(folded)} AND s.raw = ${p.add(text)}`;
    }
    if (modifier === 'contains') return `s.value LIKE ${p.add(`%${escapeLike(folded)}%`)}`;
    return `s.value LIKE ${p.add(`${escapeLike(folded)}%`)}`;
  });
  return indexMatch(ctx, filter.code, anyOf(conditions));
}
