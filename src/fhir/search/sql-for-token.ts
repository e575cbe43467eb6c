/**
 * Token search (search.html#token): `code`, `system|code`, `|code` (no system), `system|` (any
 * code in the system). `:not` finds resources with no matching token (including those with no
 * value at all); `:text` searches the display/text folded like a string, at the start of any word.
 */
import { anyOf, indexMatch, missingFilter, unsupportedModifier, type FilterContext, type SearchFilter } from './search-filter.js';
import { splitSearchValue, unescapeSearchValue } from './split-search-value.js';
import { escapeLike } from './sql-params.js';
import { normaliseString } from './string-normalise.js';
import { SearchValueError } from './search-value-error.js';

export function sqlForToken(filter: SearchFilter, ctx: FilterContext): string {
  const { modifier } = filter;
  if (modifier === 'missing') return missingFilter(filter, ctx);
  if (modifier === 'text') return indexMatch(ctx, filter.code, anyOf(splitSearchValue(filter.value, ',').map((part) => textCondition(part, ctx))));
  if (modifier !== undefined && modifier !== 'not') unsupportedModifier(filter);
  const conditions = splitSearchValue(filter.value, ',').map((part) => tokenCondition(filter, part, ctx).sql('s'));
  return indexMatch(ctx, filter.code, anyOf(conditions), modifier === 'not');
}

export interface TokenCondition {
  /** The condition on an index row, for an alias of search_index. */
  sql: (alias: string) => string;
  /** Whether it fixes the code (code, system|code, |code), not only the system (system|). */
  fixesCode: boolean;
}

export function tokenCondition(filter: SearchFilter, part: string, ctx: FilterContext): TokenCondition {
  const p = ctx.params;
  const pieces = splitSearchValue(part, '|');
  if (pieces.length > 2) throw new SearchValueError(`${filter.name}: '${part}' has more than one unescaped '|'`);
  if (pieces.length === 1) {
    const value = p.add(unescapeSearchValue(pieces[0]));
    return { sql: (s) => `${s}.value = ${value}`, fixesCode: true };
  }
  const system = unescapeSearchValue(pieces[0]);
  const code = unescapeSearchValue(pieces[1]);
  if (system === '' && code === '') throw new SearchValueError(`${filter.name}: '|' needs a system or a code`);
  if (system === '') {
    const value = p.add(code);
    return { sql: (s) => `${s}.system IS NULL AND ${s}.value = ${value}`, fixesCode: true };
  }
  const sys = p.add(system);
  if (code === '') return { sql: (s) => `${s}.system = ${sys}`, fixesCode: false };
  const value = p.add(code);
  return { sql: (s) => `${s}.value = ${value} AND ${s}.system = ${sys}`, fixesCode: true };
}

function textCondition(part: string, ctx: FilterContext): string {
  const words = escapeLike(normaliseString(unescapeSearchValue(part)));
  return `s.raw LIKE ${ctx.params.add(`${words}%`)} OR s.raw LIKE ${ctx.params.add(`% ${words}%`)}`;
}
