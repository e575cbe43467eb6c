/**
 * The statement that fetches one page of matches. The page is chosen from resource_current and
 * search_index alone and only its rows then read their content from resource_version (joining
 * the jsonb before the LIMIT made PostgreSQL read it for every match). The outer query is aliased
 * `c` like the inner one so the same ORDER BY applies to both.
 */
import type { SearchPlan } from './parse-search-request.js';
import { HOSPITAL_PARAM, RESOURCE_TYPE_PARAM } from './search-filter.js';
import { SqlParams } from './sql-params.js';
import { pageDriver } from './page-driver.js';

const CONTENT_JOIN =
  'JOIN resource_version v ON v.hospital_id = c.hospital_id AND v.resource_type = c.resource_type AND v.id = c.id AND v.version_id = c.version_id';

/**
 * `SELECT "resourceType", id, resource` for the page; binds: plan.params, then limit and offset.
 * With a driver, `walk` is how many of its index rows to look at (see search.ts).
 */
export function pageStatement(plan: SearchPlan, walk: number): { sql: string; params: unknown[] } {
  const params = new SqlParams(plan.params.values);
  const limit = params.add(plan.count + 1); // one more than the page: is there a next page?
  const offset = params.add(plan.offset);
  const driver = plan.driver;
  if (!driver) {
    return {
      sql: `SELECT c.resource_type AS "resourceType", c.id, v.resource
  FROM (SELECT c.hospital_id, c.resource_type, c.id, c.version_id, c.last_updated
          FROM resource_current c
         WHERE ${matchConditions(plan.where)}
         ORDER BY ${plan.orderBy}
         LIMIT ${limit} OFFSET ${offset}) c
  ${CONTENT_JOIN}
 ORDER BY ${plan.orderBy}`,
      params: params.values,
    };
  }
  // Driven by one criterion (page-driver.ts): walk its index rows in (column, resource_id) order,
  // keep a resource at its first matching row only, check the other criteria per row.
  // - The walk is a subquery with its own LIMIT, a fence PostgreSQL does not flatten: it orders
  //   the index rows first and joins and checks only as many of them as the page consumes. (Without
  //   an index that yields resource_id order within a value, ordering a run of equal values means
  //   reading it whole; reading index rows is cheap, checking each of them is not.) Its LIMIT also
  //   makes PostgreSQL plan it to start fast (a walk down the index) rather than to read all.
  // - The first-row test is a scalar subquery: PostgreSQL runs it as a probe of this resource's
  //   few rows, where NOT EXISTS could become an anti-join over every match.
  // - The other criteria are written `(EXISTS ...) IS TRUE`, which PostgreSQL does not turn into
  //   joins: checked for each row walked. Given the choice it would start from whichever criterion
  //   it believes selective, and it believes so wrongly (it estimates a code's values from all
  //   codes' together); a walk that stops after one page is the predictable plan.
  const others = plan.where.flatMap((sql, i) => (i === plan.driverIndex ? [] : [`(${sql}) IS TRUE`]));
  const { column, using } = driver;
  // For :exact and tokens every walked row has the same value: the order is by resource alone.
  const byValue = (alias: string, value: string, id: string) => (driver.constant ? `${alias}.${id}` : `${alias}.${value} ${using}, ${alias}.${id}`);
  return {
    sql: `SELECT c.resource_type AS "resourceType", c.id, v.resource
  FROM (SELECT c.hospital_id, c.resource_type, c.id, c.version_id, d.matched
          FROM (SELECT d.resource_id, d.${column} AS matched, d.ctid AS row_id
                  FROM search_index d
                 WHERE d.hospital_id = ${HOSPITAL_PARAM} AND d.resource_type = ${RESOURCE_TYPE_PARAM} AND d.code = ${driver.codeParam}
                   AND ${driver.condition('d')}
                 ORDER BY ${byValue('d', column, 'resource_id')}
                 LIMIT ${params.add(walk)}) d
          JOIN resource_current c ON c.hospital_id = ${HOSPITAL_PARAM} AND c.resource_type = ${RESOURCE_TYPE_PARAM} AND c.id = d.resource_id
         WHERE NOT coalesce((SELECT true FROM search_index e
                              WHERE e.hospital_id = ${HOSPITAL_PARAM} AND e.resource_type = ${RESOURCE_TYPE_PARAM}
                                AND e.resource_id = d.resource_id AND e.code = ${driver.codeParam} AND ${driver.probe(params)}
                                AND (e.${column} ${using ? '~<~' : '<'} d.matched OR (e.${column} = d.matched AND e.ctid < d.row_id))
                              LIMIT 1), false)
           AND ${matchConditions(others)}
         ORDER BY ${byValue('d', 'matched', 'resource_id')}
         LIMIT ${limit} OFFSET ${offset}) c
  ${CONTENT_JOIN}
 ORDER BY ${byValue('c', 'matched', 'id')}`,
    params: params.values,
  };
}

/** How many index rows the driver would walk, up to `walk`: fewer means the walk saw them all. */
export function walkStatement(plan: SearchPlan, walk: number): { sql: string; params: unknown[] } {
  // The driver bound again on its own: the plan's binds include other criteria's, unused here.
  const params = new SqlParams(plan.params.values.slice(0, 2));
  const filter = plan.driverFilter!;
  const driver = pageDriver(filter, { params, resourceType: String(params.values[1]), baseUrl: '' }, params.add(filter.code))!;
  return {
    sql: `SELECT count(*) AS walked FROM (SELECT 1 FROM search_index d
           WHERE d.hospital_id = ${HOSPITAL_PARAM} AND d.resource_type = ${RESOURCE_TYPE_PARAM} AND d.code = ${driver.codeParam}
             AND ${driver.condition('d')} LIMIT ${params.add(walk)}) d`,
    params: params.values,
  };
}

/** The conditions every match meets: this hospital, this type, not deleted, and the criteria. */
export function matchConditions(where: string[]): string {
  return ['c.hospital_id = $1', 'c.resource_type = $2', 'NOT c.deleted', ...where].join('\n           AND ');
}
