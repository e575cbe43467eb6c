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
 * Conditions on `high` alone cannot use the (code, low_time, high_time) index as a range, so each
 * also states the bound on `low` it implies: always for eq and eb, and for ge/gt/ap when the
 * parameter's values are points in time (no Period), whose ranges span at most a year.
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
    const span = filter.param.pointInTime ? MAX_POINT_SPAN_MS : undefined;
    return `s.low_time IS NOT NULL AND ${dateCondition(prefix, range, 's.low_time', 's.high_time', ctx.params, span)}`;
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

/** The longest range a date, dateTime or instant covers: a year ('2020'), leap years included. */
export const MAX_POINT_SPAN_MS = 366 * 86_400_000;

/**
 * The SQL for `prefix` comparing the indexed range [low, high] (column expressions) with `range`;
 * `span`, when known, is the most any indexed range spans.
 */
export function dateCondition(prefix: SearchPrefix, range: DateRange, low: string, high: string, p: SqlParams, span?: number): string {
  const at = (iso: string) => `${p.add(iso)}::timestamptz`;
  const before = (iso: string, ms: number) => at(new Date(Date.parse(iso) - ms).toISOString());
  // low > high - span, so a bound on high bounds low too.
  const lowFrom = (iso: string) => (span === undefined ? '' : ` AND ${low} > ${before(iso, span)}`);
  switch (prefix) {
    case 'eq': { const H = at(range.high); return `${low} >= ${at(range.low)} AND ${low} <= ${H} AND ${high} <= ${H}`; }
    case 'ne': return `(${low} < ${at(range.low)} OR ${high} > ${at(range.high)})`;
    case 'gt': return `${high} > ${at(range.high)}${lowFrom(range.high)}`;
    case 'lt': return `${low} < ${at(range.low)}`;
    case 'ge': return `${high} >= ${at(range.low)}${lowFrom(range.low)}`;
    case 'le': return `${low} <= ${at(range.high)}`;
    case 'sa': return `${low} > ${at(range.high)}`;
    case 'eb': { const L = at(range.low); return `${high} < ${L} AND ${low} < ${L}`; }
    case 'ap': {
      const from = Date.parse(range.low);
      const to = Date.parse(range.high);
      const slack = Math.abs(Date.now() - (from + to) / 2) * 0.1;
      const L = new Date(from - slack).toISOString();
      return `${low} <= ${at(new Date(to + slack).toISOString())} AND ${high} >= ${at(L)}${lowFrom(L)}`;
    }
  }
}
