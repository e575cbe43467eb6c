/**
 * Turns the query pairs of a search into a plan: SQL conditions with their bind parameters, the
 * order, the page, includes, and which pairs were accepted (for the self link). A pair that cannot
 * be applied is refused (Prefer: handling=strict: 400 naming it) or dropped with a warning.
 */
import { FhirError, issue, type OperationOutcomeIssue } from '../outcome.js';
import { searchParametersOf, type SearchParameter } from './search-parameters.js';
import { SearchValueError } from './search-value-error.js';
import { SqlParams } from './sql-params.js';
import type { FilterContext, SearchFilter } from './search-filter.js';
import { sqlForString } from './sql-for-string.js';
import { sqlForToken } from './sql-for-token.js';
import { sqlForReference } from './sql-for-reference.js';
import { sqlForDate, sqlForLastUpdated } from './sql-for-date.js';
import { sqlForNumber } from './sql-for-number.js';
import { sqlForUri } from './sql-for-uri.js';
import { sqlForId } from './sql-for-id.js';
import { sqlForSort } from './sql-for-sort.js';
import { parseInclude, type IncludeSpec } from './include.js';
import { ELEMENT_NAME } from './elements.js';

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

export interface SearchPlan {
  /** Conditions on resource_current `c`, ANDed. */
  where: string[];
  /** $1 hospital, $2 type, then the binds of `where`, then those of `orderBy`. */
  params: SqlParams;
  /** How many of `params` `where` uses (a count query leaves out the order's). */
  whereParamCount: number;
  orderBy: string;
  count: number;
  offset: number;
  total: 'none' | 'estimate' | 'accurate';
  summaryCount: boolean;
  elements?: string[];
  includes: IncludeSpec[];
  /** The accepted pairs, for the self and paging links (without _count/_offset). */
  linkParams: Array<[string, string]>;
  warnings: OperationOutcomeIssue[];
}

type FilterSql = (filter: SearchFilter, ctx: FilterContext) => string;

const SQL_FOR_TYPE: Partial<Record<SearchParameter['type'], FilterSql>> = {
  string: sqlForString,
  token: sqlForToken,
  reference: sqlForReference,
  date: sqlForDate,
  number: sqlForNumber,
  quantity: sqlForNumber,
  uri: sqlForUri,
};

/** Handled by the HTTP layer (response format), not by search. */
const TRANSPORT_PARAMS = new Set(['_format', '_pretty']);

export function parseSearchRequest(request: { hospitalId: string; resourceType: string; params: Array<[string, string]>; baseUrl: string; strict: boolean }): SearchPlan {
  const definitions = searchParametersOf(request.resourceType);
  const params = new SqlParams([request.hospitalId, request.resourceType]);
  const ctx: FilterContext = { params, resourceType: request.resourceType, baseUrl: request.baseUrl.replace(/\/+$/, '') };
  const plan: SearchPlan = {
    where: [], params, whereParamCount: 0, orderBy: '', count: DEFAULT_COUNT, offset: 0, total: 'estimate',
    summaryCount: false, includes: [], linkParams: [], warnings: [],
  };
  let sort: [string, string] | undefined;

  const refuse = (name: string, err: SearchValueError) => {
    if (request.strict) throw new FhirError(400, issue(err.issueCode, err.message));
    plan.warnings.push(issue(err.issueCode, `${err.message}; '${name}' was ignored`, undefined, 'warning'));
  };

  for (const [name, value] of request.params) {
    if (TRANSPORT_PARAMS.has(name)) continue;
    // search.html: parameters with an empty value are ignored.
    if (value === '') continue;
    const colon = name.indexOf(':');
    const code = colon < 0 ? name : name.slice(0, colon);
    const modifier = colon < 0 ? undefined : name.slice(colon + 1);
    try {
      if (code === '_sort' && modifier === undefined) {
        sort = [name, value];
        continue; // built after the filters, so that its binds come after theirs
      }
      if (code.startsWith('_') && applyResultParam(plan, code, modifier, value, request.resourceType)) {
        // The paging links write _count and _offset themselves.
        if (code !== '_count' && code !== '_offset') plan.linkParams.push([name, value]);
        continue;
      }
      const param = definitions.get(code);
      if (!param) throw new SearchValueError(`Unknown search parameter '${code}' for ${request.resourceType}`, 'not-supported');
      const filter: SearchFilter = { name, code, modifier, value, param };
      const before = params.values.length;
      try {
        plan.where.push(sqlForFilter(filter, ctx));
      } catch (err) {
        params.values.length = before; // a refused filter leaves no binds behind
        throw err;
      }
      plan.linkParams.push([name, value]);
    } catch (err) {
      if (!(err instanceof SearchValueError)) throw err;
      refuse(name, err);
    }
  }

  plan.whereParamCount = params.values.length;
  try {
    plan.orderBy = sqlForSort(sort?.[1] ?? '_id', definitions, params);
    if (sort) plan.linkParams.push(sort);
  } catch (err) {
    if (!(err instanceof SearchValueError)) throw err;
    params.values.length = plan.whereParamCount;
    plan.orderBy = sqlForSort('_id', definitions, params);
    refuse('_sort', err);
  }
  return plan;
}

function sqlForFilter(filter: SearchFilter, ctx: FilterContext): string {
  if (filter.code === '_id') return sqlForId(filter, ctx);
  if (filter.code === '_lastUpdated') return sqlForLastUpdated(filter, ctx);
  const sql = SQL_FOR_TYPE[filter.param.type];
  if (!sql || !filter.param.expression) {
    throw new SearchValueError(`Search parameter '${filter.code}' (${filter.param.type}) is not supported`, 'not-supported');
  }
  return sql(filter, ctx);
}

/** Applies a search result parameter; false when `code` is not one (then it is a filter). */
function applyResultParam(plan: SearchPlan, code: string, modifier: string | undefined, value: string, resourceType: string): boolean {
  const noModifier = () => {
    if (modifier !== undefined) throw new SearchValueError(`${code} takes no modifier (':${modifier}')`, 'not-supported');
  };
  switch (code) {
    case '_count':
    case '_offset': {
      noModifier();
      if (!/^\d{1,9}$/.test(value)) throw new SearchValueError(`${code} must be a whole number, not '${value}'`);
      if (code === '_count') plan.count = Math.min(Number(value), MAX_COUNT);
      else plan.offset = Number(value);
      return true;
    }
    case '_total':
      noModifier();
      if (value !== 'none' && value !== 'estimate' && value !== 'accurate') throw new SearchValueError(`_total must be none, estimate or accurate, not '${value}'`);
      plan.total = value;
      return true;
    case '_summary':
      noModifier();
      if (value === 'count') plan.summaryCount = true;
      else if (value !== 'false') throw new SearchValueError(`_summary=${value} is not supported (count and false are)`, 'not-supported');
      return true;
    case '_elements': {
      noModifier();
      const elements = value.split(',').map((e) => e.trim());
      const bad = elements.find((e) => !ELEMENT_NAME.test(e));
      if (bad !== undefined) throw new SearchValueError(`_elements: '${bad}' is not an element name`);
      plan.elements = elements;
      return true;
    }
    case '_include':
    case '_revinclude':
      plan.includes.push(parseInclude(code, modifier, value, resourceType));
      return true;
    default:
      return false;
  }
}
