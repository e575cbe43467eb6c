/**
 * The criterion that walks the page in index order. Without _sort, one criterion drives the page:
 * matches come in the order of its index, so a page costs the same whether ten resources match or
 * ten thousand (ordering by id instead needs every match before the first page). In order of
 * preference (the most selective kind first, since the walk checks the others row by row):
 *   - a date eq to the day or finer (a birth date): ordered by date, then id;
 *   - a plain or :exact string criterion: ordered by the folded text that matched, then id;
 *   - any other date criterion whose index range has a start: by the start of the date, then id;
 *   - a token criterion naming one code (`code`, `system|code`): by id, as without a driver.
 */
import { splitSearchValue, unescapeSearchValue } from './split-search-value.js';
import { splitPrefix } from './search-prefix.js';
import { dateCondition, MAX_POINT_SPAN_MS, parseDateValue } from './sql-for-date.js';
import { stringCondition } from './sql-for-string.js';
import { tokenCondition } from './sql-for-token.js';
import { normaliseString } from './string-normalise.js';
import type { FilterContext, SearchFilter } from './search-filter.js';
import type { SqlParams } from './sql-params.js';

export interface PageDriver {
  codeParam: string;
  /** The criterion on an index row, for an alias of search_index. */
  condition: (alias: string) => string;
  /**
   * The same test on the rows of one resource (alias `e`), written so that no value or time index
   * can serve it: PostgreSQL underestimates prefix and date ranges and would otherwise walk the
   * whole range looking for one resource's rows instead of seeking them by resource_id. Binds go
   * to the statement that uses it (an unused bind has no type and fails the statement).
   */
  probe: (params: SqlParams) => string;
  /** The indexed column that orders the walk, and its sort operator. */
  column: 'value' | 'low_time';
  using: string;
  /** Every walked row has the same value (:exact, a token): ordered by resource id alone. */
  constant: boolean;
  /** Lower is preferred: day-or-finer date eq -1, string 0, other date 1, token 2. */
  rank: number;
}

export function pageDriver(filter: SearchFilter, ctx: FilterContext, codeParam: string): PageDriver | undefined {
  if (splitSearchValue(filter.value, ',').length !== 1 || !filter.param.expression) return undefined;
  if (filter.param.type === 'string' && (filter.modifier === undefined || filter.modifier === 'exact')) {
    const condition = stringCondition(filter, filter.value, ctx);
    const folded = normaliseString(unescapeSearchValue(filter.value));
    const text = unescapeSearchValue(filter.value);
    const probe = (params: SqlParams) => {
      // :exact: raw as written decides (and implies the folded value); otherwise starts-with.
      if (filter.modifier === 'exact') return `e.raw = ${params.add(text)}::text`;
      const prefix = params.add(folded);
      return `left(e.value, length(${prefix}::text)) = ${prefix}::text`;
    };
    return { codeParam, condition, probe, column: 'value', using: 'USING ~<~', constant: filter.modifier === 'exact', rank: 0 };
  }
  if (filter.param.type === 'date' && filter.modifier === undefined) {
    const { prefix } = splitPrefix(filter.value);
    // The walk starts at the beginning of the time index range; these prefixes give it one
    // (ge/gt/ap only through the one-year bound of point-in-time values).
    const bounded = ['eq', 'lt', 'le', 'sa', 'eb'].includes(prefix) || (filter.param.pointInTime && ['ge', 'gt', 'ap'].includes(prefix));
    if (!bounded) return undefined;
    const { range } = parseDateValue(filter.name, filter.value);
    const span = filter.param.pointInTime ? MAX_POINT_SPAN_MS : undefined;
    const template = `§.low_time IS NOT NULL AND ${dateCondition(prefix, range, '§.low_time', '§.high_time', ctx.params, span)}`;
    const condition = (alias: string) => template.replaceAll('§.', `${alias}.`);
    const probe = (params: SqlParams) =>
      dateCondition(prefix, range, "(e.low_time + '0 s'::interval)", "(e.high_time + '0 s'::interval)", params);
    const narrow = prefix === 'eq' && Date.parse(range.high) - Date.parse(range.low) < 86_400_000;
    return { codeParam, condition, probe, column: 'low_time', using: '', constant: false, rank: narrow ? -1 : 1 };
  }
  if (filter.param.type === 'token' && filter.modifier === undefined) {
    const token = tokenCondition(filter, filter.value, ctx);
    if (!token.fixesCode) return undefined;
    // `|| ''` keeps the value index out of the per-resource probe (see `probe`).
    const probe = () => token.sql('e').replace('e.value =', "(e.value || '') =");
    return { codeParam, condition: token.sql, probe, column: 'value', using: 'USING ~<~', constant: true, rank: 2 };
  }
  return undefined;
}
