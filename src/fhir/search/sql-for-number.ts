/**
 * Number and quantity search (search.html#number, #quantity). The index holds each value as the
 * range its precision implies, symmetric around the value, so the value itself is the midpoint
 * v = (low_num + high_num) / 2. Following the spec's number examples:
 *   eq  v in the search value's implied range [L, H)   ("100" finds 99.5 <= v < 100.5)
 *   ne  v outside it
 *   gt, lt, ge, le  v against the search value exactly ("lt100": less than exactly 100)
 *   sa  v at or above H; eb  v below L
 *   ap  v within 10% of the search value
 * Each condition also carries a bound on low_num or high_num that the range implies, so the
 * (code, low_num, high_num) index can narrow the rows before the midpoint is computed.
 * A quantity value may add `|system|code` (`5.4|http://unitsofmeasure.org|mg`) or `||unit`.
 */
import { anyOf, indexMatch, missingFilter, unsupportedModifier, type FilterContext, type SearchFilter } from './search-filter.js';
import { splitSearchValue, unescapeSearchValue } from './split-search-value.js';
import { splitPrefix, type SearchPrefix } from './search-prefix.js';
import { numberRange, type NumberRange } from './number-range.js';
import type { SqlParams } from './sql-params.js';
import { SearchValueError } from './search-value-error.js';

const MID = '((s.low_num + s.high_num) / 2)';

export function sqlForNumber(filter: SearchFilter, ctx: FilterContext): string {
  if (filter.modifier === 'missing') return missingFilter(filter, ctx);
  if (filter.modifier !== undefined) unsupportedModifier(filter);
  const quantity = filter.param.type === 'quantity';
  const conditions = splitSearchValue(filter.value, ',').map((part) => {
    const pieces = splitSearchValue(part, '|');
    if (pieces.length !== 1 && !(quantity && pieces.length === 3)) {
      throw new SearchValueError(`${filter.name}: '${part}' is not ${quantity ? 'a quantity ([prefix]number[|system|code])' : 'a number'}`);
    }
    const { prefix, rest } = splitPrefix(pieces[0]);
    const range = numberRange(rest);
    if (!range) throw new SearchValueError(`${filter.name}: '${rest}' is not a number`);
    const unit = pieces.length === 3 ? unitCondition(unescapeSearchValue(pieces[1]), unescapeSearchValue(pieces[2]), ctx.params) : undefined;
    const compare = `s.low_num IS NOT NULL AND ${numberCondition(prefix, range, ctx.params)}`;
    return unit ? `${compare} AND ${unit}` : compare;
  });
  return indexMatch(ctx, filter.code, anyOf(conditions));
}

function numberCondition(prefix: SearchPrefix, r: NumberRange, p: SqlParams): string {
  const n = (x: number) => `${p.add(String(x))}::numeric`;
  switch (prefix) {
    case 'eq': { const L = n(r.low), H = n(r.high); return `s.low_num < ${H} AND s.high_num >= ${L} AND ${MID} >= ${L} AND ${MID} < ${H}`; }
    case 'ne': { const L = n(r.low), H = n(r.high); return `(${MID} < ${L} OR ${MID} >= ${H})`; }
    case 'gt': { const V = n(r.value); return `s.high_num > ${V} AND ${MID} > ${V}`; }
    case 'ge': { const V = n(r.value); return `s.high_num >= ${V} AND ${MID} >= ${V}`; }
    case 'lt': { const V = n(r.value); return `s.low_num < ${V} AND ${MID} < ${V}`; }
    case 'le': { const V = n(r.value); return `s.low_num <= ${V} AND ${MID} <= ${V}`; }
    case 'sa': { const H = n(r.high); return `s.high_num >= ${H} AND ${MID} >= ${H}`; }
    case 'eb': { const L = n(r.low); return `s.low_num < ${L} AND ${MID} < ${L}`; }
    case 'ap': {
      const slack = Math.abs(r.value) * 0.1;
      const L = n(r.value - slack), H = n(r.value + slack);
      return `s.low_num <= ${H} AND s.high_num >= ${L} AND ${MID} >= ${L} AND ${MID} <= ${H}`;
    }
  }
}

/** `system|code` must both match; `|code` (no system) matches the unit code or the unit text. */
function unitCondition(system: string, code: string, p: SqlParams): string | undefined {
  if (system === '' && code === '') return undefined;
  if (system === '') return `(s.value = ${p.add(code)} OR s.raw = ${p.add(code)})`;
  if (code === '') return `s.system = ${p.add(system)}`;
  return `s.system = ${p.add(system)} AND s.value = ${p.add(code)}`;
}
