/**
 * Turns the query pairs of a search into a plan: SQL conditions with their bind parameters, the
 * order, the page, includes, and which pairs were accepted (for the self link). A pair that cannot
 * be applied is refused (Prefer: handling=strict: 400 naming it) or dropped with a warning.
 */
import { FhirError, issue, type OperationOutcomeIssue } from '../outcome.js';
import { searchParametersOf, type SearchParameter } from './search-parameters.js';
import { SearchValueError } from './search-value-error.js';
import { SqlParams } from './sql-params.js';
import { indexExists, type FilterContext, type SearchFilter } from './search-filter.js';
import { sqlForString } from './sql-for-string.js';
import { pageDriver, type PageDriver } from './page-driver.js';
import { sqlForToken } from './sql-for-token.js';
import { sqlForReference } from './sql-for-reference.js';
import { sqlForDate, sqlForLastUpdated } from './sql-for-date.js';
import { sqlForNumber } from './sql-for-number.js';
import { sqlForUri } from './sql-for-uri.js';
import { sqlForId } from './sql-for-id.js';
import { sqlForSort } from './sql-for-sort.js';
import type { IncludeSpec } from './include.js';
import { applyResultParam, DEFAULT_COUNT } from './result-params.js';
import { phoneticSearchValue } from './phonetic-search-value.js';

export { DEFAULT_COUNT, MAX_COUNT } from './result-params.js';

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
  /**
   * Without _sort, the criterion that walks the page in its index order (see page-driver.ts). Its
   * EXISTS stays in `where` (at `driverIndex`) for counting.
   */
  driver?: PageDriver;
  driverIndex: number;
  /** The driver's criterion, to bind it again in a statement of its own. */
  driverFilter?: SearchFilter;
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

const PINPOINTING_TOKENS = new Set(['identifier', 'phone', 'email', 'telecom']);

/** Handled by the HTTP layer (response format), not by search. */
const TRANSPORT_PARAMS = new Set(['_format', '_pretty']);

export function parseSearchRequest(request: { hospitalId: string; resourceType: string; params: Array<[string, string]>; baseUrl: string; strict: boolean }): SearchPlan {
  const definitions = searchParametersOf(request.resourceType);
  const params = new SqlParams([request.hospitalId, request.resourceType]);
  const ctx: FilterContext = { params, resourceType: request.resourceType, baseUrl: request.baseUrl.replace(/\/+$/, '') };
  const plan: SearchPlan = {
    where: [], params, whereParamCount: 0, driverIndex: -1, orderBy: '', count: DEFAULT_COUNT, offset: 0, total: 'estimate',
    summaryCount: false, includes: [], linkParams: [], warnings: [],
  };
  let sort: [string, string] | undefined;
  let driver: PageDriver | undefined;
  let driverFilter: SearchFilter | undefined;
  let pinpointed = false;

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
      // PostgreSQL text cannot hold NUL; refused here, it would fail the statement instead.
      if (name.includes('\u0000') || value.includes('\u0000')) throw new SearchValueError(`${name.split('\u0000').join('\\0')}: NUL characters are not allowed`);
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
      // `phonetic` compares keys: the value is keyed the way index-rows.ts keyed the names.
      const keyed = code === 'phonetic' && param.type === 'string' && modifier !== 'missing' ? phoneticSearchValue(name, value) : value;
      const filter: SearchFilter = { name, code, modifier, value: keyed, param };
      const before = params.values.length;
      try {
        const candidate = code.startsWith('_') ? undefined : pageDriver(filter, ctx, params.add(code));
        if (candidate && (!driver || candidate.rank < driver.rank)) {
          driver = candidate;
          driverFilter = filter;
          plan.driverIndex = plan.where.length;
          plan.where.push(indexExists(candidate.codeParam, candidate.condition('s')));
        } else {
          params.values.length = before; // the code bound for a driver that did not come about
          plan.where.push(sqlForFilter(filter, ctx));
        }
      } catch (err) {
        params.values.length = before; // a refused filter leaves no binds behind
        throw err;
      }
      // An id, identifier or phone number names a handful of resources: then the page is quicker
      // found from them than by walking a driver's index, which checks every row it passes.
      if (code === '_id' || (PINPOINTING_TOKENS.has(code) && param.type === 'token' && modifier === undefined)) pinpointed = true;
      plan.linkParams.push([name, value]);
    } catch (err) {
      if (!(err instanceof SearchValueError)) throw err;
      refuse(name, err);
    }
  }

  plan.whereParamCount = params.values.length;
  if (!sort && !pinpointed) [plan.driver, plan.driverFilter] = [driver, driverFilter];
  try {
    plan.orderBy = sqlForSort(sort?.[1] ?? '_id', definitions, params);
    if (sort) plan.linkParams.push(sort);
  } catch (err) {
    if (!(err instanceof SearchValueError)) throw err;
    params.values.length = plan.whereParamCount;
    plan.orderBy = sqlForSort('_id', definitions, params);
    if (!pinpointed) [plan.driver, plan.driverFilter] = [driver, driverFilter];
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
