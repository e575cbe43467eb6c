/**
 * One `name[:modifier]=value` search criterion, and the SQL shape every type shares: a semi-join
 * (EXISTS) from resource_current `c` into search_index `s` on this hospital, type and parameter
 * code, which the (hospital_id, resource_type, code, ...) indexes serve.
 */
import type { SearchParameter } from './search-parameters.js';
import type { SqlParams } from './sql-params.js';
import { SearchValueError } from './search-value-error.js';

export interface SearchFilter {
  /** The parameter name as the client wrote it, modifier included (e.g. 'name:exact'). */
  name: string;
  code: string;
  modifier?: string;
  value: string;
  param: SearchParameter;
}

export interface FilterContext {
  /** $1 is the hospital id and $2 the resource type in every search statement. */
  params: SqlParams;
  resourceType: string;
  /** The server's FHIR base URL: absolute references to it are searched as relative ones. */
  baseUrl: string;
}

export const HOSPITAL_PARAM = '$1';
export const RESOURCE_TYPE_PARAM = '$2';

/** `[NOT] EXISTS` an index row of `code` for the resource `c` that satisfies `condition` (over `s`). */
export function indexMatch(ctx: FilterContext, code: string, condition: string | undefined, negate = false): string {
  return indexExists(ctx.params.add(code), condition, negate);
}

/** indexMatch with the code already bound as `codeParam`. */
export function indexExists(codeParam: string, condition: string | undefined, negate = false): string {
  const where = condition === undefined ? '' : ` AND (${condition})`;
  return (
    `${negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM search_index s WHERE s.hospital_id = ${HOSPITAL_PARAM}` +
    ` AND s.resource_type = ${RESOURCE_TYPE_PARAM} AND s.code = ${codeParam}` +
    ` AND s.resource_id = c.id${where})`
  );
}

/** `:missing=true` (no value indexed for the parameter) and `:missing=false` (some value). */
export function missingFilter(filter: SearchFilter, ctx: FilterContext): string {
  if (filter.value !== 'true' && filter.value !== 'false') {
    throw new SearchValueError(`${filter.name} must be true or false, not '${filter.value}'`);
  }
  return indexMatch(ctx, filter.code, undefined, filter.value === 'true');
}

export function unsupportedModifier(filter: SearchFilter): never {
  throw new SearchValueError(
    `Modifier ':${filter.modifier}' is not supported for the ${filter.param.type} parameter '${filter.code}'`,
    'not-supported',
  );
}

/** ORs the conditions of one parameter's comma-separated values. */
export function anyOf(conditions: string[]): string {
  return conditions.length === 1 ? conditions[0] : conditions.map((c) => `(${c})`).join(' OR ');
}
