/**
 * `_include` and `_revinclude` (search.html#include): the resources the current page's matches
 * refer to, and the resources that refer to them, followed through the reference rows of the
 * search index. Only for the page being returned; each resource appears once (a match that is also
 * included stays a match). `:iterate` specs are applied again to what the previous round added.
 */
import type { Queryable } from '../../store/database.js';
import { isSupportedResourceType } from '../resource-types.js';
import { searchParametersOf } from './search-parameters.js';
import { SearchValueError } from './search-value-error.js';

export interface IncludeSpec {
  kind: '_include' | '_revinclude';
  /** The type whose reference parameter is followed (Observation in `Observation:subject`). */
  sourceType: string;
  codes: string[];
  targetType?: string;
  iterate: boolean;
}

export interface StoredResource {
  resourceType: string;
  id: string;
  resource: Record<string, unknown>;
}

const MAX_ITERATIONS = 3;

/** Parses `Type:param[:targetType]` (or `*`, `Type:*`) of `_include[:iterate]=` / `_revinclude[:iterate]=`. */
export function parseInclude(kind: IncludeSpec['kind'], modifier: string | undefined, value: string, resourceType: string): IncludeSpec {
  if (modifier !== undefined && modifier !== 'iterate' && modifier !== 'recurse') {
    throw new SearchValueError(`${kind}: modifier ':${modifier}' is not supported`, 'not-supported');
  }
  const iterate = modifier !== undefined;
  if (value === '*' && kind === '_revinclude') throw new SearchValueError('_revinclude=* is not supported; name the type and parameter', 'not-supported');
  const [sourceType, code, targetType, ...extra] = value === '*' ? [resourceType, '*'] : value.split(':');
  if (code === undefined || extra.length > 0) throw new SearchValueError(`${kind}: '${value}' is not Type:parameter[:targetType]`);
  if (!isSupportedResourceType(sourceType)) throw new SearchValueError(`${kind}: '${sourceType}' is not a resource type`);
  if (kind === '_include' && !iterate && sourceType !== resourceType) {
    throw new SearchValueError(`${kind}: '${value}' does not start from ${resourceType} (use :iterate to follow included resources)`);
  }
  if (targetType !== undefined && !isSupportedResourceType(targetType)) throw new SearchValueError(`${kind}: '${targetType}' is not a resource type`);
  const params = searchParametersOf(sourceType);
  const references = [...params.values()].filter((p) => p.type === 'reference');
  let codes: string[];
  if (code === '*') codes = references.map((p) => p.code);
  else {
    const param = params.get(code);
    if (!param || param.type !== 'reference') throw new SearchValueError(`${kind}: '${code}' is not a reference parameter of ${sourceType}`);
    const targets = param.definition.target ?? [];
    if (targetType !== undefined && targets.length > 0 && !targets.includes(targetType)) {
      throw new SearchValueError(`${kind}: ${sourceType}.${code} cannot refer to ${targetType}`);
    }
    if (kind === '_revinclude' && !iterate && targets.length > 0 && !targets.includes(resourceType)) {
      throw new SearchValueError(`${kind}: ${sourceType}.${code} cannot refer to ${resourceType}`);
    }
    codes = [code];
  }
  return { kind, sourceType, codes, targetType, iterate };
}

/** The resources `specs` add to `matches`, in the order found, without duplicates. */
export async function loadIncludes(db: Queryable, hospitalId: string, baseUrl: string, matches: StoredResource[], specs: IncludeSpec[]): Promise<StoredResource[]> {
  if (specs.length === 0 || matches.length === 0) return [];
  const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
  const included: StoredResource[] = [];
  let frontier = matches;
  for (let round = 0; round <= MAX_ITERATIONS && frontier.length > 0; round++) {
    const added: StoredResource[] = [];
    for (const spec of specs) {
      if (round > 0 && !spec.iterate) continue;
      const found = spec.kind === '_include' ? await forward(db, hospitalId, baseUrl, frontier, spec) : await reverse(db, hospitalId, baseUrl, frontier, spec);
      for (const r of found) {
        const key = `${r.resourceType}/${r.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        added.push(r);
      }
    }
    included.push(...added);
    frontier = added;
  }
  return included;
}

const RESOURCE_COLUMNS = 'c.resource_type AS "resourceType", c.id, v.resource';
const VERSION_JOIN =
  'JOIN resource_version v ON v.hospital_id = c.hospital_id AND v.resource_type = c.resource_type AND v.id = c.id AND v.version_id = c.version_id';

/** The resources that `spec.sourceType` resources among `from` refer to through `spec.codes`. */
async function forward(db: Queryable, hospitalId: string, baseUrl: string, from: StoredResource[], spec: IncludeSpec): Promise<StoredResource[]> {
  const ids = from.filter((r) => r.resourceType === spec.sourceType).map((r) => r.id);
  if (ids.length === 0 || spec.codes.length === 0) return [];
  const params: unknown[] = [hospitalId, spec.sourceType, ids, spec.codes, `${baseUrl}/`];
  if (spec.targetType) params.push(spec.targetType);
  // 'Type/id', or an absolute URL to this server (indexed as written), names a local resource.
  return db.query<StoredResource>(
    `SELECT DISTINCT ON (c.resource_type, c.id) ${RESOURCE_COLUMNS}
       FROM search_index s
      CROSS JOIN LATERAL (SELECT CASE WHEN starts_with(s.value, $5) THEN substr(s.value, length($5) + 1) ELSE s.value END AS ref) r
       JOIN resource_current c ON c.hospital_id = s.hospital_id
        AND c.resource_type = split_part(r.ref, '/', 1) AND c.id = split_part(r.ref, '/', 2)
       ${VERSION_JOIN}
      WHERE s.hospital_id = $1 AND s.resource_type = $2 AND s.resource_id = ANY($3::text[]) AND s.code = ANY($4::text[])
        AND NOT c.deleted${spec.targetType ? ' AND c.resource_type = $6' : ''}
      ORDER BY c.resource_type, c.id`,
    params,
  );
}

/** The `spec.sourceType` resources that refer to any of `to` through `spec.codes`. */
async function reverse(db: Queryable, hospitalId: string, baseUrl: string, to: StoredResource[], spec: IncludeSpec): Promise<StoredResource[]> {
  const references = to
    .filter((r) => !spec.targetType || r.resourceType === spec.targetType)
    .flatMap((r) => [`${r.resourceType}/${r.id}`, `${baseUrl}/${r.resourceType}/${r.id}`]);
  if (references.length === 0 || spec.codes.length === 0) return [];
  return db.query<StoredResource>(
    `SELECT ${RESOURCE_COLUMNS}
       FROM resource_current c ${VERSION_JOIN}
      WHERE c.hospital_id = $1 AND c.resource_type = $2 AND NOT c.deleted
        AND c.id IN (SELECT s.resource_id FROM search_index s
                      WHERE s.hospital_id = $1 AND s.resource_type = $2 AND s.code = ANY($3::text[]) AND s.value = ANY($4::text[]))
      ORDER BY c.id`,
    [hospitalId, spec.sourceType, spec.codes, references],
  );
}
