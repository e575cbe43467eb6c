/**
 * Date search (search.html#date). Both the indexed value and the search value are ranges
 * [low, high] (see date-range.ts); a prefix compares them:
 *   eq  the search range contains the value's range      low >= L and high <= H
 *   ne  it does not                                       low <  L or  high >  H
 *   gt  the value extends after the search range          high >  H
 *   lt  the value extends before it                       low  <  L
 *   ge  gt or eq: some of the value is at or after L      high >= L
 *   le  lt or eq: some of the value is at or before H     low  <= H
 *   sa  the value starts after the search range           low  >  H
 *   eb  the value ends before it                          high <  L
 *   ap  the ranges overlap, the search range widened by 10% of its distance from now
 * (L, H: the search value's low and high; low, high: the indexed value's.)
 */
import { anyOf, indexMatch, missingFilter, unsupportedModifier, type FilterContext, type SearchFilter } from './search-filter.js';
import { splitSearchValue } from './split-search-value.js';
import { splitPrefix, type SearchPrefix } from './search-prefix.js';
import { dateRange, type DateRange } from './date-range.js';
import type { SqlParams } from './sql-params.js';
import { SearchValueError } from './search-value-error.js';

export function sqlForDate(filter: SearchFilter, ctx: FilterContext): string {
  if (filter.modifier === 'missing') return missingFilter(filter, ctx);
  if (filter.modifier !== undefined) unsupportedModifier(filter);
  const conditions = splitSearchValue(filter.value, ',').map((part) => {
    const { prefix, range } = parseDateValue(filter.name, part);
    // `low_time IS NOT NULL` lets the partial index search_index_time serve conditions that
    // only mention high_time.
    return `s.low_time IS NOT NULL AND ${dateCondition(prefix, range, 's.low_time', 's.high_time', ctx.params)}`;
  });
  return indexMatch(ctx, filter.code, anyOf(conditions));
}

/** `_lastUpdated`: the same rules on resource_current.last_updated (an instant: low = high). */
export function sqlForLastUpdated(filter: SearchFilter, ctx: FilterContext): string {
  if (filter.modifier !== undefined) unsupportedModifier(filter);
  const conditions = splitSearchValue(filter.value, ',').map((part) => {
    const { prefix, range } = parseDateValue(filter.name, part);
    return dateCondition(prefix, range, 'c.last_updated', 'c.last_updated', ctx.params);
  });
  return `(${anyOf(conditions)})`;
}

export function parseDateValue(name: string, part: string): { prefix: SearchPrefix; range: DateRange } {
  const { prefix, rest } = splitPrefix(part);
  // A '+' zone offset arrives as a space when the client did not percent-encode it.
  const text = rest.replace(/(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:\d{2})$/, '$1+$2');
  const range = dateRange(text);
  if (!range) throw new SearchValueError(`${name}: '${part}' is not a date (e.g. 2020, 2020-03, 2020-03-04, 2020-03-04T10:00:00+05:30), with an optional prefix eq|ne|gt|lt|ge|le|sa|eb|ap`);
  return { prefix, range };
}

export function dateCondition(prefix: SearchPrefix, range: DateRange, low: string, high: string, p: SqlParams): string {
  const L = () => `${p.add(range.low)}::timestamptz`;
  const H = () => `${p.add(range.high)}::timestamptz`;
  switch (prefix) {
    case 'eq': return `${low} >= ${L()} AND ${high} <= ${H()}`;
    case 'ne': return `(${low} < ${L()} OR ${high} > ${H()})`;
    case 'gt': return `${high} > ${H()}`;
    case 'lt': return `${low} < ${L()}`;
    case 'ge': return `${high} >= ${L()}`;
    case 'le': return `${low} <= ${H()}`;
    case 'sa': return `${low} > ${H()}`;
    case 'eb': return `${high} < ${L()}`;
    case 'ap': {
      const from = Date.parse(range.low);
      const to = Date.parse(range.high);
      const slack = Math.abs(Date.now() - (from + to) / 2) * 0.1;
      return `${low} <= ${p.add(new Date(to + slack).toISOString())}::timestamptz AND ${high} >= ${p.add(new Date(from - slack).toISOString())}::timestamptz`;
    }
  }
}
