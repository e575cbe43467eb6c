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
  if (filter.modifier === 'missing') return missingFilter(filter, ctx);
  const conditions = splitSearchValue(filter.value, ',').map((part) => stringCondition(filter, part, ctx)('s'));
  return indexMatch(ctx, filter.code, anyOf(conditions));
}

/**
 * The condition one value puts on an index row, for any alias of search_index (the binds are
 * added once; the returned function only places them).
 */
export function stringCondition(filter: SearchFilter, part: string, ctx: FilterContext): (alias: string) => string {
  const { modifier } = filter;
  if (modifier !== undefined && modifier !== 'exact' && modifier !== 'contains') unsupportedModifier(filter);
  const p = ctx.params;
  const text = unescapeSearchValue(part);
  const folded = normaliseString(text);
  if (modifier === 'exact') {
    // The folded value narrows through the index; raw decides.
    const value = p.add(folded);
    const raw = p.add(text);
    return (s) => `${s}.value = ${value} AND ${s}.raw = ${raw}`;
  }
  if (modifier === 'contains') {
    const pattern = p.add(`%${escapeLike(folded)}%`);
    return (s) => `${s}.value LIKE ${pattern}`;
  }
  // Starts-with as a byte range the text_pattern_ops index can seek with a bound parameter, so the
  // statement's plan does not depend on the value (it can be prepared once and reused); LIKE keeps
  // the exact semantics as a recheck.
  const pattern = p.add(`${escapeLike(folded)}%`);
  const low = p.add(folded);
  const high = p.add(`${folded}\u{10FFFF}`);
  return (s) => `${s}.value ~>=~ ${low} AND ${s}.value ~<~ ${high} AND ${s}.value LIKE ${pattern}`;
}
